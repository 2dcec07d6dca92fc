// Finds the browsers the tests drive. Playwright cannot download its own browsers on a closed
// network, so we look, in order: an explicit path from the environment, a browser Playwright
// installed, then the Debian package.
import { existsSync } from 'node:fs';
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

export const CHROMIUM_MISSING =
  'No Chromium found: install one with `apt-get install -y chromium` (Debian), or set CHROMIUM_PATH to a Chromium/Chrome executable.';
export const FIREFOX_MISSING =
  'No Firefox found: install one with `apt-get install -y firefox-esr` (Debian), or set FIREFOX_PATH to a Firefox executable.';
