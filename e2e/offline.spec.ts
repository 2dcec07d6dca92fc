import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { addTag, editorValue, expect, load, openByKey, openNewVault, openProfile, save, screenshot, select, test } from './demo';
import { DEMO_URL } from './demo-url';
import { BUILT_DEMO, buildDemo, type DemoBuild, type StaticServer, serveBuiltDemo } from './static-server';

// The demo as a PWA (vite-plugin-pwa: a web app manifest and Workbox's service worker, see
// vite.config.ts). The webServer of playwright.config.ts builds dist-demo/; the offline and update
// tests serve builds themselves, so they can shut the server down (offline is then real for the
// page and its service worker alike) or switch it to another build at the same origin.
let server: StaticServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The URLs (relative to the site) dist-demo/sw.js precaches, read from the built worker. */
function precacheList(dir = BUILT_DEMO): string[] {
  const sw = readFileSync(`${dir}/sw.js`, 'utf8');
  return [...sw.matchAll(/\{url:"([^"]+)",revision:(?:"[0-9a-f]+"|null)\}/g)].map((m) => m[1]!);
}

/** Every file in the page's Cache Storage (Workbox's precache: no other cache), sorted. */
function cachedFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      // Workbox keys files without a hash in their name by `?__WB_REVISION__=…`: the path is the file.
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname.slice(1));
    }
    return urls.sort();
  });
}

