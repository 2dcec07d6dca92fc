// The "Key rotation" view: mirror the open vault into a new key (the seed's Mirrors), and change
// a password profile's password.
import { AuthenticationError, Database, Keys } from '../src/index';
import { busy, describeStats } from './busy';
import { byId, copyText, say, withDisabled } from './dom';
import { errorText, ms, plural, toHex } from './format';
import { DIRECTORY, session } from './state';
import { showTab } from './tabs';

/** Counts tags and metatags of a vault tree (loading the metatags). */
async function census(db: Database): Promise<{ tags: number; metatags: number }> {
  let tags = db.size;
  let metatags = db.metatags.length;
  for (const name of db.metatags) {
    const c = await census(await db.metatag(name));
    tags += c.tags;
    metatags += c.metatags;
  }
  return { tags, metatags };
}

function initMirror(): void {
  const out = byId('mirror-result');
  const box = byId('mirror-box');
  const keyField = byId<HTMLTextAreaElement>('mirror-key');
  let mirrored: { db: Database; old: Database } | undefined;

  const forget = (): void => {
    keyField.value = '';
    box.hidden = true;
  };

  byId<HTMLFormElement>('form-mirror').addEventListener('submit', async (event) => {
    event.preventDefault();
    const old = session.db;
    if (!old) return say(out, 'Open a vault first.', 'error');
    await withDisabled(byId<HTMLButtonElement>('mirror-go'), async () => {
      try {
        if (mirrored) await mirrored.db.close();
        mirrored = undefined;
        const key = Keys.csprng();
        const { value: db, stats } = await busy('Mirroring into a new key…', async () => {
          const db = await Database.open(key.slice(), { directory: DIRECTORY });
          await db.mirrorDatabase(old);
          await db.save();
          return db;
        });
        const c = await census(db);
        mirrored = { db, old };
        keyField.value = toHex(key);
        key.fill(0);
        say(
          byId('mirror-summary'),
          `Copied ${plural(c.tags, 'tag')} and ${plural(c.metatags, 'metatag')} into vault ${db.vaultId.slice(0, 12)}… and saved them under the new key in ${ms(stats.elapsed)}. The old vault is untouched until you delete it.`,
          'ok',
        );
        box.hidden = false;
        say(out, '');
        keyField.focus();
        keyField.select();
      } catch (error) {
        say(out, errorText(error), 'error');
      }
    });
  });

  byId('copy-mirror-key').addEventListener('click', async () => {
    const copied = await copyText(keyField.value, keyField);
    say(out, copied ? 'New key copied to the clipboard.' : 'The browser refused the clipboard: the key is selected, copy it with Ctrl+C.', 'info');
  });

  const switchTo = async (retire: boolean): Promise<void> => {
    if (!mirrored) return;
    const { db, old } = mirrored;
    if (session.db !== old) return say(out, 'The vault changed meanwhile: mirror again.', 'error');
    if (retire && !confirm('Delete every record of the old vault (its key will open an empty vault)?')) return;
    try {
      if (retire) await old.deleteDatabase();
      mirrored = undefined;
      forget();
      await session.open(db, { kind: 'key' });
      say(out, retire ? 'The old vault was deleted; the mirrored vault is open.' : 'The mirrored vault is open; the old one is unchanged.', 'ok');
      showTab('explore');
    } catch (error) {
      say(out, errorText(error), 'error');
    }
  };
  byId('mirror-switch').addEventListener('click', () => void switchTo(false));
  byId('mirror-retire').addEventListener('click', () => void switchTo(true));

  session.addEventListener('change', () => {
    // A key is shown once: leaving the vault it came from hides it.
    if (mirrored && session.db !== mirrored.old) {
      void mirrored.db.close();
      mirrored = undefined;
      forget();
    }
  });
}

function initPassword(): void {
  const out = byId('password-result');
  const first = byId<HTMLInputElement>('new-password');
  const again = byId<HTMLInputElement>('new-password-again');
  byId<HTMLFormElement>('form-password').addEventListener('submit', async (event) => {
    event.preventDefault();
    const by = session.by;
    if (by?.kind !== 'profile') return say(out, 'The open vault was not opened with a password profile.', 'error');
    if (!first.value) return say(out, 'Enter the new password.', 'error');
    if (first.value !== again.value) return say(out, 'The two new passwords differ.', 'error');
    await withDisabled(byId<HTMLButtonElement>('password-go'), async () => {
      try {
        const { value: tokens, stats } = await busy('Argon2id twice in the worker: the old password, then the new one…', () =>
          Database.changeProfilePassword(by.tokens, first.value, { directory: DIRECTORY }),
        );
        by.tokens = tokens;
        first.value = '';
        again.value = '';
        say(
          out,
          `Password of “${by.username}” changed in ${ms(stats.elapsed)}: the root key was re-wrapped, no data re-encrypted. ${describeStats(stats)}`,
          'ok',
        );
      } catch (error) {
        say(
          out,
          error instanceof AuthenticationError ? `${errorText(error)} — the current password no longer matches (changed in another tab?).` : errorText(error),
          'error',
        );
      }
    });
  });
}

export function initRotation(): void {
  initMirror();
  initPassword();
}

export function renderRotation(): void {
  const open = !!session.db;
  byId('rotation').hidden = !open;
  (byId('panel-rotation').querySelector('.needs-vault') as HTMLElement).hidden = open;
  const profile = session.by?.kind === 'profile';
  byId('password-na').hidden = profile;
  for (const id of ['new-password', 'new-password-again', 'password-go']) byId<HTMLInputElement>(id).disabled = !profile;
}
