// Quota: with a small storage quota for the origin (Chromium's DevTools protocol,
// Storage.overrideQuotaForOrigin, on a browser with an on-disk profile: the override is not
// enforced in an incognito-like context), a page saves ever more data until the browser refuses. The
// refusal must come as tagvault's QuotaExceededError (the browser's error as its cause); every
// earlier save must be intact, the refused one absent (all or nothing), the vault must still
// open in a fresh page, and after freeing space the next save must store the refused tag too.
import { expect, test } from '@playwright/test';
import { figure, keyHex, launchPersistent, openFixture, scale, tempProfile } from './fixtures/harness';
import { useFixtureServer } from './fixtures/server';

test.skip(({ browserName }) => browserName !== 'chromium', 'needs Chromium (DevTools protocol)');
test.describe.configure({ timeout: scale(240_000, 1_800_000) });

const server = useFixtureServer();

test('filling a small quota: QuotaExceededError, earlier saves intact, the vault still opens and recovers', async () => {
  const quotaMiB = scale(4, 32);
  const chunk = 256 * 1024;
  const profile = tempProfile();
  const context = await launchPersistent(profile.dir);
  try {
    const page = await openFixture(context, server.page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.origin, quotaSize: quotaMiB * 1024 * 1024 });
    // (navigator.storage.estimate() reports a fixed figure in recent Chromium: ask DevTools.)
    const quota = await cdp.send('Storage.getUsageAndQuota', { origin: server.origin });
    expect(quota.overrideActive).toBe(true);
    expect(quota.quota).toBe(quotaMiB * 1024 * 1024);

    const key = keyHex();
    const directory = `quota-${Date.now()}`;
    const max = Math.ceil((quotaMiB * 4 * 1024 * 1024) / chunk);
    const filled = await page.evaluate(([k, d, c, m]) => window.rel.fill(k, d, c, m), [key, directory, chunk, max] as const);
    expect(filled.saved, 'the browser refused before the loop ended').toBeLessThan(max);
    expect(filled.saved, 'some saves went through first').toBeGreaterThan(0);
    expect(filled.error?.name).toBe('QuotaExceededError');
    expect(filled.error?.isTagvaultQuota, 'tagvault’s own QuotaExceededError class').toBe(true);
    expect(filled.error?.causeName, 'the browser’s error is the cause').toBe('QuotaExceededError');

    // A fresh page: every earlier save intact, the refused one absent, nothing corrupt.
    const fresh = await openFixture(context, server.page);
    const verified = await fresh.evaluate(([k, d, c, s]) => window.rel.verifyFill(k, d, c, s), [key, directory, chunk, filled.saved] as const);
    expect(verified).toEqual({ intact: filled.saved, damaged: 0, extra: [], corrupted: 0 });
    await fresh.close();

    // Free some space: saving works again.
    const recovered = await page.evaluate((n) => window.rel.recoverAfterQuota(n), 4);
    expect(recovered).toEqual({ freed: 4, savedAgain: true });
    const again = await openFixture(context, server.page);
    const retried = await again.evaluate(([k, d, c, r]) => window.rel.verifyRecovery(k, d, c, r, 4), [key, directory, chunk, filled.saved] as const);
    expect(retried, 'the refused tag is saved by the next save(), once there is room').toEqual({
      refusedNowStored: true,
      afterQuota: true,
      poppedStillThere: 0,
      corrupted: 0,
    });
    const usage = await cdp.send('Storage.getUsageAndQuota', { origin: server.origin });
    figure('quota.fill', {
      quotaMiB,
      chunkKiB: chunk / 1024,
      savedBeforeRefusal: filled.saved,
      intact: verified.intact,
      damaged: verified.damaged,
      partialWrites: verified.extra.length,
      error: filled.error?.name ?? 'none',
      recovered: recovered.savedAgain ? 1 : 0,
      usageMiB: (usage.usage / 1024 / 1024).toFixed(1),
    });
  } finally {
    await context.close();
    profile.remove();
  }
});
