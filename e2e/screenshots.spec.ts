// The README's screenshots of the demo, desktop and phone width, taken from a real session on
// Chromium. Every e2e run takes them (into e2e/output/); `npm run screenshots` writes them over
// the committed ones in docs/screenshots/, so they are regenerated, never drawn by hand.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addSampleTags, expect, load, openNewVault, save, select, test } from './demo';

const COMMITTED = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const OUTPUT = fileURLToPath(new URL('./output/', import.meta.url));
const dir = process.env.UPDATE_SCREENSHOTS ? COMMITTED : OUTPUT;

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 860 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
];

test.beforeEach(({ browserName }) => test.skip(browserName !== 'chromium', 'the README shows Chromium'));

for (const { name, viewport } of SIZES) {
  test(`the demo at ${name} width, for the README`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await load(page);
    await openNewVault(page);
    await addSampleTags(page);
    await save(page);
    await select(page, ['clients', '#brittany']);
    await expect(page.locator('#session-text')).toContainText('Vault ');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: `${dir}demo-${name}.png`, fullPage: false });
  });
}
