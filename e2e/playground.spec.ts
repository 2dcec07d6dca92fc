import { expect, fillNumber, load, openNewVault, screenshot, tab, test } from './demo';

test('the playground round-trips, binds filenames, shows ttl expiry, HMACs, UUIDs and passcrypt', async ({ page }, testInfo) => {
  await load(page);
  await openNewVault(page);
  await tab(page, 'Crypto playground');
  const card = page.locator('#form-encrypt');
  const result = page.locator('#enc-result');

  // JSON round trip.
  await card.getByLabel('Plaintext', { exact: true }).fill('{"grocery": ["carrots", "rice"], "n": 2}');
  await card.getByLabel('Filename (binds the ciphertext to this name)').fill('grocery list');
  await card.getByRole('button', { name: 'Encrypt' }).click();
  await expect(card.getByLabel('Ciphertext (url-safe base64)')).toHaveValue(/^[A-Za-z0-9_-]{60,}$/);
  await card.getByLabel('Decrypt with filename').fill('grocery list');
  await card.getByRole('button', { name: 'Decrypt' }).click();
  await expect(result).toHaveText('Decrypted JSON: {"grocery":["carrots","rice"],"n":2}');

  // Another filename: refused.
  await card.getByLabel('Decrypt with filename').fill('another list');
  await card.getByRole('button', { name: 'Decrypt' }).click();
  await expect(result).toContainText('AuthenticationError');

  // ttl: a ciphertext over 2 s old, checked against a ttl of 1 s.
  await card.getByLabel('Decrypt with filename').fill('grocery list');
  await page.waitForTimeout(2200);
  await fillNumber(card.getByLabel('ttl, seconds (optional)'), '1');
  await card.getByRole('button', { name: 'Decrypt' }).click();
  await expect(result).toContainText('TimeoutError');
  await expect(result).toContainText(/expired by [1-9]\d* s \(error\.value = [1-9]\d*\)/);
  await fillNumber(card.getByLabel('ttl, seconds (optional)'), '600');
  await card.getByRole('button', { name: 'Decrypt' }).click();
  await expect(result).toContainText('Decrypted JSON');

  // Text as UTF-8 bytes.
  await card.getByLabel(/text as UTF-8 bytes/).check();
  await card.getByLabel('Plaintext', { exact: true }).fill('Grüße, 世界 🌍');
  await card.getByRole('button', { name: 'Encrypt' }).click();
  await expect(card.getByLabel('Ciphertext (url-safe base64)')).not.toHaveValue('');
  await fillNumber(card.getByLabel('ttl, seconds (optional)'), '');
  await card.getByRole('button', { name: 'Decrypt' }).click();
  await expect(result).toHaveText('Decrypted text: Grüße, 世界 🌍');

  // HMAC and verification.
  const hmac = page.locator('#form-hmac');
  await hmac.getByLabel('Data (JSON; key order matters)').fill('{"amount": 100, "to": "Alice"}');
  await hmac.getByRole('button', { name: 'Compute hmac' }).click();
  await expect(hmac.getByLabel('HMAC (64 hex characters)')).toHaveValue(/^[0-9a-f]{64}$/);
  await hmac.getByRole('button', { name: 'Verify with testHmac' }).click();
  await expect(page.locator('#hmac-result')).toContainText('Valid');
  await hmac.getByLabel('Data (JSON; key order matters)').fill('{"amount": 1000, "to": "Alice"}');
  await hmac.getByRole('button', { name: 'Verify with testHmac' }).click();
  await expect(page.locator('#hmac-result')).toContainText('InvalidHmacError');

  // UUIDs: a random salt, then the same salt again gives the same UUIDs.
  const uuids = page.locator('#form-uuids');
  await uuids.getByRole('button', { name: 'Make UUIDs' }).click();
  const first = await page.locator('#uuid-result td.mono').allTextContents();
  expect(first).toHaveLength(2);
  for (const u of first) expect(u).toMatch(/^[0-9a-f]{24}$/);
  const salt = await page.locator('#uuid-salt-out').textContent();
  expect(salt).toMatch(/^[0-9a-f]{64}$/);
  await page.getByRole('button', { name: 'Use this salt again' }).click();
  await expect(uuids.getByLabel(/^Salt/)).toHaveValue(salt!);
  await uuids.getByRole('button', { name: 'Make UUIDs' }).click();
  await expect(page.locator('#uuid-salt-out')).toHaveText(salt!);
  expect(await page.locator('#uuid-result td.mono').allTextContents()).toEqual(first);

  // Passcrypt with small settings, timed.
  const pc = page.locator('#form-passcrypt');
  await pc.getByLabel('Memory').selectOption('1024');
  await fillNumber(pc.getByLabel('Passes'), '2');
  await pc.getByRole('button', { name: 'Hash' }).click();
  await expect(page.locator('#pc-hash')).toHaveText(/^[0-9a-f]{128}$/);
  await expect(page.locator('#pc-result')).toContainText(/Argon2id with 1 MiB and 2 passes took \d/);

  await screenshot(page, testInfo, 'playground');
});
