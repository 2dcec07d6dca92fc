import {
  addMetatag,
  addTag,
  editorValue,
  expect,
  load,
  openByKey,
  openNewVault,
  openProfile,
  save,
  screenshot,
  select,
  submitProfile,
  tab,
  test,
} from './demo';

test('mirroring into a new key copies the vault; the new key opens it after a reload', async ({ page }, testInfo) => {
  await load(page);
  const oldKey = await openNewVault(page);
  await addTag(page, 'ledger', '{"balance": 42}');
  await select(page, []);
  await addMetatag(page, 'archive');
  await addTag(page, '2024', '["jan", "feb"]');
  await save(page);

  await tab(page, 'Key rotation');
  await page.getByRole('button', { name: 'Mirror into a new key' }).click();
  await expect(page.locator('#mirror-summary')).toContainText('Copied 2 tags and 1 metatag');
  const newKey = await page.locator('#mirror-key').inputValue();
  expect(newKey).toMatch(/^[0-9a-f]{128}$/);
  expect(newKey).not.toBe(oldKey);
  await screenshot(page, testInfo, 'key-rotation');
  await page.getByRole('button', { name: 'Delete the old vault and switch' }).click();
  await expect(page.locator('#mirror-result')).toContainText('The old vault was deleted');
  await expect(page.locator('#mirror-key')).toHaveValue('');

  await page.reload();
  await openByKey(page, newKey);
  await select(page, ['#ledger']);
  expect(await editorValue(page)).toEqual({ balance: 42 });
  await select(page, ['archive', '#2024']);
  expect(await editorValue(page)).toEqual(['jan', 'feb']);

  await openByKey(page, oldKey);
  await expect(page.locator('#open-message')).toContainText('which is empty');
});

test("a profile's password can be changed; only the new one opens it", async ({ page }) => {
  await load(page);
  const profile = { username: 'bob', password: 'old password', kb: 1024, cpu: 1 };
  await openProfile(page, profile);
  await select(page, []);
  await addTag(page, 'pin', '"0000"');
  await save(page);

  await tab(page, 'Key rotation');
  await page.getByLabel('New password', { exact: true }).fill('new password');
  await page.getByLabel('New password again').fill('new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#password-result')).toContainText('Password of “bob” changed');

  await page.reload();
  await submitProfile(page, { ...profile, create: false });
  await expect(page.locator('#open-message')).toContainText('Wrong password');
  await openProfile(page, { ...profile, password: 'new password', create: false });
  await select(page, ['#pin']);
  expect(await editorValue(page)).toBe('0000');
});
