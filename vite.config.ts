import { playwright } from '@vitest/browser-playwright';
import { type Plugin, transformWithOxc } from 'vite';
import type { BrowserInstanceOption } from 'vitest/node';
import { defineConfig } from 'vitest/config';
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
  return ENGINES.filter((engine) =>
    engine === 'chromium' ? true : engine === 'firefox' ? !!findFirefox() : !!process.env.WEBKIT_WEBDRIVER_PORT,
  );
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

const testEngines = engines();

// One config serves the demo page (`npm run demo`, `npm run build:demo`) and the browser tests.
export default defineConfig({
  // Each engine set optimises its dependencies in its own cache: the browser providers add
  // different plugins, and one shared cache would be re-optimised on every switch between
  // `--project` choices (and under a concurrent run with other engines).
  ...(process.env.VITEST ? { cacheDir: `node_modules/.vite/${testEngines.join('+') || 'none'}` } : {}),
  worker: { format: 'es' },
  plugins: [readmeSnippets(), lowerVirtualModules()],
  oxc: { target: TARGET },
  optimizeDeps: { include: ['idb', 'comlink', 'hash-wasm', '@noble/hashes/sha3.js', 'fast-check'] },
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
