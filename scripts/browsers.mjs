// Finds the browsers the tests drive. Playwright cannot download its own browsers on a closed
// network, so we look, in order: an explicit path from the environment, a browser Playwright
// installed, then the Debian package.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright';

/** Flags Chromium needs as root on a machine with a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function playwrightChromium() {
  try {
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** @returns {string | undefined} the Chromium executable to use, or undefined when none is found. */
export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return playwrightChromium() ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
}

export const CHROMIUM_MISSING =
  'No Chromium found: install one with `apt-get install -y chromium` (Debian), or set CHROMIUM_PATH to a Chromium/Chrome executable.';
