// The "Backup" view: download a backup of the open vault (db.export(), optionally with a
// passphrase that puts its key in the file), restore one (Database.inspectBackup, then
// Database.import by key or passphrase, optionally carrying a profile) and open it as the session,
// and the site's storage: persistent or not, usage of quota, and a button asking to persist.
import {
  AuthenticationError,
  BackupFormatError,
  type BackupInfo,
  Database,
  type ExportOptions,
  PasskeyCancelledError,
  PasskeyUnsupportedError,
  type ProfileTokens,
  type Unlock,
  ValidationError,
  VaultExistsError,
} from '../src/index';
import { busy, describeStats } from './busy';
import { byId, h, say, withDisabled } from './dom';
import { errorText, fromHex, kib, ms, plural } from './format';
import { DIRECTORY, isProfile, type OpenedBy, session } from './state';
import { showTab } from './tabs';

/** The vault the download card last showed: leaving it clears its secrets and message. */
let shownDb: Database | undefined;

/** "1.5 MiB": a size in bytes, in binary units. */
function size(bytes: number): string {
  if (bytes < 1024) return plural(bytes, 'byte');
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes / 1024;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

/** The Argon2id costs of a Memory select and a Passes field; below tagvault's floor they are "demo only". */
function costs(kbId: string, cpuId: string): { kb: number; cpu: number; unsafeLowCostsForTests: boolean } {
  const kb = Number(byId<HTMLSelectElement>(kbId).value);
  const cpu = Number(byId<HTMLInputElement>(cpuId).value);
  // As for a new profile (open-view.ts) and a key slot (key-slots.ts): the demo may go under the
  // floor for stored keys (19 MiB, 2 passes) to be quick to try, and says so; an application never should.
  return { kb, cpu, unsafeLowCostsForTests: kb < 19456 || cpu < 2 };
}

// --- Download -----------------------------------------------------------------------------------

type UnlockBy = 'password' | 'recoveryCode' | 'passkey';

function unlockBy(): UnlockBy {
  const value = document.querySelector<HTMLInputElement>('input[name="backup-unlock-by"]:checked')?.value;
  return value === 'recoveryCode' || value === 'passkey' ? value : 'password';
}

/**
 * The raw root key a passphrase backup needs, as the form gives it: the pasted key of a vault
 * opened by key, or one way into a profile (as key-slots.ts asks for it), or why there is none.
 */
function readUnlock(by: OpenedBy | undefined): { unlock: { key: Uint8Array } | Unlock; checking: string } | { missing: string; field: HTMLElement } {
  if (!isProfile(by)) {
    const field = byId<HTMLTextAreaElement>('backup-key');
    const text = field.value.replace(/\s+/g, '');
    const key = fromHex(text);
    if (key?.length !== 64) return { missing: `Paste this vault's key (128 hex characters) to put it in the file; this is ${text.length} characters.`, field };
    return { unlock: { key }, checking: 'Argon2id of the passphrase in the worker' };
  }
  const way = unlockBy();
  if (way === 'passkey') return { unlock: { passkey: true }, checking: 'asking for your passkey, then Argon2id of the passphrase' };
  if (way === 'recoveryCode') {
    const field = byId<HTMLInputElement>('backup-unlock-code');
    if (!field.value.trim()) return { missing: 'Enter a recovery code of this profile, or choose another way in.', field };
    return { unlock: { recoveryCode: field.value }, checking: 'checking the recovery code, then Argon2id of the passphrase' };
  }
  const field = byId<HTMLInputElement>('backup-unlock-password');
  if (!field.value) return { missing: 'Enter a current password of this profile, or choose another way in.', field };
  return { unlock: { password: field.value }, checking: 'Argon2id of the password and of the passphrase in the worker' };
}

/** The secrets serve one backup: the page does not keep them. */
function clearSecrets(): void {
  for (const id of ['backup-passphrase', 'backup-key', 'backup-unlock-password', 'backup-unlock-code']) byId<HTMLInputElement>(id).value = '';
  byId('backup-passphrase-box').hidden = true;
}

/** `tagvault-2026-05-06-101500.tvbackup`: the file name of a backup made now (local time). */
function fileName(now = new Date()): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  return `tagvault-${date}-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}.tvbackup`;
}

/** The object URL of the last backup, behind the "download again" link; revoked when replaced or left. */
let lastUrl: string | undefined;

/** Forgets the last backup's link and frees its object URL. */
function forgetFile(): void {
  if (lastUrl) URL.revokeObjectURL(lastUrl);
  lastUrl = undefined;
  byId('backup-file').replaceChildren();
  byId('backup-file').hidden = true;
}

