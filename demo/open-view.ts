// The "Open" view: a vault by a new key, a pasted key, or a profile (by its password, by a
// recovery code, or by a passkey).
import {
  AuthenticationError,
  Database,
  Keys,
  PasskeyCancelledError,
  PasskeyUnsupportedError,
  ProfileNotFoundError,
  type ProfileTokens,
  ValidationError,
} from '../src/index';
import { busy, describeStats } from './busy';
import { byId, copyText, say, withDisabled } from './dom';
import { errorText, fromHex, kib, ms, toHex } from './format';
import { DIRECTORY, session } from './state';
import { showTab } from './tabs';

const message = (): HTMLElement => byId('open-message');

function tell(text: string, kind: 'ok' | 'error' | 'info'): void {
  const el = message();
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  say(el, text, kind);
}

/** Asks before an open would drop unsaved changes of the current vault. */
function mayReplaceSession(): boolean {
  const n = session.unsavedCount;
  return n === 0 || confirm(`The open vault has ${n} unsaved change${n === 1 ? '' : 's'}. Discard them and open another vault?`);
}

/**
 * Whether a just-opened vault holds anything. tagvault cannot tell a wrong key from a new one (a
 * wrong key is the key of another, empty vault), so an empty vault is all the page can report.
 */
function isEmpty(db: Database): boolean {
  return db.size === 0 && db.metatags.length === 0;
}

/** The credentials, user name and salt of the profile form: what names a profile. */
function profileName(): { credentials: string[]; username: string; salt: string } {
  const credentials = byId<HTMLTextAreaElement>('profile-credentials')
    .value.split('\n')
    .map((c) => c.trim())
    .filter(Boolean);
  return { credentials, username: byId<HTMLInputElement>('profile-username').value, salt: byId<HTMLInputElement>('profile-salt').value };
}

/** Tokens of the profile form's name and `password`. */
/** Tokens of the profile form's credentials, user name and salt; without a password to open by a recovery code. */
function profileTokens(password?: string): Promise<ProfileTokens> {
  const { credentials, username, salt } = profileName();
  return Database.generateProfileTokens(...credentials, { username, ...(password !== undefined ? { password } : {}), ...(salt ? { salt } : {}) });
}

