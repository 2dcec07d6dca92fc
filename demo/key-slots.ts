// The "Key slots" view: the ways into the open profile (its password, passkey and recovery-code
// slots, from db.keySlots()), each with Remove, and buttons that add one. Every change is
// authorised by one existing way in, chosen in the unlock form: the worker keeps no raw root key
// after opening. A vault opened by key has no slots: the panel says so.
import { AuthenticationError, type Database, type KeySlot, PasskeyCancelledError, PasskeyUnsupportedError, type Unlock } from '../src/index';
import { type BusyStats, busy, describeStats } from './busy';
import { byId, copyText, h, say, withDisabled } from './dom';
import { errorText, kib, ms, plural } from './format';
import { isProfile, session } from './state';

/** What each kind of slot is called on the page. */
const KIND: Record<KeySlot['kind'], string> = { password: 'Password', passkey: 'Passkey', recovery: 'Recovery code' };

/** Bumped by every list render: a slower, older render must not overwrite a newer one. */
let generation = 0;
/** The vault the panel last showed: leaving it hides its recovery code and messages. */
let shownDb: Database | undefined;

type UnlockBy = 'password' | 'recoveryCode' | 'passkey';

function unlockBy(): UnlockBy {
  const value = document.querySelector<HTMLInputElement>('input[name="unlock-by"]:checked')?.value;
  return value === 'recoveryCode' || value === 'passkey' ? value : 'password';
}

/** The unlock the form names and how the busy indicator calls its check, or why there is none. */
function readUnlock(): { unlock: Unlock; checking: string } | { missing: string; field: HTMLInputElement } {
  const by = unlockBy();
  if (by === 'passkey') return { unlock: { passkey: true }, checking: 'asking for your passkey' };
  if (by === 'recoveryCode') {
    const field = byId<HTMLInputElement>('unlock-code');
    if (!field.value.trim()) return { missing: 'Enter a recovery code of this profile in “Authorise a change”, or choose another way in.', field };
    return { unlock: { recoveryCode: field.value }, checking: 'checking the recovery code' };
  }
  const field = byId<HTMLInputElement>('unlock-password');
  if (!field.value) return { missing: 'Enter a current password of this profile in “Authorise a change”, or choose another way in.', field };
  return { unlock: { password: field.value }, checking: 'Argon2id of the current password in the worker' };
}

/** The unlock secrets serve one change: the page does not keep them. */
function clearUnlock(): void {
  byId<HTMLInputElement>('unlock-password').value = '';
  byId<HTMLInputElement>('unlock-code').value = '';
}

/** Why a change failed: the error's class name and message, and what it means here. */
function failure(error: unknown): string {
  const text = errorText(error);
  if (error instanceof AuthenticationError) return `${text} — the unlock opens no slot of this profile. Nothing was changed.`;
  if (error instanceof PasskeyCancelledError) return `${text}.`;
  if (error instanceof PasskeyUnsupportedError) return `${text}. Nothing was changed: use a password or a recovery code here.`;
  return text;
}

function hideRecoveryCode(): void {
  byId<HTMLTextAreaElement>('recovery-code').value = '';
  byId('recovery-box').hidden = true;
}

/** "added 5/6/2026, 10:00:00 · for localhost": when a slot was added, and a passkey's domain. */
function facts(slot: KeySlot): string {
  const parts = [slot.created ? `added ${slot.created.toLocaleString()}` : 'from before key slots'];
  if (slot.rpId) parts.push(`for ${slot.rpId}`);
  return parts.join(' · ');
}

function slotItem(slot: KeySlot): HTMLLIElement {
  return h(
    'li',
    { class: 'slot', 'data-slot-kind': slot.kind },
    h(
      'div',
      { class: 'slot-main' },
      h('strong', {}, KIND[slot.kind]),
      ' ',
      h('span', { class: 'slot-label' }, `“${slot.label}”`),
      h('br'),
      h('span', { class: 'help' }, facts(slot)),
    ),
    h(
      'button',
      { type: 'button', class: 'danger', onClick: (event: Event) => void remove(slot, event.currentTarget as HTMLButtonElement) },
      'Remove',
      h('span', { class: 'visually-hidden' }, ` ${KIND[slot.kind].toLowerCase()} “${slot.label}”`),
    ),
  );
}