/** Waits until the page works offline: Workbox has precached the build, and the worker controls the page. */
async function offlineReady(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-offline-ready', 'true', { timeout: 30_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

test('the web app manifest is linked, parses, and names the app, its colours and icons that load', async ({ page }) => {
  await load(page);
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const found = await page.evaluate(async (href) => {
    const url = new URL(href, location.href).href;
    const response = await fetch(url);
    return { url, status: response.status, type: response.headers.get('content-type'), manifest: await response.json() };
  }, href!);
  expect(found.status).toBe(200);
  expect(found.type).toMatch(/^application\/(manifest\+)?json/);
  const manifest = found.manifest as Record<string, unknown> & { icons: { src: string; sizes: string; type: string; purpose?: string }[] };
  expect(manifest).toMatchObject({
    name: expect.stringContaining('Vault explorer'),
    short_name: expect.any(String),
    description: expect.any(String),
    start_url: './',
    scope: './',
    display: 'standalone',
    theme_color: '#1d4ed8',
    background_color: '#f6f7f9',
  });
  expect(manifest.icons.map((icon) => `${icon.sizes}${icon.purpose ? ` ${icon.purpose}` : ''}`).sort()).toEqual(
    ['192x192', '512x512', '512x512 maskable', '64x64'].sort(),
  );
  // Every icon, and the page's own icon links: 200, an image type, and a picture of the stated size.
  const appleHref = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
  const icons = [
    ...manifest.icons.map((icon) => ({ url: new URL(icon.src, found.url).href, sizes: icon.sizes })),
    { url: new URL(appleHref!, page.url()).href, sizes: '180x180' },
  ];
  for (const icon of icons) {
    const loaded = await page.evaluate(async (url) => {
      const response = await fetch(url);
      const bitmap = await createImageBitmap(await response.blob());
      return { status: response.status, type: response.headers.get('content-type'), sizes: `${bitmap.width}x${bitmap.height}` };
    }, icon.url);
    expect(loaded, icon.url).toEqual({ status: 200, type: expect.stringMatching(/^image\//), sizes: icon.sizes });
  }
});

test('Chromium finds the demo installable: no installability errors once the service worker is ready', async ({ browserName }, testInfo) => {
  test.skip(browserName !== 'chromium', "Page.getInstallabilityErrors is Chromium's DevTools protocol");
  // Playwright's own contexts are off the record, where Chromium installs nothing ("in-incognito"):
  // a browser on a real (temporary) profile, launched as the project launches its own.
  const profile = await mkdtemp(join(tmpdir(), 'tagvault-install-profile-'));
  const context = await chromium.launchPersistentContext(profile, { ...testInfo.project.use.launchOptions, headless: true });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(DEMO_URL);
    await offlineReady(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    // What Chromium read from the manifest, to be sure it is ours.
    const { url, data } = await cdp.send('Page.getAppManifest');
    expect(url).toBe(new URL('manifest.webmanifest', DEMO_URL).href);
    expect(JSON.parse(data!)).toMatchObject({ short_name: 'Vault explorer', display: 'standalone' });
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});

test("the service worker controls the page and precaches the build's manifest: page, chunks, the engine's worker", async ({ page }) => {
  await load(page);
  await offlineReady(page);
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);

  // What Workbox cached is exactly what the built dist-demo/sw.js lists.
  const list = precacheList();
  expect(list).toContain('index.html');
  expect(list).toContain('manifest.webmanifest');
  expect(list.filter((url) => /^assets\/engine\.worker-[\w-]+\.js$/.test(url))).toHaveLength(1);
  expect(list.filter((url) => /^assets\/index-[\w-]+\.(js|css)$/.test(url))).toHaveLength(2);
  expect(await cachedFiles(page)).toEqual([...list].sort());
  await expect(page.locator('#offline-status')).toHaveText(`Offline copy: ready (${list.length} files precached by the service worker)`);
});

test('after the first visit the demo works offline: page, worker, wasm and IndexedDB', async ({ page, context }, testInfo) => {
  server = await serveBuiltDemo();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(server.url);
  await offlineReady(page);
  await expect(page.locator('#offline-status')).toContainText('ready');

  await server.stop();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Vault explorer');
  await expect(page.locator('#net-status')).toHaveText('Offline');
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // What is not precached is out of reach: Workbox does not answer it, and the network is gone.
  expect(
    await page.evaluate(() =>
      fetch(`/not-cached-${Math.random()}`).then(
        (r) => r.status,
        () => 'rejected',
      ),
    ),
  ).toBe('rejected');

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

test.describe('a new deployment', () => {
  let next: DemoBuild | undefined;
  test.beforeAll(async () => {
    next = await buildDemo('e2e-update');
  });
  test.afterAll(async () => {
    await next?.remove();
  });

  test('is offered by a banner, and Reload runs it', async ({ page }, testInfo) => {
    server = await serveBuiltDemo();
    await page.goto(server.url);
    await offlineReady(page);
    const first = await page.locator('#demo-version').textContent();
    expect(first).toMatch(/^\d+\.\d+\.\d+/);
    await expect(page.locator('#update-banner')).toBeEmpty();

    // The new build: other chunks, another precache list, so another sw.js. The next visit (from
    // the precache, still the old build) finds it; it installs and waits for the page.
    server.serve(next!.dir);
    await page.reload();
    const banner = page.getByRole('status').filter({ hasText: 'A new version is available.' });
    await expect(banner).toBeVisible({ timeout: 30_000 });
    await expect(page.locator('#demo-version')).toHaveText(first!);
    await screenshot(page, testInfo, 'update-banner');

    // Unsaved changes: Reload asks first, once (no second, generic beforeunload prompt after it).
    await openNewVault(page);
    await addTag(page, 'unsaved', '1');
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void (dialogs.length === 1 ? dialog.dismiss() : dialog.accept());
    });
    const reload = banner.getByRole('button', { name: 'Reload' });
    await reload.click();
    await expect.poll(() => dialogs).toEqual(['confirm: Reload the new version and lose 1 unsaved change?']);
    await expect(page.locator('#demo-version')).toHaveText(first!);
    await expect(reload).toBeEnabled();

    await reload.click();
    await expect(page.locator('#demo-version')).toHaveText(`${first}+e2e-update`);
    expect(dialogs).toEqual(Array(2).fill('confirm: Reload the new version and lose 1 unsaved change?'));
    await expect(page.locator('#update-banner')).toBeEmpty();
    await offlineReady(page);
    // Only the new build is precached now (Workbox keeps one cache, its entries replaced).
    await expect.poll(() => cachedFiles(page)).toEqual(precacheList(next!.dir).sort());
  });
});
