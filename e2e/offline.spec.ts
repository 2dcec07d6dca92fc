import { addTag, editorValue, expect, load, openByKey, openNewVault, openProfile, save, screenshot, select, test } from './demo';
import { serveBuiltDemo, type StaticServer } from './static-server';

// The webServer of playwright.config.ts builds dist-demo/; this test serves that build itself, so
// it can shut the server down: offline is then real for the page and its service worker alike.
let server: StaticServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('after the first visit the demo works offline: page, worker, wasm and IndexedDB', async ({ page, context }, testInfo) => {
  server = await serveBuiltDemo();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(server.url);
  // The service worker has precached the page and its assets, and controls the page.
  await expect(page.locator('html')).toHaveAttribute('data-offline-ready', 'true', { timeout: 30_000 });
  await expect(page.locator('#offline-status')).toContainText('ready');

  await server.stop();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Vault explorer');
  await expect(page.locator('#net-status')).toHaveText('Offline');
  // What is not cached is out of reach: the service worker answers 503 when its fetch fails.
  expect(await page.evaluate(() => fetch(`/not-cached-${Math.random()}`).then((r) => r.status, () => 'rejected'))).toBe(503);

  // The engine's worker chunk comes from the cache: keys, XAES-256-GCM and IndexedDB work.
  const key = await openNewVault(page);
  await addTag(page, 'offline-note', '{"written": "without a network"}');
  await save(page);
  // Argon2id (hash-wasm's wasm, inlined in the worker chunk) works too.
  await openProfile(page, { username: 'offline-user', password: 'no network needed', kb: 1024, cpu: 1 });
  await screenshot(page, testInfo, 'offline');

  await page.reload();
  await openByKey(page, key);
  await select(page, ['#offline-note']);
  expect(await editorValue(page)).toEqual({ written: 'without a network' });
  await context.setOffline(false);
});

test("the built demo precaches the page, its chunks and the engine's worker chunk", async ({ page }) => {
  await load(page);
  await expect(page.locator('html')).toHaveAttribute('data-offline-ready', 'true', { timeout: 30_000 });
  const cached = await page.evaluate(async () => (await (await caches.open('tagvault-demo')).keys()).map((r) => new URL(r.url).pathname));
  expect(cached).toContain('/');
  expect(cached.some((p) => /^\/assets\/engine\.worker-[\w-]+\.js$/.test(p))).toBe(true);
  expect(cached.some((p) => /^\/assets\/index-[\w-]+\.js$/.test(p))).toBe(true);
  expect(cached.some((p) => /^\/assets\/index-[\w-]+\.css$/.test(p))).toBe(true);
});
