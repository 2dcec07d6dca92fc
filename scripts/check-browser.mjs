// Fails fast with one clear line when no browser is available for the browser tests.
import { CHROMIUM_MISSING, findChromium } from './browsers.mjs';

if (!findChromium()) {
  console.error(CHROMIUM_MISSING);
  process.exit(1);
}
