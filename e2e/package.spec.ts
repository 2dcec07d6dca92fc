// The published package, as a consumer gets it: `npm run build`, `npm pack`, and the tarball as
// node_modules/tagvault of fresh apps (e2e/consumer/: `import { Database, Keys } from 'tagvault'`)
// built with no configuration for tagvault by two bundlers, Vite and webpack 5. Each must find
// the engine's worker (`new Worker(new URL("./engine.worker.js", import.meta.url), …)` in
// dist/tagvault.js) and emit it as a worker of its own, and the app must work from its static build.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { build, type PreviewServer, preview } from 'vite';
import webpack from 'webpack';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONSUMER = fileURLToPath(new URL('consumer/', import.meta.url));

const BUNDLERS = {
  vite: {
    bundle: async (dir: string) => {
      await build({ root: dir, logLevel: 'silent', configFile: false });
    },
    // Vite's worker plugin, with its hash.
    worker: /^assets\/engine\.worker-[\w-]+\.js$/,
  },
  webpack: {
    bundle: bundleWithWebpack,
    // A chunk named after the Worker's `name` option: webpack bundled it as a worker entry (an
    // unrecognised `new URL` would be a plain asset, named by its hash alone).
    worker: /^tagvault-engine\.[0-9a-f]+\.js$/,
  },
} as const;
type Bundler = keyof typeof BUNDLERS;

let work: string | undefined;
const apps = new Map<Bundler, { out: string; server: PreviewServer; url: string }>();

test.describe.configure({ mode: 'serial', timeout: 180_000 });

/** webpack 5's production build, its defaults otherwise; dist/index.html loads dist/main.js. */
async function bundleWithWebpack(dir: string): Promise<void> {
  const compiler = webpack({
    mode: 'production',
    context: dir,
    entry: './main.js',
    output: { path: join(dir, 'dist'), filename: 'main.js', chunkFilename: '[name].[contenthash:8].js' },
    devtool: false,
    performance: { hints: false },
  });
  const stats = await new Promise<webpack.Stats>((resolve, reject) => compiler.run((error, s) => (error || !s ? reject(error) : resolve(s))));
  await new Promise<void>((resolve) => compiler.close(() => resolve()));
  if (stats.hasErrors() || stats.hasWarnings()) throw new Error(stats.toString('errors-warnings'));
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><meta charset="utf-8"><title>consumer</title><script src="./main.js"></script>');
}

/** Every file under dir, as a relative path with forward slashes. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

test.beforeAll(async () => {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  work = mkdtempSync(join(tmpdir(), 'tagvault-consumer-'));
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' })) as [
    { filename: string },
  ];
  execFileSync('tar', ['-xzf', join(work, filename), '-C', work]); // → work/package
  for (const [name, bundler] of Object.entries(BUNDLERS) as [Bundler, (typeof BUNDLERS)[Bundler]][]) {
    const dir = join(work, name);
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(join(work, 'package'), join(dir, 'node_modules', 'tagvault'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }));
    for (const file of ['main.js', 'index.html']) copyFileSync(join(CONSUMER, file), join(dir, file));
    await bundler.bundle(dir);
    const server = await preview({ root: dir, configFile: false, logLevel: 'silent', preview: { host: '127.0.0.1', port: 0 } });
    apps.set(name, { out: join(dir, 'dist'), server, url: server.resolvedUrls!.local[0]! });
  }
});

test.afterAll(async () => {
  for (const { server } of apps.values()) await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  apps.clear();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the packed package holds the code, the source maps and one .d.ts', () => {
  const shipped = filesUnder(join(work!, 'package'));
  expect(shipped).toEqual(expect.arrayContaining(['package.json', 'dist/tagvault.js', 'dist/engine.worker.js', 'dist/tagvault.d.ts']));
  expect(shipped.filter((f) => f.endsWith('.ts'))).toEqual(['dist/tagvault.d.ts']);
  expect(existsSync(join(ROOT, 'dist', 'tagvault.d.ts'))).toBe(true);
});

for (const name of Object.keys(BUNDLERS) as Bundler[]) {
  test(`the packed package works in a consumer app bundled by ${name}, worker included`, async ({ page }) => {
    const app = apps.get(name)!;
    // Which workers the page starts, by path.
    await page.addInitScript(() => {
      const started: string[] = [];
      (window as unknown as { workers: string[] }).workers = started;
      const NativeWorker = window.Worker;
      window.Worker = class extends NativeWorker {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          started.push(new URL(url, location.href).pathname);
        }
      };
    });
    await page.goto(app.url);
    await page.waitForFunction(() => (window as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
    const { result, workers } = await page.evaluate(() => {
      const w = window as unknown as { result: { value: unknown; wrong: boolean }; workers: string[] };
      return { result: w.result, workers: w.workers };
    });
    expect(result.value).toEqual({ world: true });
    expect(result.wrong).toBe(true);
    // One worker, the engine, from a file the bundler emitted for it.
    expect(workers).toHaveLength(1);
    const file = workers[0]!.replace(/^\//, '');
    expect(file).toMatch(BUNDLERS[name].worker);
    expect(filesUnder(app.out)).toContain(file);
  });
}
