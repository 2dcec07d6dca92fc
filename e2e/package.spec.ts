// The published package, as a consumer gets it: `npm run build` (dist/ + types), then a fresh app
// that imports 'tagvault' and is built by Vite with no configuration. The engine's worker must be
// found and bundled by the consumer's bundler, and the app must work from its static build.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview, type PreviewServer } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

let app: string;
let server: PreviewServer;
let url: string;

test.describe.configure({ mode: 'serial', timeout: 180_000 });

test.beforeAll(async () => {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  app = mkdtempSync(join(tmpdir(), 'tagvault-consumer-'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(ROOT, join(app, 'node_modules', 'tagvault'), 'dir');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><title>consumer</title><script type="module" src="./main.js"></script>');
  writeFileSync(
    join(app, 'main.js'),
    `import { Database, Keys, AuthenticationError } from 'tagvault';
const key = Keys.csprng();
const db = await Database.open(key, { directory: 'consumer' });
db.set('hello', { world: true });
await db.save();
const again = await Database.open(key, { directory: 'consumer' });
const ct = await again.jsonEncrypt('x', { filename: 'f' });
const wrong = await again.jsonDecrypt(ct, { filename: 'g' }).catch((e) => e instanceof AuthenticationError);
window.result = {
  value: again.get('hello'),
  wrong,
  workers: performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('worker')),
};`,
  );
  await build({ root: app, logLevel: 'silent', configFile: false });
  server = await preview({ root: app, configFile: false, logLevel: 'silent', preview: { host: '127.0.0.1', port: 0 } });
  url = server.resolvedUrls!.local[0]!;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()));
  if (app) rmSync(app, { recursive: true, force: true });
});

test('the built package works in a consumer app bundled by Vite, worker included', async ({ page }) => {
  expect(existsSync(join(ROOT, 'dist', 'tagvault.d.ts'))).toBe(true);
  const assets = readdirSync(join(app, 'dist', 'assets'));
  expect(assets.some((f) => /worker.*\.js$/.test(f))).toBe(true);
  await page.goto(url);
  await page.waitForFunction(() => (window as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
  const result = await page.evaluate(() => (window as unknown as { result: { value: unknown; wrong: boolean; workers: string[] } }).result);
  expect(result.value).toEqual({ world: true });
  expect(result.wrong).toBe(true);
  expect(result.workers.length).toBeGreaterThan(0);
});
