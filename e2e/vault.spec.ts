import {
  addMetatag,
  addSampleTags,
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

test('a vault with tags and a nested metatag is found again by its key after a reload', async ({ page }, testInfo) => {
  await load(page);
  await screenshot(page, testInfo, 'open');
  const key = await openNewVault(page);

  await addSampleTags(page);
  await select(page, ['clients']);
  await addMetatag(page, 'vip');
  await addTag(page, 'note', '"pays in gold"');

  // Unsaved changes are marked, in the tree and on the Save button.
  await expect(page.locator('#tree .unsaved')).toHaveCount(6);
  await expect(page.locator('#save')).toHaveText('Save (6)');
  await save(page);
  await expect(page.locator('#tree .unsaved')).toHaveCount(0);
  await select(page, ['clients', '#brittany']);
  await screenshot(page, testInfo, 'explore');

  await page.reload();
  await expect(page.locator('#session-text')).toHaveText('No vault open.');
  await openByKey(page, key);
  await expect(page.locator('#open-message')).toContainText('2 tags, 1 metatags');
  await select(page, ['#lawyer']);
  expect(await editorValue(page)).toEqual({ '#': '555-555-1000', $: 13000.5 });
  await select(page, ['#safehouses']);
  expect(await editorValue(page)).toEqual(['Dublin Forgery', 'NY Insurrection']);
  await select(page, ['clients', '#brittany']);
  expect(await editorValue(page)).toEqual({ email: 'brittany@email.com', since: 2019 });
  await select(page, ['clients', 'vip', '#note']);
  expect(await editorValue(page)).toBe('pays in gold');
});

test('a profile vault reopens after a reload; a wrong password is refused and changes nothing', async ({ page }) => {
  await load(page);
  const profile = { username: 'alice', password: 'correct horse', credentials: 'example.com\nalice@example.com', kb: 1024, cpu: 1 };
  await openProfile(page, profile);
  await expect(page.locator('#open-message')).toContainText('Created the profile of “alice” (1 MiB, 1 passes)');
  await select(page, []);
  await addTag(page, 'diary', '{"monday": "wrote tests"}');
  await select(page, []);
  await addMetatag(page, 'work');
  await addTag(page, 'todo', '["ship the demo"]');
  await save(page);

  await page.reload();
  await submitProfile(page, { ...profile, password: 'wrong horse', create: false });
  const message = page.locator('#open-message');
  await expect(message).toContainText('Wrong password');
  await expect(message).toContainText('AuthenticationError');
  await expect(message).toHaveAttribute('role', 'alert');
  await expect(page.locator('#session-text')).toHaveText('No vault open.');

  await openProfile(page, { ...profile, create: false });
  await expect(message).toContainText('Unlocked the profile of “alice”');
  await select(page, ['#diary']);
  expect(await editorValue(page)).toEqual({ monday: 'wrote tests' });
  await select(page, ['work', '#todo']);
  expect(await editorValue(page)).toEqual(['ship the demo']);

  // An unknown user is not created when "Create" is unticked.
  await submitProfile(page, { ...profile, username: 'mallory', create: false });
  await expect(message).toContainText('ProfileNotFoundError');
});

test('the editor refuses invalid JSON and values db.set refuses, and changes nothing', async ({ page }) => {
  await load(page);
  await openNewVault(page);
  await addTag(page, 'counter', '1');
  await save(page);
  const editor = page.locator('#tag-json');
  const message = page.locator('#detail .message');

  await editor.fill('{"unclosed": ');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(message).toContainText('Invalid JSON');
  await expect(editor).toHaveAttribute('aria-invalid', 'true');

  await editor.fill('1e999'); // JSON.parse gives Infinity, which JSON cannot store
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(message).toContainText('ValidationError');
  await expect(message).toContainText('Infinity');
  await expect(page.locator('#save')).toBeDisabled();

  await editor.fill('2');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('#tree [data-tag="counter"] .unsaved')).toBeVisible();
  await page.getByRole('button', { name: 'Save this tag now' }).click();
  await expect(page.locator('#tree [data-tag="counter"] .unsaved')).toHaveCount(0);
  expect(await editorValue(page)).toBe(2);
});

test('a wrong key opens a different, empty vault, and the page says so', async ({ page }) => {
  await load(page);
  await openNewVault(page);
  await addTag(page, 'secret', '"kept"');
  await save(page);
  await openByKey(page, 'ab'.repeat(64));
  await expect(page.locator('#open-message')).toContainText('which is empty');
  await expect(page.locator('#open-message')).toContainText('wrong key');
  await tab(page, 'Explore');
  await expect(page.locator('#tree [data-tag]')).toHaveCount(0);

  await tab(page, 'Open');
  await page.locator('#panel-open').getByLabel('Key (128 hex characters)', { exact: true }).fill('not a key');
  await page.getByRole('button', { name: 'Open with this key' }).click();
  await expect(page.locator('#open-message')).toContainText('A key is 128 hex characters');
});

test('tags and metatags can be deleted', async ({ page }) => {
  await load(page);
  const key = await openNewVault(page);
  await addTag(page, 'keep', '1');
  await select(page, []);
  await addTag(page, 'drop', '2');
  await select(page, []);
  await addMetatag(page, 'gone');
  await addTag(page, 'inside', '3');
  await save(page);

  await select(page, ['#drop']);
  await page.getByRole('button', { name: 'Delete tag' }).click();
  await expect(page.locator('#tree [data-tag="drop"]')).toHaveCount(0);
  await select(page, ['gone']);
  await page.getByRole('button', { name: 'Delete this metatag' }).click();
  await expect(page.locator('#tree [data-metatag="gone"]')).toHaveCount(0);

  await page.reload();
  await openByKey(page, key);
  await tab(page, 'Explore');
  await expect(page.locator('#tree [data-tag]')).toHaveCount(1);
  await expect(page.locator('#tree [data-tag="keep"]')).toBeVisible();
  await expect(page.locator('#tree [data-metatag]')).toHaveCount(0);
});
