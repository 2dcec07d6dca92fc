// The "Explore" view: a tree of the vault's tags and metatags, and an editor for the selection.
import { type Database, ValidationError } from '../src/index';
import { byId, h, say, withDisabled } from './dom';
import { errorText, plural, pretty } from './format';
import { session } from './state';

interface Selection {
  db: Database;
  tag?: string;
}

let selection: Selection | undefined;
/** Expanded metatags, by their path from the root (JSON of the names). */
const expanded = new Set<string>();
/** Databases whose `change` event (another tab wrote) we listen to. */
const watched = new WeakSet<Database>();
/** Bumped by every render: a slower, older render must not overwrite a newer one. */
let generation = 0;

const pathKey = (path: string[]): string => JSON.stringify(path);

function pathLabel(db: Database): string {
  return ['vault', ...session.path(db)].join(' › ');
}

/**
 * Parses the JSON text of an editor and hands the value to `db.set`. Returns an error message
 * (nothing was changed) or undefined.
 */
function setFromText(db: Database, tag: string, text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `Invalid JSON — ${error instanceof Error ? error.message : String(error)}. Nothing was changed.`;
  }
  try {
    db.set(tag, value);
  } catch (error) {
    if (error instanceof ValidationError) return `db.set refused the value — ${errorText(error)}. Nothing was changed.`;
    return errorText(error);
  }
  session.markTag(db, tag);
  return undefined;
}

function select(next: Selection | undefined): void {
  selection = next;
  void render();
}

function watch(db: Database): void {
  if (watched.has(db)) return;
  watched.add(db);
  // Another tab saved to this vault: tagvault refreshed its cache; show it.
  db.addEventListener('change', () => void render());
}

// --- Tree -----------------------------------------------------------------------------------

function unsavedBadge(text = 'unsaved'): HTMLElement {
  return h('span', { class: 'unsaved', title: 'Not saved yet' }, h('span', { 'aria-hidden': 'true' }, '●'), ` ${text}`);
}

function tagItem(db: Database, tag: string): HTMLLIElement {
  const current = selection?.db === db && selection.tag === tag;
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: 'node tag',
        'data-tag': tag,
        'data-key': `t${pathKey([...session.path(db), tag])}`,
        'aria-current': current ? 'true' : undefined,
        onclick: () => select({ db, tag }),
      },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, '#'),
      h('span', { class: 'name' }, tag),
      session.isTagUnsaved(db, tag) ? unsavedBadge() : null,
    ),
  );
}

async function metatagItem(parent: Database, name: string, stale: () => boolean): Promise<HTMLLIElement> {
  const path = [...session.path(parent), name];
  const key = pathKey(path);
  const open = expanded.has(key);
  const child = open ? await session.child(parent, name) : undefined;
  const current = selection !== undefined && session.place(selection.db)?.parent === parent && session.place(selection.db)?.name === name && !selection.tag;
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'twisty',
      'aria-expanded': String(open),
      'data-key': `x${key}`,
      'aria-label': `${open ? 'Collapse' : 'Expand'} metatag ${name}`,
      onclick: () => {
        if (open) expanded.delete(key);
        else expanded.add(key);
        void render();
      },
    },
    open ? '▾' : '▸',
  );
  const node = h(
    'button',
    {
      type: 'button',
      class: 'node vault',
      'data-metatag': name,
      'data-key': `m${key}`,
      'aria-current': current ? 'true' : undefined,
      onclick: async () => {
        expanded.add(key);
        select({ db: await session.child(parent, name) });
      },
    },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, '▤'),
    h('span', { class: 'name' }, name),
    h('span', { class: 'kind' }, 'metatag'),
    session.isMetatagUnsaved(parent, name) ? unsavedBadge() : null,
  );
  // A collapsed metatag still shows that something inside it is not saved.
  const known = session.loadedChild(parent, name);
  if (!open && !session.isMetatagUnsaved(parent, name) && known && session.hasUnsavedWithin(known)) node.append(unsavedBadge('unsaved inside'));
  const li = h('li', { class: 'branch' }, h('div', { class: 'row-node' }, toggle, node));
  if (child && !stale()) li.append(await listOf(child, stale));
  return li;
}

async function listOf(db: Database, stale: () => boolean): Promise<HTMLUListElement> {
  watch(db);
  const ul = h('ul', { class: 'tree-list' });
  for (const tag of db.tags) ul.append(tagItem(db, tag));
  for (const name of db.metatags) ul.append(await metatagItem(db, name, stale));
  if (db.size === 0 && db.metatags.length === 0) ul.append(h('li', { class: 'empty' }, 'empty'));
  return ul;
}