export function initOpenView(): void {
  for (const el of document.querySelectorAll('#directory-name, .directory-name')) el.textContent = DIRECTORY;

  // 1. A new key, shown once.
  let newKey: Uint8Array<ArrayBuffer> | undefined;
  const newKeyBox = byId('new-key-box');
  const newKeyField = byId<HTMLTextAreaElement>('new-key');
  byId('generate-key').addEventListener('click', () => {
    newKey = Keys.csprng();
    newKeyField.value = toHex(newKey);
    newKeyBox.hidden = false;
    tell('', 'info');
    newKeyField.focus();
    newKeyField.select();
  });
  byId('copy-new-key').addEventListener('click', async () => {
    const copied = await copyText(newKeyField.value, newKeyField);
    tell(copied ? 'Key copied to the clipboard.' : 'The browser refused the clipboard: the key is selected, copy it with Ctrl+C.', 'info');
  });
  byId<HTMLFormElement>('form-new').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!newKey || !mayReplaceSession()) return;
    await withDisabled(byId<HTMLButtonElement>('open-new'), async () => {
      try {
        // Database.open takes ownership of nothing: pass a copy, and forget ours once open.
        const db = await Database.open(newKey!.slice(), { directory: DIRECTORY });
        newKey!.fill(0);
        newKey = undefined;
        newKeyField.value = '';
        newKeyBox.hidden = true;
        await session.open(db, { kind: 'key' });
        tell('A new, empty vault is open. Its key is no longer shown: keep your copy. Add tags, then save.', 'ok');
        showTab('explore');
      } catch (error) {
        tell(errorText(error), 'error');
      }
    });
  });

  // 2. A pasted key.
  const pasteField = byId<HTMLTextAreaElement>('paste-key');
  byId<HTMLFormElement>('form-key').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = pasteField.value.replace(/\s+/g, '');
    const bytes = fromHex(text);
    if (bytes?.length !== 64) {
      pasteField.setAttribute('aria-invalid', 'true');
      tell(`A key is 128 hex characters (64 bytes); this is ${text.length} characters${bytes ? '' : ' and not all hex'}. Nothing was opened.`, 'error');
      return;
    }
    pasteField.removeAttribute('aria-invalid');
    if (!mayReplaceSession()) return;
    await withDisabled(byId<HTMLButtonElement>('open-key'), async () => {
      try {
        const db = await Database.open(bytes, { directory: DIRECTORY });
        pasteField.value = '';
        await session.open(db, { kind: 'key' });
        if (!isEmpty(db)) {
          tell(`Opened vault ${db.vaultId.slice(0, 12)}…: ${db.size} tags, ${db.metatags.length} metatags.`, 'ok');
        } else {
          tell(
            `Opened vault ${db.vaultId.slice(0, 12)}…, which is empty: it has no saved tags or metatags in “${DIRECTORY}”. Either it is new, or the key is wrong: a wrong key opens a different, empty vault. Nothing was changed.`,
            'info',
          );
        }
        showTab('explore');
      } catch (error) {
        tell(errorText(error), 'error');
      }
    });
  });

  // 3. A password profile.
  byId<HTMLFormElement>('form-profile').addEventListener('submit', async (event) => {
    event.preventDefault();
    const { username } = profileName();
    const passwordField = byId<HTMLInputElement>('profile-password');
    const password = passwordField.value;
    const kb = Number(byId<HTMLSelectElement>('profile-kb').value);
    const cpu = Number(byId<HTMLInputElement>('profile-cpu').value);
    const create = byId<HTMLInputElement>('profile-create').checked;
    // The settings marked "demo only" are below tagvault's floor for stored keys (19 MiB, 2
    // passes): the demo may go there to be quick to try, and says so; an application never should.
    const demoOnly = kb < 19456 || cpu < 2;
    if (!username || !password) {
      tell('Enter a user name and a password.', 'error');
      (username ? passwordField : byId('profile-username')).focus();
      return;
    }
    if (!mayReplaceSession()) return;
    await withDisabled(byId<HTMLButtonElement>('open-profile'), async () => {
      try {
        const tokens = await profileTokens(password);
        const exists = await Database.profileExists(tokens, { directory: DIRECTORY });
        if (!exists && !create) throw new ProfileNotFoundError('no profile for these credentials, user name and salt');
        const label = exists ? 'Argon2id in the worker (the profile’s stored cost)…' : `Argon2id in the worker (${kib(kb)}, ${cpu} passes)…`;
        const { value: db, stats } = await busy(label, () =>
          exists
            ? Database.loadProfile(tokens, { directory: DIRECTORY })
            : Database.generateProfile(tokens, { directory: DIRECTORY, kb, cpu, unsafeLowCostsForTests: demoOnly }),
        );
        passwordField.value = '';
        await session.open(db, { kind: 'profile', tokens, username });
        const what = exists ? `Unlocked the profile of “${username}”` : `Created the profile of “${username}” (${kib(kb)}, ${cpu} passes)`;
        tell(`${what} in ${ms(stats.elapsed)}: ${db.size} tags, ${db.metatags.length} metatags. ${describeStats(stats)}`, 'ok');
        showTab('explore');
      } catch (error) {
        if (error instanceof AuthenticationError) {
          tell(`Wrong password: this profile exists and the password does not unlock it (AuthenticationError). Nothing was changed.`, 'error');
          passwordField.focus();
        } else if (error instanceof ProfileNotFoundError) {
          tell(`No such profile in “${DIRECTORY}” (ProfileNotFoundError): check the credentials, user name and salt, or tick “Create”.`, 'error');
        } else {
          tell(errorText(error), 'error');
        }
      }
    });
  });

  // 3b. A profile by a recovery code: the profile form's credentials, user name and salt name it.
  const codeField = byId<HTMLInputElement>('profile-recovery');
  // The field sits in the password form: Enter there opens by the code, not by the password.
  codeField.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    byId('open-recovery').click();
  });
  byId('open-recovery').addEventListener('click', async () => {
    const { username } = profileName();
    const recoveryCode = codeField.value;
    if (!username || !recoveryCode.trim()) {
      tell('Enter the profile’s user name (and its credentials and salt, if it has them) and a recovery code.', 'error');
      (username ? codeField : byId('profile-username')).focus();
      return;
    }
    if (!mayReplaceSession()) return;
    await withDisabled(byId<HTMLButtonElement>('open-recovery'), async () => {
      try {
        // Tokens without a password: a recovery code opens the profile on its own.
        const tokens = await profileTokens();
        const db = await Database.loadProfile(tokens, { directory: DIRECTORY, recoveryCode });
        codeField.value = '';
        codeField.removeAttribute('aria-invalid');
        await session.open(db, { kind: 'recovery', tokens, username });
        tell(`Opened the profile of “${username}” by its recovery code: ${db.size} tags, ${db.metatags.length} metatags.`, 'ok');
        showTab('explore');
      } catch (error) {
        if (error instanceof ValidationError && error.argument === 'options.recoveryCode') {
          codeField.setAttribute('aria-invalid', 'true');
          codeField.focus();
          tell(`${errorText(error)} — a mistyped code is caught by its checksum before any work. Nothing was tried.`, 'error');
        } else if (error instanceof AuthenticationError) {
          tell(`${errorText(error)} — this recovery code opens no slot of the profile of “${username}”. Nothing was changed.`, 'error');
        } else if (error instanceof ProfileNotFoundError) {
          tell(`${errorText(error)} — no such profile in “${DIRECTORY}”: check the credentials, user name and salt.`, 'error');
        } else {
          tell(errorText(error), 'error');
        }
      }
    });
  });

  // 4. A profile by a passkey: the passkey's user handle names its profile, no tokens needed.
  byId('open-passkey').addEventListener('click', async () => {
    if (!mayReplaceSession()) return;
    await withDisabled(byId<HTMLButtonElement>('open-passkey'), async () => {
      try {
        const db = await Database.unlockWithPasskey({ directory: DIRECTORY });
        await session.open(db, { kind: 'passkey' });
        tell(`Unlocked a profile with its passkey: ${db.size} tags, ${db.metatags.length} metatags.`, 'ok');
        showTab('explore');
      } catch (error) {
        if (error instanceof AuthenticationError) {
          tell(
            `${errorText(error)} — this passkey opens no slot of its profile: its key slot was removed (or altered). Open the profile another way; you may delete the passkey from its authenticator.`,
            'error',
          );
        } else if (error instanceof ProfileNotFoundError) {
          tell(`${errorText(error)} — the passkey’s profile is not in “${DIRECTORY}” (deleted, or made in another directory).`, 'error');
        } else if (error instanceof PasskeyCancelledError) {
          tell(`${errorText(error)}. Nothing was opened.`, 'error');
        } else if (error instanceof PasskeyUnsupportedError) {
          tell(`${errorText(error)}. Open the profile by its password or a recovery code.`, 'error');
        } else {
          tell(errorText(error), 'error');
        }
      }
    });
  });
}
