// What the demo knows about the open vault: the Database, how it was opened, its metatags' places
// in the tree, and which changes are not saved yet (the library does not expose its dirty flags,
// so the page tracks what it changed itself).
import type { Database, ProfileTokens } from '../src/index';

/** The IndexedDB database the demo keeps its vaults in. */
export const DIRECTORY = 'tagvault-demo';

/**
 * How the open vault was opened: by its key, or as a profile's vault by the tokens' password
 * (`profile`), by a recovery code with the profile form's tokens (`recovery`: their password is
 * not known to open anything) or by a passkey (`passkey`: no tokens at all).
 */
export type OpenedBy =
  | { kind: 'key' }
  | { kind: 'profile'; tokens: ProfileTokens; username: string }
  | { kind: 'recovery'; tokens: ProfileTokens; username: string }
  | { kind: 'passkey' };

/** Whether the vault was opened as a profile's (which has key slots), however it was unlocked. */
export function isProfile(by: OpenedBy | undefined): boolean {
  return by !== undefined && by.kind !== 'key';
}

export interface Place {
  parent: Database;
  name: string;
}

class Session extends EventTarget {
  db: Database | undefined;
  by: OpenedBy | undefined;
  /** Where each loaded metatag sits: its parent and its name. */
  readonly #places = new WeakMap<Database, Place>();
  /** The loaded metatags of each database, by name. */
  readonly #children = new WeakMap<Database, Map<string, Database>>();
  /** Tags set (in the cache) but not saved, per database. */
  readonly #unsavedTags = new Map<Database, Set<string>>();
  /** Metatags created but not saved, per parent database. */
  readonly #unsavedMetatags = new Map<Database, Set<string>>();

  /** Announces a change of the session (opened, closed, edited, saved) to every view. */
  changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  async open(db: Database, by: OpenedBy): Promise<void> {
    await this.close();
    this.db = db;
    this.by = by;
    this.changed();
  }

  /** Closes the vault; its keys are released in the worker. Unsaved changes are lost. */
  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.by = undefined;
    this.#unsavedTags.clear();
    this.#unsavedMetatags.clear();
    if (db) await db.close().catch(() => undefined);
    this.changed();
  }

  /** A metatag of `parent`, remembering where it sits in the tree. */
  async child(parent: Database, name: string): Promise<Database> {
    const db = await parent.metatag(name);
    this.#places.set(db, { parent, name });
    let children = this.#children.get(parent);
    if (!children) {
      children = new Map();
      this.#children.set(parent, children);
    }
    children.set(name, db);
    return db;
  }

  /** The metatag `name` of `parent` if the page has loaded it, without loading (or creating) it. */
  loadedChild(parent: Database, name: string): Database | undefined {
    const db = this.#children.get(parent)?.get(name);
    return db && parent.metatags.includes(name) ? db : undefined;
  }

  place(db: Database): Place | undefined {
    return this.#places.get(db);
  }

  /** Names from the root to `db` (empty for the root). */
  path(db: Database): string[] {
    const out: string[] = [];
    for (let p = this.#places.get(db); p; p = this.#places.get(p.parent)) out.unshift(p.name);
    return out;
  }

  /** Whether `db` is `ancestor` or below it. */
  isWithin(db: Database, ancestor: Database): boolean {
    for (let d: Database | undefined = db; d; d = this.#places.get(d)?.parent) if (d === ancestor) return true;
    return false;
  }

  markTag(db: Database, tag: string): void {
    let set = this.#unsavedTags.get(db);
    if (!set) {
      set = new Set();
      this.#unsavedTags.set(db, set);
    }
    set.add(tag);
  }

  forgetTag(db: Database, tag: string): void {
    this.#unsavedTags.get(db)?.delete(tag);
  }

  markMetatag(parent: Database, name: string): void {
    let set = this.#unsavedMetatags.get(parent);
    if (!set) {
      set = new Set();
      this.#unsavedMetatags.set(parent, set);
    }
    set.add(name);
  }

  /** Forgets unsaved changes of `db` and everything below it (after it was deleted). */
  forgetTree(db: Database): void {
    for (const map of [this.#unsavedTags, this.#unsavedMetatags]) {
      for (const key of [...map.keys()]) if (this.isWithin(key, db)) map.delete(key);
    }
    const place = this.#places.get(db);
    if (place) this.#unsavedMetatags.get(place.parent)?.delete(place.name);
  }

  /** Everything was saved. */
  saved(): void {
    this.#unsavedTags.clear();
    this.#unsavedMetatags.clear();
  }

  isTagUnsaved(db: Database, tag: string): boolean {
    return this.#unsavedTags.get(db)?.has(tag) ?? false;
  }

  isMetatagUnsaved(parent: Database, name: string): boolean {
    return this.#unsavedMetatags.get(parent)?.has(name) ?? false;
  }

  /** Whether `db` or anything below it has unsaved changes. */
  hasUnsavedWithin(db: Database): boolean {
    for (const map of [this.#unsavedTags, this.#unsavedMetatags]) {
      for (const [key, set] of map) if (set.size && this.isWithin(key, db)) return true;
    }
    return false;
  }

  get unsavedCount(): number {
    let n = 0;
    for (const set of this.#unsavedTags.values()) n += set.size;
    for (const set of this.#unsavedMetatags.values()) n += set.size;
    return n;
  }
}

/** The page's one session. */
export const session = new Session();
