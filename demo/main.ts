// The Vault explorer: tagvault's demo page. Plain DOM, no framework; each view is one module.
import { initBackup, renderBackup } from './backup';
import { initBusy } from './busy';
import { byId } from './dom';
import { initExplorer, render as renderExplorer } from './explorer';
import { errorText, plural } from './format';
import { initKeySlots, renderKeySlots } from './key-slots';
import { initOffline } from './offline';
import { initOpenView } from './open-view';
import { initPlayground, renderPlayground } from './playground';
import { initRawView, renderRaw } from './raw-view';
import { initRotation, renderRotation } from './rotation';
import { DIRECTORY, type OpenedBy, session } from './state';
import { initTabs, onTab } from './tabs';

let saveMessage = '';
let currentTab = 'open';
let shownDb: unknown;
/** Set once the user has agreed to lose unsaved changes to the update banner's reload. */
let leaving = false;

/** How the open vault was opened, for the session line. */
function opener(by: OpenedBy | undefined): string {
  switch (by?.kind) {
    case 'profile':
      return `profile “${by.username}”`;
    case 'recovery':
      return `recovery code of profile “${by.username}”`;
    case 'passkey':
      return 'passkey of a profile';
    default:
      return 'key';
  }
}

function renderSession(): void {
  const db = session.db;
  const text = byId('session-text');
  const save = byId<HTMLButtonElement>('save');
  const close = byId<HTMLButtonElement>('close');
  const unsaved = session.unsavedCount;
  if (db !== shownDb) saveMessage = '';
  shownDb = db;
  if (!db) {
    text.textContent = 'No vault open.';
  } else {
    const by = opener(session.by);
    text.textContent = `Vault ${db.vaultId.slice(0, 12)}… (by ${by}) in “${DIRECTORY}”. ${unsaved ? `${plural(unsaved, 'unsaved change')}.` : 'All changes saved.'} ${saveMessage}`;
  }
  save.disabled = !db || unsaved === 0;
  save.textContent = unsaved ? `Save (${unsaved})` : 'Save';
  save.classList.toggle('attention', unsaved > 0);
  close.disabled = !db;
  document.documentElement.dataset.unsaved = String(unsaved);
}

function renderAll(): void {
  renderSession();
  renderPlayground();
  renderKeySlots();
  renderRotation();
  renderBackup();
  if (currentTab === 'raw') void renderRaw();
}

function init(): void {
  initTabs();
  initBusy();
  initOpenView();
  initExplorer();
  initRawView();
  initPlayground();
  initKeySlots();
  initRotation();
  initBackup();
  initOffline({
    // Asked here, once, with the number of changes: not again by beforeunload's generic prompt.
    confirmReload: () => {
      const n = session.unsavedCount;
      leaving = n === 0 || confirm(`Reload the new version and lose ${plural(n, 'unsaved change')}?`);
      return leaving;
    },
  });

  session.addEventListener('change', renderAll);
  onTab((id) => {
    currentTab = id;
    if (id === 'raw') void renderRaw();
    if (id === 'keyslots') renderKeySlots();
    if (id === 'backup') renderBackup();
  });

  byId('save').addEventListener('click', async () => {
    const db = session.db;
    if (!db) return;
    const button = byId<HTMLButtonElement>('save');
    button.disabled = true;
    try {
      // One IndexedDB transaction for every changed tag of the vault and its metatags.
      await db.save();
      session.saved();
      saveMessage = `Saved at ${new Date().toLocaleTimeString()}.`;
    } catch (error) {
      saveMessage = `Save failed, nothing was written: ${errorText(error)}`;
    }
    session.changed();
  });

  byId('close').addEventListener('click', async () => {
    const n = session.unsavedCount;
    if (n && !confirm(`Close the vault and lose ${plural(n, 'unsaved change')}?`)) return;
    await session.close();
  });

  // Unsaved changes live only in this page: warn before they are lost.
  addEventListener('beforeunload', (event) => {
    if (session.unsavedCount > 0 && !leaving) event.preventDefault();
  });

  renderAll();
  void renderExplorer();
}

init();
