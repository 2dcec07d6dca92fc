// The demo's "Key slots" tab and the Open view's other ways into a profile: a second password
// and a recovery code (every engine), and the passkey flow on Chromium, whose DevTools protocol
// gives the page a virtual authenticator (the browser's own WebAuthn, with the PRF extension).
import type { Page } from '@playwright/test';
import {
  addTag,
  editorValue,
  expect,
  fillNumber,
  load,
  openNewVault,
  openProfile,
  type ProfileInput,
  save,
  screenshot,
  select,
  submitProfile,
  tab,
  test,
} from './demo';
import { DEMO_LOCALHOST_URL } from './demo-url';

/** A recovery code as the demo shows it: 8 groups of 4 characters of Crockford's base32. */
const RECOVERY_CODE = /^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/;

const slots = (page: Page) => page.locator('#slot-list li');

/** Chooses the way in that authorises the next change of the slots, and types its secret. */
async function unlockWith(page: Page, unlock: { password: string } | { recoveryCode: string } | { passkey: true }): Promise<void> {
  const form = page.locator('#form-unlock');
  if ('password' in unlock) {
    await form.getByLabel('a password of this profile').check();
    await form.getByLabel('Current password').fill(unlock.password);
  } else if ('recoveryCode' in unlock) {
    await form.getByLabel('a recovery code').check();
    await form.getByLabel('Recovery code', { exact: true }).fill(unlock.recoveryCode);
  } else {
    await form.getByLabel('my passkey').check();
  }
}

/** Creates a recovery code (authorised by `unlock`) and returns it as shown once. */
async function createRecoveryCode(page: Page, unlock: Parameters<typeof unlockWith>[1]): Promise<string> {
  await unlockWith(page, unlock);
  await page.getByRole('button', { name: 'Create a recovery code' }).click();
  await expect(page.locator('#add-result')).toContainText('Created a recovery code');
  const field = page.locator('#form-add-slot').getByLabel('Your recovery code');
  await expect(field).toHaveValue(RECOVERY_CODE);
  return field.inputValue();
}

/**
 * Fills the profile form's name (credentials, user name) and opens the profile by a recovery code,
 * with its button or, `enter`, by Enter in the code's field.
 */
async function submitRecoveryCode(page: Page, p: Pick<ProfileInput, 'username' | 'credentials'>, code: string, enter = false): Promise<void> {
  await tab(page, 'Open');
  const form = page.locator('#form-profile');
  await form.getByLabel('Credentials (one per line, optional)').fill(p.credentials ?? 'example.com');
  await form.getByLabel('User name').fill(p.username);
  await form.getByLabel('Recovery code').fill(code);
  if (enter) await form.getByLabel('Recovery code').press('Enter');
  else await form.getByRole('button', { name: 'Open with recovery code' }).click();
}