/** Lists the slots of `db` (an engine call; nothing secret comes back). */
async function renderList(db: Database): Promise<void> {
  const run = ++generation;
  const list = byId('slot-list');
  try {
    const slots = await db.keySlots();
    if (run !== generation || session.db !== db) return;
    list.replaceChildren(
      h(
        'p',
        { class: 'help' },
        `${plural(slots.length, 'key slot')}, each the root key wrapped under a key of its own secret. The last one cannot be removed.`,
      ),
      h('ul', { class: 'slots' }, ...slots.map(slotItem)),
    );
  } catch (error) {
    if (run !== generation) return;
    list.replaceChildren(h('p', { class: 'message', 'data-kind': 'error', role: 'alert' }, errorText(error)));
  }
}

/** What every change costs, and what the page did meanwhile. */
function done(stats: BusyStats): string {
  return `One record written in ${ms(stats.elapsed)}, no data re-encrypted. ${describeStats(stats)}`;
}

/**
 * Runs one change of the open profile's slots, authorised by the unlock form (after `ask`, a
 * confirm() question, when given): the busy indicator shows while it runs, the unlock is cleared
 * afterwards and the list drawn again. A failure is said in `out` (the error's class name and
 * message); the caller says what succeeded. Resolves to the change's value and timings, or undefined.
 */
async function change<T>(
  button: HTMLButtonElement,
  out: HTMLElement,
  action: string,
  fn: (db: Database, unlock: Unlock) => Promise<T>,
  ask?: string,
): Promise<{ value: T; stats: BusyStats } | undefined> {
  const db = session.db;
  if (!db || !isProfile(session.by)) {
    say(out, 'Open a profile first: key slots belong to profiles.', 'error');
    return undefined;
  }
  const read = readUnlock();
  if ('missing' in read) {
    say(out, read.missing, 'error');
    read.field.focus();
    return undefined;
  }
  if (ask && !confirm(ask)) return undefined;
  // Each outcome replaces the last one, in either card.
  say(byId('slots-result'), '');
  say(byId('add-result'), '');
  return withDisabled(button, async () => {
    try {
      const result = await busy(`${action}: ${read.checking}…`, () => fn(db, read.unlock));
      clearUnlock();
      return result;
    } catch (error) {
      say(out, failure(error), 'error');
      return undefined;
    } finally {
      if (session.db === db) void renderList(db);
    }
  });
}

async function remove(slot: KeySlot, button: HTMLButtonElement): Promise<void> {
  const out = byId('slots-result');
  const what = `${KIND[slot.kind].toLowerCase()} slot “${slot.label}”`;
  const result = await change(
    button,
    out,
    `Removing the ${what}`,
    (db, unlock) => db.removeKeySlot(slot.id, { unlock }),
    `Remove the ${what}? It will no longer open this profile.`,
  );
  if (!result) return;
  const note = slot.kind === 'passkey' ? ' The passkey itself stays on its authenticator, opening nothing: you may delete it there.' : '';
  say(out, `Removed the ${what}.${note} ${done(result.stats)}`, 'ok');
}

