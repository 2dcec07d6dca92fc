// Many tabs: 4 pages of one browser write to the same vault at once, for many rounds: each its own
// new tag every round, an own tag overwritten, one shared tag, an own metatag and a shared one,
// a tag saved then popped; with save() and saveTag() in turn. Afterwards: no write of a
// different tag is lost, the shared tag holds one of the values written to it, every metatag is
// listed, and every page's cache converges to what is stored (they hear of each other's writes),
// including a fifth page that opens the vault while the others are writing.
import { expect, test } from '@playwright/test';
import { figure, keyHex, launchChromium, openFixture, scale, sleep } from './fixtures/harness';
import type { TabResult, VaultView } from './fixtures/reliability';
import { useFixtureServer } from './fixtures/server';

test.skip(({ browserName }) => browserName !== 'chromium', 'launches its own Chromium');
test.describe.configure({ timeout: scale(240_000, 1_800_000) });

const server = useFixtureServer();

test('4 pages writing one vault concurrently: nothing lost, one shared value, every page converges', async () => {
  const PAGES = 4;
  const rounds = scale(50, 300);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const pages = await Promise.all(Array.from({ length: PAGES }, () => openFixture(context, server.page)));
    const late = await openFixture(context, server.page);
    const key = keyHex();
    const directory = `tabs-${Date.now()}`;
    await Promise.all(pages.map((page, i) => page.evaluate(([k, d, p]) => window.rel.tabOpen(k, d, p), [key, directory, i] as const)));
    const started = Date.now();
    const writing: Promise<TabResult[]> = Promise.all(pages.map((page) => page.evaluate((r) => window.rel.tabRounds(r), rounds)));
    // A fifth page opens the vault in the middle of the writes, and only listens.
    await sleep(300);
    await late.evaluate(([k, d]) => window.rel.tabJoin(k, d), [key, directory] as const);
    const results = await writing;
    const writeMs = Date.now() - started;
    expect(results.flatMap((r) => r.errors)).toEqual([]);

    const names = ['shared-meta', ...Array.from({ length: PAGES }, (_, i) => `page-${i}`)];
    const reader = await openFixture(context, server.page);
    const stored: VaultView = await reader.evaluate(([k, d, n]) => window.rel.storedView(k, d, n), [key, directory, names] as const);
    const tags = new Map(stored.tags);

    // No write of a different tag lost: every page's own tags hold what it wrote last.
    let ownWrites = 0;
    let lost = 0;
    const lostTags: string[] = [];
    for (const r of results) {
      for (const [tag, value] of Object.entries(r.own)) {
        ownWrites++;
        if (JSON.stringify(tags.get(tag)) !== JSON.stringify(value)) {
          lost++;
          lostTags.push(`${tag}: stored ${JSON.stringify(tags.get(tag))}, written ${JSON.stringify(value)}`);
        }
      }
    }
    expect(lostTags).toEqual([]);
    // Popped tags are gone; nothing else is there.
    const expectedTags = new Set(['shared', ...results.flatMap((r) => Object.keys(r.own))]);
    expect([...tags.keys()].filter((t) => !expectedTags.has(t))).toEqual([]);
    // The shared tag ends at one of the values written to it.
    const written = results.flatMap((r) => r.shared.map((v) => JSON.stringify(v)));
    expect(written).toContain(JSON.stringify(tags.get('shared')));
    // Metatags created concurrently are all listed, and hold every write.
    expect(stored.metatags).toEqual([...names].sort());
    for (let i = 0; i < PAGES; i++) {
      expect(stored.children[`page-${i}`]).toEqual(Array.from({ length: rounds }, (_, r) => [`r${r}`, r]).sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)));
    }
    expect(stored.children['shared-meta']).toEqual(Array.from({ length: PAGES }, (_, i) => [`p${i}`, rounds - 1]));

    // Every page converges to the stored state (its root, its own metatag, the shared metatag).
    const all = [...pages, late];
    const own = (i: number) => (i < PAGES ? [`page-${i}`] : []);
    const deadline = Date.now() + 15_000;
    let views: VaultView[] = [];
    let converged = 0;
    for (;;) {
      views = await Promise.all(all.map((page, i) => page.evaluate((n) => window.rel.cachedView(n), ['shared-meta', ...own(i)])));
      converged = views.filter((v, i) => {
        const names = ['shared-meta', ...own(i)];
        return (
          JSON.stringify([v.tags, v.metatags, names.map((n) => v.children[n])]) ===
          JSON.stringify([stored.tags, stored.metatags, names.map((n) => stored.children[n])])
        );
      }).length;
      if (converged === all.length || Date.now() > deadline) break;
      await sleep(250);
    }
    const events = await Promise.all(all.map((page) => page.evaluate(() => window.rel.tabEvents())));
    figure('tabs.concurrent', {
      pages: PAGES,
      rounds,
      ownWrites,
      lost,
      sharedWrites: written.length,
      sharedEndsAtAWrittenValue: written.includes(JSON.stringify(tags.get('shared'))) ? 1 : 0,
      converged: `${converged}/${all.length}`,
      changeEvents: events.join('+'),
      writeMs,
    });
    for (const [i, v] of views.entries()) {
      expect.soft(v.tags, `page ${i} root tags converge`).toEqual(stored.tags);
      expect.soft(v.metatags, `page ${i} metatags converge`).toEqual(stored.metatags);
      expect.soft(v.children['shared-meta'], `page ${i} shared metatag converges`).toEqual(stored.children['shared-meta']);
    }
    expect(converged).toBe(all.length);
    for (const e of events) expect(e, 'every page heard of the others').toBeGreaterThan(0);
  } finally {
    await browser.close();
  }
});