test('a second password and a recovery code open a profile; the last slot stays', async ({ page }, testInfo) => {
  await load(page);
  const profile = { username: 'dave', password: 'first password', kb: 1024, cpu: 1 };
  await openProfile(page, profile);
  await select(page, []);
  await addTag(page, 'plans', '["spring", "summer"]');
  await save(page);

  await tab(page, 'Key slots');
  await expect(slots(page)).toHaveCount(1);
  await expect(slots(page).first()).toContainText('Password');

  // The last slot cannot be removed: the library refuses before any work.
  await unlockWith(page, { password: profile.password });
  await page.getByRole('button', { name: 'Remove password “Password”' }).click();
  await expect(page.locator('#slots-result')).toContainText('ValidationError: "id" is the last key slot of this profile');

  // A wrong unlock changes nothing.
  await unlockWith(page, { password: 'not the password' });
  await page.getByRole('button', { name: 'Create a recovery code' }).click();
  await expect(page.locator('#add-result')).toContainText('AuthenticationError');
  await expect(page.locator('#add-result')).toContainText('Nothing was changed');
  await expect(page.locator('#recovery-box')).toBeHidden();
  await expect(slots(page)).toHaveCount(1);

  // A second password, at the demo's low costs, authorised by the first.
  await unlockWith(page, { password: profile.password });
  const add = page.locator('#form-add-slot');
  await add.getByLabel('Label of the new slot').fill('Second password');
  await add.getByLabel('Password to add').fill('second password');
  await add.getByLabel('Memory').selectOption('1024');
  await fillNumber(add.getByLabel('Passes'), '1');
  await page.getByRole('button', { name: 'Add a password' }).click();
  await expect(page.locator('#add-result')).toContainText('Added the password “Second password”');
  await expect(slots(page)).toHaveCount(2);

  // A recovery code, authorised by the second password; then the first password goes, by the code.
  const code = await createRecoveryCode(page, { password: 'second password' });
  await expect(slots(page)).toHaveCount(3);
  // The list, the code and the forms fit a phone's width, without sideways scrolling.
  await page.setViewportSize({ width: 375, height: 740 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  await screenshot(page, testInfo, 'phone-key-slots-profile');
  await page.setViewportSize({ width: 1280, height: 860 });
  await unlockWith(page, { recoveryCode: code });
  await page.getByRole('button', { name: 'Remove password “Password”' }).click();
  await expect(page.locator('#slots-result')).toContainText('Removed the password slot “Password”');
  await expect(slots(page)).toHaveCount(2);
  await expect(page.locator('#slot-list')).toContainText('Second password');
  await expect(page.locator('#slot-list')).toContainText('Recovery code');

  await page.reload();
  await submitProfile(page, { ...profile, create: false });
  await expect(page.locator('#open-message')).toContainText('Wrong password');
  await openProfile(page, { ...profile, password: 'second password', create: false });
  await select(page, ['#plans']);
  expect(await editorValue(page)).toEqual(['spring', 'summer']);

  await page.reload();
  // A mistyped code is caught by its checksum, before any work.
  const typo = `${code[0] === 'A' ? 'B' : 'A'}${code.slice(1)}`;
  await submitRecoveryCode(page, profile, typo);
  await expect(page.locator('#open-message')).toContainText('ValidationError: "options.recoveryCode"');
  // Codes are read forgivingly (any case); Enter in the field opens by the code, not the password.
  await submitRecoveryCode(page, profile, code.toLowerCase(), true);
  await expect(page.locator('#session-text')).toContainText('(by recovery code of profile “dave”)');
  await select(page, ['#plans']);
  expect(await editorValue(page)).toEqual(['spring', 'summer']);

  // A vault opened by key has no slots.
  await openNewVault(page);
  await tab(page, 'Key slots');
  await expect(page.locator('#keyslots-na')).toContainText('key slots belong to profiles');
  await expect(page.locator('#keyslots')).toBeHidden();
});

test.describe('passkeys', () => {
  // WebAuthn refuses an IP address as the relying party: this spec uses the server by name.
  test.use({ baseURL: DEMO_LOCALHOST_URL });

  test('a passkey opens its profile until its slot is removed; the recovery code still does', async ({ page, browserName }, testInfo) => {
    test.skip(
      browserName !== 'chromium',
      'a virtual authenticator is reached through the Chrome DevTools protocol only: none is reachable over WebDriver BiDi in Firefox here',
    );
    // The browser's own WebAuthn with a virtual platform authenticator: discoverable credentials,
    // user verification on, the PRF extension, and a user who always says yes.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        ctap2Version: 'ctap2_1',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        hasPrf: true,
        automaticPresenceSimulation: true,
      },
    });

    await load(page);
    const profile = { username: 'carol', password: 'correct horse battery staple', kb: 1024, cpu: 1 };
    await openProfile(page, profile);
    await select(page, []);
    await addTag(page, 'diary', '{"day": 1, "mood": "sunny"}');
    await save(page);

    // A passkey, authorised by the password: the authenticator now holds one credential.
    await tab(page, 'Key slots');
    await unlockWith(page, { password: profile.password });
    await page.locator('#form-add-slot').getByLabel('Label of the new slot').fill('Virtual authenticator');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(page.locator('#add-result')).toContainText('Added the passkey “Virtual authenticator” for localhost');
    await expect(slots(page)).toHaveCount(2);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);

    const code = await createRecoveryCode(page, { password: profile.password });
    await expect(slots(page)).toHaveCount(3);
    await screenshot(page, testInfo, 'key-slots');

    // After a reload the page knows nothing: the passkey alone finds and opens the profile.
    await page.reload();
    await tab(page, 'Open');
    await page.getByRole('button', { name: 'Unlock with passkey' }).click();
    await expect(page.locator('#session-text')).toContainText('(by passkey of a profile)');
    await select(page, ['#diary']);
    expect(await editorValue(page)).toEqual({ day: 1, mood: 'sunny' });

    // The passkey authorises a change too: a second recovery code.
    await tab(page, 'Key slots');
    await expect(slots(page)).toHaveCount(3);
    const second = await createRecoveryCode(page, { passkey: true });
    expect(second).not.toBe(code);
    await expect(slots(page)).toHaveCount(4);

    // The passkey's slot goes, authorised by the first recovery code.
    await unlockWith(page, { recoveryCode: code });
    await page.getByRole('button', { name: 'Remove passkey “Virtual authenticator”' }).click();
    await expect(page.locator('#slots-result')).toContainText('Removed the passkey slot “Virtual authenticator”');
    await expect(page.locator('#slots-result')).toContainText('stays on its authenticator');
    await expect(slots(page)).toHaveCount(3);
    await expect(page.locator('#slot-list')).not.toContainText('Passkey');

    // The credential is still on the authenticator, and answers: it opens nothing now.
    await tab(page, 'Open');
    await page.getByRole('button', { name: 'Unlock with passkey' }).click();
    const message = page.locator('#open-message');
    await expect(message).toContainText('AuthenticationError');
    await expect(message).toContainText('its key slot was removed');
    await expect(message).toHaveAttribute('role', 'alert');

    // The recovery code still opens it.
    await submitRecoveryCode(page, profile, code);
    await expect(page.locator('#session-text')).toContainText('(by recovery code of profile “carol”)');
    await select(page, ['#diary']);
    expect(await editorValue(page)).toEqual({ day: 1, mood: 'sunny' });
  });
});
