import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, findChromium } from './scripts/browsers.mjs';

// One config serves the demo page (`npm run demo`, `npm run build:demo`) and the browser tests.
export default defineConfig({
  worker: { format: 'es' },
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
      provider: playwright({
        launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
