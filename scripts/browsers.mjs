// Finds the browsers the tests drive. Playwright cannot download its own browsers on a closed
// network, so we look, in order: an explicit path from the environment, a browser Playwright
// installed, then the Debian package.
import { existsSync } from 'node:fs';
import { arch } from 'node:process';
import { chromium, firefox } from 'playwright';

/** Flags Chromium needs as root on a machine with a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function installed(browserType) {
  try {
    const path = browserType.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function first(envName, browserType, debianPath) {
  const fromEnv = process.env[envName];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return installed(browserType) ?? (existsSync(debianPath) ? debianPath : undefined);
}

function firstPath(envName, candidates) {
  const fromEnv = process.env[envName];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return candidates.find((path) => existsSync(path));
}

/** @returns {string | undefined} the Chromium executable to use, or undefined when none is found. */
export function findChromium() {
  return first('CHROMIUM_PATH', chromium, '/usr/bin/chromium');
}

/**
 * @returns {string | undefined} the Firefox executable (Debian's firefox-esr, driven over
 * WebDriver BiDi with `channel: 'moz-firefox'`), or undefined when none is found.
 */
export function findFirefox() {
  return first('FIREFOX_PATH', firefox, '/usr/bin/firefox-esr');
}

// Debian's multiarch directory: x86_64-linux-gnu, aarch64-linux-gnu, …
const MULTIARCH =
  {
    x64: 'x86_64-linux-gnu',
    arm64: 'aarch64-linux-gnu',
    arm: 'arm-linux-gnueabihf',
    ppc64: 'powerpc64le-linux-gnu',
    s390x: 's390x-linux-gnu',
    riscv64: 'riscv64-linux-gnu',
  }[arch] ?? `${arch}-linux-gnu`;

/**
 * WebKit is WebKitGTK's MiniBrowser (Debian `webkit2gtk-driver` pulls it in), driven by
 * `WebKitWebDriver` over classic WebDriver. MiniBrowser has no headless mode: it needs a display
 * (`xvfb-run`, see {@link findXvfbRun}).
 * @returns {{ driver: string, miniBrowser: string } | undefined} the two executables, or
 * undefined when either is missing.
 */
export function findWebKit() {
  const driver = firstPath('WEBKIT_WEBDRIVER_PATH', ['/usr/bin/WebKitWebDriver', '/usr/local/bin/WebKitWebDriver']);
  const miniBrowser = firstPath(
    'MINIBROWSER_PATH',
    ['webkit2gtk-4.1', 'webkitgtk-6.0', 'webkit2gtk-4.0'].map((dir) => `/usr/lib/${MULTIARCH}/${dir}/MiniBrowser`),
  );
  return driver && miniBrowser ? { driver, miniBrowser } : undefined;
}

/** @returns {string | undefined} `xvfb-run`, which gives MiniBrowser a virtual display. */
export function findXvfbRun() {
  return firstPath('XVFB_RUN_PATH', ['/usr/bin/xvfb-run', '/usr/local/bin/xvfb-run']);
}

export const CHROMIUM_MISSING =
  'No Chromium found: install one with `apt-get install -y chromium` (Debian), or set CHROMIUM_PATH to a Chromium/Chrome executable.';
export const FIREFOX_MISSING = 'No Firefox found: install one with `apt-get install -y firefox-esr` (Debian), or set FIREFOX_PATH to a Firefox executable.';
export const WEBKIT_MISSING =
  "No WebKit found: install WebKitGTK's MiniBrowser and WebDriver with `apt-get install -y webkit2gtk-driver` (Debian), or set WEBKIT_WEBDRIVER_PATH and MINIBROWSER_PATH.";
export const XVFB_MISSING =
  'No display for WebKit (MiniBrowser has no headless mode): install `apt-get install -y xvfb xauth` (Debian), or run with DISPLAY set.';