function initAdd(): void {
  const out = byId('add-result');
  const labelField = byId<HTMLInputElement>('slot-label');
  /** The label typed for the new slot, if any (the library's default names the kind). */
  const label = (): { label?: string } => (labelField.value.trim() ? { label: labelField.value.trim() } : {});
  const added = (text: string, stats: BusyStats): void => {
    say(out, `${text} ${done(stats)}`, 'ok');
    labelField.value = '';
  };

  byId('add-passkey').addEventListener('click', async (event) => {
    hideRecoveryCode();
    const result = await change(event.currentTarget as HTMLButtonElement, out, 'Adding a passkey', (db, unlock) => db.addPasskey({ unlock, ...label() }));
    if (!result) return;
    const slot = result.value;
    added(`Added the passkey “${slot.label}” for ${slot.rpId}: “Unlock with passkey” in the Open tab now opens this profile.`, result.stats);
  });

  byId('add-recovery').addEventListener('click', async (event) => {
    hideRecoveryCode();
    const result = await change(event.currentTarget as HTMLButtonElement, out, 'Creating a recovery code', (db, unlock) =>
      db.addRecoveryCode({ unlock, ...label() }),
    );
    if (!result) return;
    const field = byId<HTMLTextAreaElement>('recovery-code');
    field.value = result.value;
    byId('recovery-box').hidden = false;
    added('Created a recovery code: write it down now, it is not shown again. It opens the profile from the Open tab.', result.stats);
    field.focus();
    field.select();
  });

  byId('copy-recovery').addEventListener('click', async () => {
    const field = byId<HTMLTextAreaElement>('recovery-code');
    const copied = await copyText(field.value, field);
    say(out, copied ? 'Recovery code copied to the clipboard.' : 'The browser refused the clipboard: the code is selected, copy it with Ctrl+C.', 'info');
  });
  byId('hide-recovery').addEventListener('click', () => {
    hideRecoveryCode();
    say(out, 'The recovery code is no longer shown.', 'info');
  });

  byId('add-password').addEventListener('click', async (event) => {
    hideRecoveryCode();
    const passwordField = byId<HTMLInputElement>('slot-password');
    const password = passwordField.value;
    if (!password) {
      say(out, 'Enter the password to add.', 'error');
      passwordField.focus();
      return;
    }
    const kb = Number(byId<HTMLSelectElement>('slot-kb').value);
    const cpu = Number(byId<HTMLInputElement>('slot-cpu').value);
    // As for a new profile (open-view.ts): the "demo only" costs are below tagvault's floor for
    // stored keys, which the demo may go under to be quick to try, and says so.
    const demoOnly = kb < 19456 || cpu < 2;
    const result = await change(event.currentTarget as HTMLButtonElement, out, `Adding a password (Argon2id, ${kib(kb)}, ${cpu} passes)`, (db, unlock) =>
      db.addPassword(password, { unlock, ...label(), kb, cpu, unsafeLowCostsForTests: demoOnly }),
    );
    if (!result) return;
    passwordField.value = '';
    added(`Added the password “${result.value.label}”: the profile form opens this profile with it too.`, result.stats);
  });
}

export function initKeySlots(): void {
  // The panel's buttons do the work: Enter in a field must not submit (and reload) the page.
  for (const id of ['form-unlock', 'form-add-slot']) byId<HTMLFormElement>(id).addEventListener('submit', (event) => event.preventDefault());
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="unlock-by"]')) {
    radio.addEventListener('change', () => {
      const by = unlockBy();
      byId('unlock-password-box').hidden = by !== 'password';
      byId('unlock-code-box').hidden = by !== 'recoveryCode';
    });
  }
  initAdd();
}

/** Shows what fits the open vault; lists its slots when the panel is shown. */
export function renderKeySlots(): void {
  const db = session.db;
  const profile = isProfile(session.by);
  const panel = byId('panel-keyslots');
  (panel.querySelector('.needs-vault') as HTMLElement).hidden = !!db;
  byId('keyslots-na').hidden = !db || profile;
  byId('keyslots').hidden = !db || !profile;
  if (db !== shownDb) {
    // A recovery code is shown once: leaving the vault it was made for hides it, and the secrets.
    shownDb = db;
    generation++;
    hideRecoveryCode();
    clearUnlock();
    byId('slot-list').replaceChildren();
    say(byId('slots-result'), '');
    say(byId('add-result'), '');
  }
  if (db && profile && !panel.hidden) void renderList(db);
}
