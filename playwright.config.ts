// End-to-end tests in real browsers: Debian's Chromium and Firefox ESR (over WebDriver BiDi).
// Playwright cannot download browsers on a closed network, so scripts/browsers.mjs finds them.
// A missing browser fails the run on CI (process.env.CI) and skips its project elsewhere.

import { type AddressInfo, createServer } from 'node:net';
import { defineConfig, type Project } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_MISSING, FIREFOX_MISSING, findChromium, findFirefox } from './scripts/browsers.mjs';

/** A port nobody listens on now, so two runs on one machine do not fight over the demo's server. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Chosen once, in the runner process; its test workers inherit the environment (e2e/demo-url.ts).
process.env.TAGVAULT_DEMO_PORT ??= String(await freePort());
const { DEMO_HOST, DEMO_PORT, DEMO_URL } = await import('./e2e/demo-url');

function browserProject(name: string, executablePath: string | undefined, missing: string, make: (path: string) => Project): Project[] {
  if (executablePath) return [make(executablePath)];
  if (process.env.CI) {
    console.error(missing);
    process.exit(1);
  }
  // The config is loaded again in each worker process: warn once.
  const flag = `TAGVAULT_E2E_WARNED_${name.toUpperCase()}`;
  if (!process.env[flag]) console.warn(`[e2e] skipping the ${name} project: ${missing}`);
  process.env[flag] = '1';
  return [];
}

export default defineConfig({
  testDir: 'e2e',
  // Every spec under e2e/, including other suites' (which may start their own servers).
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  // Two shared cores: one test at a time keeps Argon2id timings and the KDF/click test honest.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]] : 'list',
  use: {
    viewport: { width: 1280, height: 860 },
    // Traces only on CI: a local run sharing test-results/ with another run could lose its files.
    trace: process.env.CI ? 'retain-on-failure' : 'off',
    screenshot: 'only-on-failure',
    serviceWorkers: 'allow',
  },
  projects: [
    ...browserProject('chromium', findChromium(), CHROMIUM_MISSING, (executablePath) => ({
      name: 'chromium',
      use: { browserName: 'chromium', launchOptions: { executablePath, args: CHROMIUM_ARGS } },
    })),
    ...browserProject('firefox', findFirefox(), FIREFOX_MISSING, (executablePath) => ({
      name: 'firefox',
      use: { browserName: 'firefox', launchOptions: { channel: 'moz-firefox', executablePath } },
    })),
  ],
  // The built demo (service worker included), built fresh for every run.
  webServer: {
    command: `npm run build:demo && npx vite preview --host ${DEMO_HOST} --port ${DEMO_PORT} --strictPort`,
    url: DEMO_URL,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
