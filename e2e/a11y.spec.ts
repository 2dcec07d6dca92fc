import type { Page } from '@playwright/test';
import { addMetatag, addTag, expect, load, openNewVault, save, screenshot, select, tab, test } from './demo';

/** Form controls without an accessible name (label, aria-label or aria-labelledby). */
function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>('input, select, textarea')]
      .filter((el) => el.type !== 'hidden' && el.labels?.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML),
  );
}

test('every control is labelled, and the tabs and the tree work from the keyboard', async ({ page }) => {
  await load(page);
  expect(await unlabelled(page)).toEqual([]);

  // Tabs: arrow keys move between them (WAI-ARIA tabs pattern).
  await page.getByRole('tab', { name: 'Open' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Explore' })).toBeFocused();
  await expect(page.getByRole('tab', { name: 'Explore' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: 'Backup' })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Home');
  await expect(page.getByRole('tab', { name: 'Open' })).toHaveAttribute('aria-selected', 'true');

  // A vault built with the keyboard only: Enter on buttons, typing in fields.
  await page.getByRole('button', { name: 'Generate a new key' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Open the new vault' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('tab', { name: 'Explore' })).toHaveAttribute('aria-selected', 'true');
  await page.locator('#detail').getByLabel('Tag name', { exact: true }).focus();
  await page.keyboard.type('typed');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('{"by": "keyboard"}');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Add tag' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#detail h3')).toContainText('typed');
  expect(await unlabelled(page)).toEqual([]);

  // The tree: nodes are buttons; Enter selects, and focus stays on the node across the redraw.
  await page.locator('#tree [data-root]').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#tree [data-root]')).toHaveAttribute('aria-current', 'true');
  await expect(page.locator('#tree [data-root]')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.locator('#tree [data-tag="typed"]')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#tree [data-tag="typed"]')).toHaveAttribute('aria-current', 'true');
  await expect(page.locator('#tag-json')).toHaveValue(/"by": "keyboard"/);
});

test('every view is readable at phone width, without sideways scrolling', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await load(page);
  const overflow = (): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await screenshot(page, testInfo, 'phone-open');

  await openNewVault(page);
  await addTag(page, 'a-rather-long-tag-name-for-a-small-screen', '{"note": "wraps instead of overflowing", "list": [1, 2, 3]}');
  await select(page, []);
  await addMetatag(page, 'nested');
  await addTag(page, 'inner', '"value"');
  await save(page);
  await select(page, ['#a-rather-long-tag-name-for-a-small-screen']);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await screenshot(page, testInfo, 'phone-explore');

  for (const [name, shot] of [
    ['Under the hood', 'phone-under-the-hood'],
    ['Crypto playground', 'phone-playground'],
    ['Key slots', 'phone-key-slots'],
    ['Key rotation', 'phone-key-rotation'],
    ['Backup', 'phone-backup'],
  ] as const) {
    await tab(page, name);
    if (name === 'Under the hood') await expect(page.locator('#plaintext-check')).toBeVisible();
    if (name === 'Backup') await expect(page.locator('#storage-status')).not.toHaveText('Checking…');
    expect(await overflow(), name).toBeLessThanOrEqual(0);
    await screenshot(page, testInfo, shot);
  }
});
