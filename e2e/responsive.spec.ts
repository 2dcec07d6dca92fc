import { expect, load, screenshot, submitProfile, test } from './demo';

test('while a 64 MiB profile KDF runs, the page still answers a click', async ({ page }, testInfo) => {
  await load(page);
  // 64 MiB, the library's default memory, with 20 passes rather than 3: the KDF then runs for a
  // few seconds, long enough for a click driven over WebDriver BiDi to land while it runs.
  await submitProfile(page, { username: 'busy-bee', password: 'a long and careful password', kb: 65536, cpu: 20 });
  const busy = page.locator('#busy');
  await expect(busy).toBeVisible();
  await expect(page.locator('#busy-label')).toContainText('64 MiB, 20 passes');
  // The click is answered by main-thread JavaScript while Argon2id runs in the worker.
  await page.getByRole('button', { name: 'Click me while it works' }).click();
  await expect(page.locator('#ping-count')).toHaveText('1');
  await expect(busy).toBeVisible();
  await screenshot(page, testInfo, 'kdf-running');
  await expect(page.locator('#session-text')).toContainText('profile “busy-bee”', { timeout: 60_000 });
  const message = page.locator('#open-message');
  await expect(message).toContainText('answered 1 click');
  const frames = Number((await message.textContent())?.match(/drew (\d+) frames/)?.[1]);
  console.log(`[${testInfo.project.name}] ${await message.textContent()}`);
  expect(frames).toBeGreaterThan(2);
});