/**
 * Offers `blob` as a real download: an object URL behind an `<a download>`, clicked; the link
 * stays, for a browser that did not start the download by itself (no user gesture is left
 * after the export's await).
 */
function download(blob: Blob, name: string): void {
  forgetFile();
  lastUrl = URL.createObjectURL(blob);
  const link = h('a', { href: lastUrl, download: name, id: 'backup-link' }, name);
  const box = byId('backup-file');
  box.replaceChildren('Not downloaded? Save it from this link: ', link);
  box.hidden = false;
  link.click();
}

/** Why an export failed: the error's class name and message, and what it means here. */
function exportFailure(error: unknown): string {
  const text = errorText(error);
  if (error instanceof AuthenticationError) {
    return `${text} — either the key or unlock given does not open this vault, or a stored record fails authentication. No file was made.`;
  }
  if (error instanceof PasskeyCancelledError) return `${text}. No file was made.`;
  if (error instanceof PasskeyUnsupportedError) return `${text}. No file was made: unlock by a password or a recovery code.`;
  return `${text}. No file was made.`;
}

function initDownload(): void {
  const out = byId('backup-result');
  const passphraseField = byId<HTMLInputElement>('backup-passphrase');
  passphraseField.addEventListener('input', () => renderDownload());
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="backup-unlock-by"]')) {
    radio.addEventListener('change', () => {
      const way = unlockBy();
      byId('backup-unlock-password-box').hidden = way !== 'password';
      byId('backup-unlock-code-box').hidden = way !== 'recoveryCode';
    });
  }

  byId<HTMLFormElement>('form-backup').addEventListener('submit', async (event) => {
    event.preventDefault();
    const db = session.db;
    const by = session.by;
    if (!db) return say(out, 'Open a vault first.', 'error');
    const passphrase = passphraseField.value;
    if (!passphrase && isProfile(by)) {
      passphraseField.focus();
      return say(out, 'A profile’s key is never shown, so a backup of it without a passphrase could not be opened: enter a passphrase.', 'error');
    }
    let options: ExportOptions = {};
    let label = 'Reading and checking every record…';
    if (passphrase) {
      const read = readUnlock(by);
      if ('missing' in read) {
        read.field.focus();
        return say(out, read.missing, 'error');
      }
      const cost = costs('backup-kb', 'backup-cpu');
      options = { passphrase, unlock: read.unlock, ...cost };
      label = `Backup with a passphrase (${kib(cost.kb)}, ${cost.cpu} passes): ${read.checking}…`;
    }
    const unsaved = session.unsavedCount;
    say(out, '');
    await withDisabled(byId<HTMLButtonElement>('backup-go'), async () => {
      try {
        const { value: blob, stats } = await busy(label, () => db.export(options));
        if (session.db !== db) return;
        const info = await Database.inspectBackup(blob);
        const name = fileName();
        download(blob, name);
        clearSecrets();
        const note = unsaved ? ` ${plural(unsaved, 'unsaved change')} ${unsaved === 1 ? 'is' : 'are'} not in it: save, then download again.` : '';
        const opens = info.keyInside ? 'It opens with its passphrase alone.' : 'It opens only with this vault’s key.';
        say(
          out,
          `Downloaded “${name}” (${size(info.bytes)}): ${plural(info.records, 'record')} of ${plural(info.vaults, 'vault')}, made in ${ms(stats.elapsed)}. ${opens}${note} ${describeStats(stats)}`,
          'ok',
        );
      } catch (error) {
        say(out, exportFailure(error), 'error');
      }
    });
  });
}

/** Shows what fits the open vault: a key field for a vault opened by key, an unlock for a profile. */
function renderDownload(): void {
  const db = session.db;
  if (db !== shownDb) {
    shownDb = db;
    clearSecrets();
    forgetFile();
    say(byId('backup-result'), '');
  }
  byId('backup-needs-vault').hidden = !!db;
  byId('backup-download').hidden = !db;
  byId('backup-passphrase-box').hidden = !db || byId<HTMLInputElement>('backup-passphrase').value === '';
  const profile = isProfile(session.by);
  byId('backup-key-box').hidden = profile;
  byId('backup-unlock-box').hidden = !profile;
}

// --- Restore ------------------------------------------------------------------------------------

const message = (): HTMLElement => byId('restore-message');

function tell(text: string, kind: 'ok' | 'error' | 'info'): void {
  const el = message();
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  say(el, text, kind);
}

