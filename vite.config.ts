import { readFileSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { type Plugin, type PluginOption, transformWithOxc } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';
import type { BrowserInstanceOption } from 'vitest/node';
import { CHROMIUM_ARGS, findChromium, findFirefox, findWebKit } from './scripts/browsers.mjs';
import { readmeSnippets } from './scripts/readme-snippets.mjs';
import { webkitgtk } from './scripts/webkitgtk-provider.mjs';

// The browser suite runs on three engines, one vitest project each, named after the engine:
// chromium and firefox through Playwright (Firefox over WebDriver BiDi, Debian's firefox-esr),
// webkit through WebKitGTK's MiniBrowser and WebKitWebDriver. `npm test` (scripts/test-browsers.mjs)
// picks the engines, starts WebKitWebDriver and a virtual display, and sets TAGVAULT_ENGINES and
// WEBKIT_WEBDRIVER_PORT. Run straight (`npx vitest`), this config tests Chromium and, when
// found, Firefox; WebKit only when WEBKIT_WEBDRIVER_PORT names a running WebKitWebDriver.
const ENGINES = ['chromium', 'firefox', 'webkit'] as const;
type Engine = (typeof ENGINES)[number];

function engines(): Engine[] {
  const fromEnv = process.env.TAGVAULT_ENGINES;
  if (fromEnv) return ENGINES.filter((engine) => fromEnv.split(',').includes(engine));
  return ENGINES.filter((engine) => (engine === 'chromium' ? true : engine === 'firefox' ? !!findFirefox() : !!process.env.WEBKIT_WEBDRIVER_PORT));
}

function instance(engine: Engine): BrowserInstanceOption {
  switch (engine) {
    case 'chromium':
      return {
        browser: 'chromium',
        provider: playwright({ launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS } }),
      };
    case 'firefox':
      return {
        browser: 'firefox',
        // 'moz-firefox' drives a stock Firefox over WebDriver BiDi (no Playwright-patched build).
        provider: playwright({ launchOptions: { channel: 'moz-firefox', executablePath: findFirefox() } }),
      };
    case 'webkit': {
      const webkit = findWebKit();
      const port = Number(process.env.WEBKIT_WEBDRIVER_PORT);
      if (!webkit || !port) throw new Error('webkit needs WebKitWebDriver running: use `npm test -- --project webkit`.');
      return {
        browser: 'webkit',
        // MiniBrowser has no headless mode: it runs on the (virtual) display.
        headless: false,
        provider: webkitgtk({ miniBrowser: webkit.miniBrowser, port }),
      };
    }
  }
}

// Compile TypeScript (library, worker and tests) for the shipped build's target, so every engine
// runs what users get: `await using` in tests and README snippets is lowered for WebKitGTK, which
// has no Symbol.asyncDispose (the library's dispose key falls back to the same Symbol.for()).
const TARGET = 'es2022';

/** Vite's own transform skips virtual (`\0`) modules: lower them to the same target. */
function lowerVirtualModules(): Plugin {
  return {
    name: 'tagvault:lower-virtual-modules',
    enforce: 'post',
    async transform(code, id) {
      if (!id.startsWith('\0') || !/\.[cm]?[jt]s$/.test(id)) return undefined;
      const { code: lowered, map } = await transformWithOxc(code, id, { lang: 'js', target: TARGET });
      return { code: lowered, map };
    },
  };
}

/**
 * The built demo as an installable, offline PWA (vite-plugin-pwa): a web app manifest linked from
 * the page, and a Workbox service worker, dist-demo/sw.js (generateSW), whose precache list is
 * made from the files the build wrote, with their revisions: the page, its chunks, the engine's
 * worker chunk, any .wasm, the icons and the manifest. A new deployment's worker waits until the
 * page accepts it (registerType 'prompt': demo/offline.ts shows the banner). Off in the dev
 * server. The icons are made from public/logo.svg by `npm run icons` (pwa-assets.config.ts), and
 * committed.
 */
function demoPwa(): PluginOption {
  // Colours of demo/style.css: the accent (the logo's blue) and the light page background.
  const theme = '#1d4ed8';
  const background = '#f6f7f9';
  return VitePWA({
    strategies: 'generateSW',
    registerType: 'prompt',
    // demo/offline.ts registers the worker through virtual:pwa-register.
    injectRegister: false,
    manifest: {
      id: './',
      name: 'tagvault · Vault explorer',
      short_name: 'Vault explorer',
      description: "Open, explore and inspect tagvault's encrypted IndexedDB vaults, offline too.",
      start_url: './',
      scope: './',
      display: 'standalone',
      theme_color: theme,
      background_color: background,
      icons: [
        { src: 'pwa-64x64.png', sizes: '64x64', type: 'image/png' },
        { src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' },
        { src: 'pwa-512x512.png', sizes: '512x512', type: 'image/png' },
        { src: 'maskable-icon-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    // The icons are in the precache through globPatterns already: not twice.
    includeManifestIcons: false,
    workbox: {
      // The engine's worker chunk is one of assets/*.js; hash-wasm's Argon2 wasm is inlined in it
      // today, but a .wasm file of a later build is precached too.
      globPatterns: ['**/*.{html,js,css,wasm,svg,png,ico}'],
      // The first install takes the open page at once, so it is offline-ready without a reload.
      // Updates still wait for the page's Reload (no skipWaiting).
      clientsClaim: true,
      cleanupOutdatedCaches: true,
      // The API reference (TypeDoc, written into api/ after the build) is its own pages, online.
      navigateFallbackDenylist: [/\/api\//],
    },
    devOptions: { enabled: false },
  });
}

/**
 * The version the demo's footer shows: the package's, plus TAGVAULT_DEMO_BUILD when set, which
 * labels a build (the e2e update test builds a second, differently labelled demo).
 */
function demoVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
  return process.env.TAGVAULT_DEMO_BUILD ? `${version}+${process.env.TAGVAULT_DEMO_BUILD}` : version;
}

const testEngines = engines();

// One config serves the demo page (`npm run demo`, `npm run build:demo`) and the browser tests.
export default defineConfig({
  // Each engine set optimises its dependencies in its own cache: the browser providers add
  // different plugins, and one shared cache would be re-optimised on every switch between
  // `--project` choices (and under a concurrent run with other engines).
  ...(process.env.VITEST ? { cacheDir: `node_modules/.vite/${testEngines.join('+') || 'none'}` } : {}),
  worker: { format: 'es' },
  define: { __DEMO_VERSION__: JSON.stringify(demoVersion()) },
  // The browser tests (process.env.VITEST) have no use for the demo's service worker.
  plugins: [readmeSnippets(), lowerVirtualModules(), ...(process.env.VITEST ? [] : [demoPwa()])],
  oxc: { target: TARGET },
  // The demo's page is the dev server's only entry: the consumer apps under e2e/ import the packed
  // package, which is not installed here, and must not be crawled.
  optimizeDeps: { entries: ['index.html'], include: ['idb', 'comlink', 'hash-wasm', '@noble/hashes/sha3.js', 'fast-check'] },
  build: { outDir: 'dist-demo', target: 'es2022' },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      instances: testEngines.map(instance),
    },
  },
});