async function renderTree(root: Database, stale: () => boolean): Promise<HTMLElement> {
  const current = selection?.db === root && !selection.tag;
  const node = h(
    'button',
    {
      type: 'button',
      class: 'node vault root',
      'data-root': 'true',
      'data-key': 'root',
      'aria-current': current ? 'true' : undefined,
      onclick: () => select({ db: root }),
    },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, '▤'),
    h('span', { class: 'name' }, 'vault'),
    h('span', { class: 'kind' }, `${root.vaultId.slice(0, 8)}…`),
  );
  return h('ul', { class: 'tree-list top' }, h('li', { class: 'branch' }, h('div', { class: 'row-node' }, node), await listOf(root, stale)));
}

// --- Detail ---------------------------------------------------------------------------------

function messageBox(): HTMLParagraphElement {
  return h('p', { class: 'message', role: 'alert', hidden: true });
}

function tagDetail(db: Database, tag: string): HTMLElement {
  let value: unknown;
  let readError: string | undefined;
  try {
    value = db.get(tag);
  } catch (error) {
    readError = errorText(error);
  }
  const unsaved = session.isTagUnsaved(db, tag);
  const msg = messageBox();
  const editor = h('textarea', {
    id: 'tag-json',
    class: 'mono',
    rows: 12,
    spellcheck: 'false',
    'aria-describedby': 'tag-json-help',
    value: readError ? '' : pretty(value),
  });
  const apply = h('button', { type: 'submit', class: 'primary', id: 'tag-apply' }, 'Apply');
  const saveTag = h('button', { type: 'button', id: 'tag-save' }, 'Save this tag now');
  const remove = h('button', { type: 'button', class: 'danger', id: 'tag-delete' }, 'Delete tag');
  const form = h(
    'form',
    { class: 'detail', novalidate: true },
    h('h3', {}, 'Tag ', h('q', {}, tag)),
    h('p', { class: 'path' }, `in ${pathLabel(db)} · `, unsaved ? unsavedBadge() : h('span', { class: 'saved' }, 'saved')),
    readError ? h('p', { class: 'message', 'data-kind': 'error' }, readError) : null,
    h('label', { for: 'tag-json' }, 'Value (JSON)'),
    editor,
    h('p', { id: 'tag-json-help', class: 'help' }, 'Apply puts the value in the cache (db.set) and marks it unsaved; Save writes it encrypted.'),
    h('div', { class: 'row' }, apply, saveTag, remove),
    msg,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const problem = setFromText(db, tag, editor.value);
    if (problem) {
      editor.setAttribute('aria-invalid', 'true');
      say(msg, problem, 'error');
      editor.focus();
      return;
    }
    session.changed();
  });
  editor.addEventListener('input', () => editor.removeAttribute('aria-invalid'));
  saveTag.addEventListener('click', () =>
    withDisabled(saveTag, async () => {
      try {
        await db.saveTag(tag);
        session.forgetTag(db, tag);
        session.changed();
      } catch (error) {
        say(msg, errorText(error), 'error');
      }
    }),
  );
  remove.addEventListener('click', () =>
    withDisabled(remove, async () => {
      if (!confirm(`Delete the tag “${tag}”? It is removed from storage now (db.pop), not at the next save.`)) return;
      try {
        await db.pop(tag);
        session.forgetTag(db, tag);
        selection = { db };
        session.changed();
      } catch (error) {
        say(msg, errorText(error), 'error');
      }
    }),
  );
  return form;
}