/** What the header of the chosen file says, read without its key. */
function describeInfo(info: BackupInfo): string {
  const skipped = info.skipped
    ? ` ${plural(info.skipped, 'record')} failed authentication when it was made and ${info.skipped === 1 ? 'is' : 'are'} not in it.`
    : '';
  const key = info.keyInside ? 'The key is inside, under a passphrase.' : 'The key is not inside: restoring needs the vault’s key.';
  return `A tagvault backup (format version ${info.version}) made ${info.created.toLocaleString()}: ${plural(info.records, 'record')} of ${plural(info.vaults, 'vault')}, ${size(info.bytes)}.${skipped} ${key}`;
}

/** Tokens of the restore form's profile fields. */
function restoreTokens(): Promise<ProfileTokens> {
  const credentials = byId<HTMLTextAreaElement>('restore-credentials')
    .value.split('\n')
    .map((c) => c.trim())
    .filter(Boolean);
  const username = byId<HTMLInputElement>('restore-username').value;
  const password = byId<HTMLInputElement>('restore-password').value;
  const salt = byId<HTMLInputElement>('restore-salt').value;
  return Database.generateProfileTokens(...credentials, { username, password, ...(salt ? { salt } : {}) });
}

/** Why a restore failed: the error's class name and message, and what it means. */
function restoreFailure(error: unknown, keyInside: boolean): string {
  const text = errorText(error);
  if (error instanceof BackupFormatError)
    return `${text} — this file is not a readable tagvault backup (another file, truncated, or a newer format). Nothing was written.`;
  if (error instanceof AuthenticationError) {
    return `${text} — ${keyInside ? 'the passphrase is wrong' : 'the key is not this backup’s vault’s'}, or the file was altered. Nothing was written.`;
  }
  if (error instanceof VaultExistsError)
    return `${text} — “${DIRECTORY}” holds this vault (or profile) already: tick “Replace” to make it exactly the backup’s. Nothing was written.`;
  if (error instanceof ValidationError) return `${text}. Nothing was written.`;
  return `${text}. Nothing was written.`;
}

