import { addMetatag, addTag, expect, load, openNewVault, save, screenshot, select, tab, test } from './demo';

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');

test('the raw view shows ciphertexts beside the decrypted values, and no plaintext', async ({ page }, testInfo) => {
  await load(page);
  await openNewVault(page);
  const secrets = {
    tag: 'launch-codes',
    value: 'ZEBRA-FALCON-7731',
    metatag: 'operations',
    inner: 'rendezvous',
    innerValue: 'the old mill at noon',
  };
  await addTag(page, secrets.tag, JSON.stringify({ primary: secrets.value }));
  await select(page, []);
  await addMetatag(page, secrets.metatag);
  await addTag(page, secrets.inner, JSON.stringify(secrets.innerValue));
  await save(page);

  await tab(page, 'Under the hood');
  const stored = page.locator('#raw-body .stored');
  await expect(page.locator('#plaintext-check')).toContainText('none occurs in the stored bytes');
  // Root: its header (it has a metatag), one tag record and one name block; the metatag: a tag record and a name block.
  await expect(page.locator('#raw-body .raw-vault')).toHaveCount(2);
  await expect(page.locator('#raw-body .raw-vault').first().locator('.record')).toHaveCount(3);
  await expect(page.locator('#raw-body .raw-vault').nth(1).locator('.record')).toHaveCount(2);
  await expect(stored.locator('.record .env').first()).toContainText('format v1');
  await expect(stored.locator('.hexdump').first()).toHaveText(/^0000 {2}01 /);

  // The decrypted side has the plaintext; the stored side (keys, sizes, hex and ASCII dumps) has none.
  const decrypted = (await page.locator('#raw-body .decrypted').allTextContents()).join('\n');
  for (const s of [secrets.tag, secrets.value, secrets.inner, secrets.innerValue]) expect(decrypted).toContain(s);
  const raw = (await stored.allTextContents()).join('\n');
  expect(raw.length).toBeGreaterThan(500);
  for (const s of Object.values(secrets)) {
    expect(raw).not.toContain(s);
    expect(raw.replace(/\s+/g, '')).not.toContain(hex(s));
  }

  await page.locator('#raw-body .bytes summary').first().click();
  await screenshot(page, testInfo, 'under-the-hood');
});