function vaultDetail(db: Database): HTMLElement {
  const place = session.place(db);
  const isRoot = !place;
  const msg = messageBox();

  const tagName = h('input', { id: 'new-tag-name', autocomplete: 'off', spellcheck: 'false' });
  const tagValue = h('textarea', { id: 'new-tag-value', class: 'mono', rows: 5, spellcheck: 'false', value: '{}' });
  const addTag = h(
    'form',
    { class: 'sub', novalidate: true, 'aria-labelledby': 'add-tag-heading' },
    h('h4', { id: 'add-tag-heading' }, 'Add a tag'),
    h('label', { for: 'new-tag-name' }, 'Tag name'),
    tagName,
    h('label', { for: 'new-tag-value' }, 'Value (JSON)'),
    tagValue,
    h('button', { type: 'submit', class: 'primary', id: 'add-tag' }, 'Add tag'),
  );
  addTag.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = tagName.value;
    if (!name) return say(msg, 'Give the tag a name.', 'error');
    if (db.has(name)) return say(msg, `“${name}” is already a tag here: select it in the tree to edit it.`, 'error');
    const problem = setFromText(db, name, tagValue.value);
    if (problem) {
      tagValue.setAttribute('aria-invalid', 'true');
      say(msg, problem, 'error');
      tagValue.focus();
      return;
    }
    selection = { db, tag: name };
    session.changed();
  });

  const metaName = h('input', { id: 'new-metatag-name', autocomplete: 'off', spellcheck: 'false' });
  const addMeta = h(
    'form',
    { class: 'sub', novalidate: true, 'aria-labelledby': 'add-metatag-heading' },
    h('h4', { id: 'add-metatag-heading' }, 'Add a metatag'),
    h('p', { class: 'help' }, 'A child database with keys derived from this one’s: db.metatag(name).'),
    h('label', { for: 'new-metatag-name' }, 'Metatag name'),
    metaName,
    h('button', { type: 'submit', id: 'add-metatag' }, 'Add metatag'),
  );
  addMeta.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = metaName.value;
    if (!name) return say(msg, 'Give the metatag a name.', 'error');
    if (db.metatags.includes(name)) return say(msg, `“${name}” is already a metatag here.`, 'error');
    try {
      const child = await session.child(db, name);
      session.markMetatag(db, name);
      expanded.add(pathKey(session.path(child)));
      selection = { db: child };
      session.changed();
    } catch (error) {
      say(msg, errorText(error), 'error');
    }
  });

  const danger = h(
    'button',
    { type: 'button', class: 'danger', id: isRoot ? 'delete-vault' : 'delete-metatag' },
    isRoot ? 'Delete the whole vault' : 'Delete this metatag',
  );
  danger.addEventListener('click', () =>
    withDisabled(danger, async () => {
      const what = isRoot ? 'every tag and metatag of this vault' : `the metatag “${place.name}” and everything in it`;
      if (!confirm(`Delete ${what} from storage, now?`)) return;
      try {
        if (place) {
          await place.parent.deleteMetatag(place.name);
          session.forgetTree(db);
          selection = { db: place.parent };
        } else {
          await db.deleteDatabase();
          session.saved();
          selection = { db };
        }
        session.changed();
      } catch (error) {
        say(msg, errorText(error), 'error');
      }
    }),
  );

  return h(
    'div',
    { class: 'detail' },
    h('h3', {}, isRoot ? 'The vault' : h('span', {}, 'Metatag ', h('q', {}, place.name))),
    h(
      'p',
      { class: 'path' },
      isRoot ? 'root' : `in ${pathLabel(place.parent)}`,
      ...(place && session.isMetatagUnsaved(place.parent, place.name) ? [' · ', unsavedBadge()] : []),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Vault id'),
      h('dd', { class: 'mono' }, db.vaultId),
      h('dt', {}, 'Contents'),
      h('dd', {}, `${plural(db.size, 'tag')}, ${plural(db.metatags.length, 'metatag')}`),
    ),
    msg,
    addTag,
    addMeta,
    h('div', { class: 'sub danger-zone' }, h('h4', {}, 'Danger zone'), danger),
  );
}

// --- Rendering ------------------------------------------------------------------------------

/** Redraws the tree and the detail pane from the session. */
export async function render(): Promise<void> {
  const mine = ++generation;
  const stale = (): boolean => mine !== generation;
  const root = session.db;
  byId('explorer').hidden = !root;
  (byId('panel-explore').querySelector('.needs-vault') as HTMLElement).hidden = !!root;
  if (!root) {
    selection = undefined;
    expanded.clear();
    byId('tree').replaceChildren();
    byId('detail').replaceChildren();
    return;
  }
  if (!selection || !session.isWithin(selection.db, root) || (selection.tag !== undefined && !selection.db.has(selection.tag))) {
    selection = selection && session.isWithin(selection.db, root) ? { db: selection.db } : { db: root };
  }
  try {
    const tree = await renderTree(root, stale);
    if (stale()) return;
    const detail = selection.tag !== undefined ? tagDetail(selection.db, selection.tag) : vaultDetail(selection.db);
    // Keep keyboard focus on the tree node that was focused, across the redraw.
    const focused = document.activeElement as HTMLElement | null;
    const focusKey = focused?.closest('#tree') ? focused.dataset.key : undefined;
    byId('tree').replaceChildren(tree);
    byId('detail').replaceChildren(detail);
    if (focusKey) [...byId('tree').querySelectorAll<HTMLElement>('[data-key]')].find((b) => b.dataset.key === focusKey)?.focus();
  } catch (error) {
    if (!stale()) byId('detail').replaceChildren(h('p', { class: 'message', 'data-kind': 'error', role: 'alert' }, errorText(error)));
  }
}

export function initExplorer(): void {
  session.addEventListener('change', () => void render());
}