function initRestore(): void {
  const fileField = byId<HTMLInputElement>('restore-file');
  const infoEl = byId('restore-info');
  const keyField = byId<HTMLTextAreaElement>('restore-key');
  const passphraseField = byId<HTMLInputElement>('restore-passphrase');
  const asProfile = byId<HTMLInputElement>('restore-as-profile');
  const progress = byId<HTMLProgressElement>('restore-progress');
  let chosen: { file: File; info: BackupInfo } | undefined;

  asProfile.addEventListener('change', () => {
    byId('restore-profile-box').hidden = !asProfile.checked;
  });

  fileField.addEventListener('change', async () => {
    chosen = undefined;
    tell('', 'info');
    byId('restore-key-box').hidden = true;
    byId('restore-passphrase-box').hidden = true;
    progress.value = 0;
    const file = fileField.files?.[0];
    if (!file) return say(infoEl, '');
    try {
      const info = await Database.inspectBackup(file);
      if (fileField.files?.[0] !== file) return;
      chosen = { file, info };
      say(infoEl, describeInfo(info), 'info');
      byId('restore-key-box').hidden = info.keyInside;
      byId('restore-passphrase-box').hidden = !info.keyInside;
    } catch (error) {
      say(infoEl, '');
      tell(restoreFailure(error, false), 'error');
    }
  });

  byId<HTMLFormElement>('form-restore').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!chosen) {
      fileField.focus();
      return tell('Choose a backup file first.', 'error');
    }
    const { file, info } = chosen;
    let key: Uint8Array | undefined;
    if (info.keyInside) {
      if (!passphraseField.value) {
        passphraseField.focus();
        return tell('Enter the backup’s passphrase.', 'error');
      }
    } else {
      const text = keyField.value.replace(/\s+/g, '');
      key = fromHex(text);
      if (key?.length !== 64) {
        keyField.setAttribute('aria-invalid', 'true');
        keyField.focus();
        return tell(`A key is 128 hex characters (64 bytes); this is ${text.length} characters${key ? '' : ' and not all hex'}. Nothing was written.`, 'error');
      }
      keyField.removeAttribute('aria-invalid');
    }
    const profile = asProfile.checked;
    const username = byId<HTMLInputElement>('restore-username').value;
    if (profile && (!username || !byId<HTMLInputElement>('restore-password').value)) {
      byId(username ? 'restore-password' : 'restore-username').focus();
      return tell('Enter a user name and a password for the profile, or untick “Make a password profile”.', 'error');
    }
    const n = session.unsavedCount;
    if (n && !confirm(`The open vault has ${plural(n, 'unsaved change')}. Discard them and open the restored vault?`)) return;
    tell('', 'info');
    progress.value = 0;
    progress.max = 1;
    delete progress.dataset.done;
    await withDisabled(byId<HTMLButtonElement>('restore-go'), async () => {
      try {
        const tokens = profile ? await restoreTokens() : undefined;
        const cost = costs('restore-kb', 'restore-cpu');
        const common = {
          directory: DIRECTORY,
          replace: byId<HTMLInputElement>('restore-replace').checked,
          onProgress: ({ done, total }: { done: number; total: number }) => {
            progress.max = Math.max(total, 1);
            progress.value = done;
            progress.dataset.done = String(done);
          },
          ...(tokens ? { profile: tokens, ...cost } : {}),
        };
        const what = info.keyInside ? 'Argon2id of the passphrase, then verifying every record' : 'Verifying every record';
        const label = tokens ? `${what}, and making the profile (${kib(cost.kb)}, ${cost.cpu} passes)…` : `${what}…`;
        const { value: db, stats } = await busy(label, () =>
          key ? Database.import(file, key, common) : Database.import(file, { ...common, passphrase: passphraseField.value }),
        );
        keyField.value = '';
        passphraseField.value = '';
        byId<HTMLInputElement>('restore-password').value = '';
        await session.open(db, tokens ? { kind: 'profile', tokens, username } : { kind: 'key' });
        const reopen = tokens
          ? `The profile form in the Open tab opens it as “${username}”.`
          : info.keyInside
            ? 'It is open by the key from the file, which is not shown: to open it again later, restore it again or carry it as a profile.'
            : 'Its key opens it from the Open tab.';
        tell(
          `Restored vault ${db.vaultId.slice(0, 12)}… into “${DIRECTORY}” in ${ms(stats.elapsed)}: ${plural(db.size, 'tag')}, ${plural(db.metatags.length, 'metatag')} at its root, ${plural(info.records, 'record')} in all. ${reopen} ${describeStats(stats)}`,
          'ok',
        );
        showTab('explore');
      } catch (error) {
        tell(restoreFailure(error, info.keyInside), 'error');
        if (error instanceof AuthenticationError) (info.keyInside ? passphraseField : keyField).focus();
        else if (error instanceof VaultExistsError) byId('restore-replace').focus();
      }
    });
  });
}

// --- Storage ------------------------------------------------------------------------------------

/** Bumped by every render: a slower, older estimate must not overwrite a newer one. */
let generation = 0;

export async function renderStorage(): Promise<void> {
  const run = ++generation;
  const status = await Database.storageEstimate();
  if (run !== generation) return;
  const el = byId('storage-status');
  el.dataset.persisted = String(status.persisted);
  if (!status.supported) {
    el.textContent = 'This browser has no Storage API here: its storage is not persistent, and its usage is not known.';
    byId<HTMLButtonElement>('storage-persist').disabled = true;
    return;
  }
  const persisted = status.persisted
    ? 'Persistent: the browser will not evict this site’s data.'
    : 'Not persistent: the browser may evict this site’s data when space runs low.';
  const usage =
    status.usage !== undefined && status.quota
      ? `Using ${size(status.usage)} of ${size(status.quota)} (${((100 * status.usage) / status.quota).toFixed(status.usage / status.quota < 0.01 ? 2 : 0)}%).`
      : 'The browser does not say how much it uses.';
  el.textContent = `${persisted} ${usage}`;
}

function initStorage(): void {
  byId('storage-persist').addEventListener('click', async (event) => {
    const out = byId('storage-result');
    await withDisabled(event.currentTarget as HTMLButtonElement, async () => {
      say(out, 'Asking the browser (up to 5 s)…', 'info');
      const persisted = await Database.persist();
      say(
        out,
        persisted
          ? 'The browser made this site’s storage persistent.'
          : 'The browser did not make it persistent (it decides by itself, or the prompt was not answered): keep backups.',
        persisted ? 'ok' : 'info',
      );
      await renderStorage();
    });
  });
}

export function initBackup(): void {
  initDownload();
  initRestore();
  initStorage();
}

/** Shows what fits the open vault; the storage status when the panel is shown. */
export function renderBackup(): void {
  renderDownload();
  if (!byId('panel-backup').hidden) void renderStorage();
}
