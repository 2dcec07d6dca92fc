// One vault open on the page (a root vault or a metatag): its engine handle, its cache, its
// metatags and its place in the tree. Database is its public face; this holds what the face
// delegates to, and talks to the engine in batches: one round trip per open, save or load.
import { AuthenticationError, DatabaseClosedError, ValidationError } from '../errors';
import type { EngineRemote } from '../wire/client';
import type { ChangedVault, CorruptRecord, Handle, OpenedVault, VaultChange, VaultEdit } from '../wire/protocol';
import { ChangeHub, type ChangeListener } from './change-hub';
import type { ChangeDetail } from './events';
import { Metatags } from './metatags';
import { type PendingWrite, TagCache } from './tag-cache';

/** Where a vault is and how it writes: shared by a vault and its metatags. */
export interface VaultPlace {
  engine: EngineRemote;
  directory: string;
  durability: IDBTransactionDurability;
}

/** A save's part for one vault: the change to commit, and what to mark saved after. */
interface Plan {
  vault: Vault;
  change: VaultEdit;
  pending: PendingWrite[];
}

export class Vault implements ChangeListener {
  readonly place: VaultPlace;
  readonly handle: Handle;
  readonly vaultId: string;
  readonly cache = new TagCache();
  readonly metatags: Metatags<Vault>;
  /** Dispatches this vault's `change` events (the Database). */
  readonly events = new EventTarget();
  readonly #parent: Vault | undefined;
  readonly #name: string | undefined;
  #corrupted: CorruptRecord[];
  /** True after close(), or once this metatag was deleted (set by close() only). */
  closed = false;
  /** Writes of the tree run one at a time: kept on the root. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Other tabs' changes apply one at a time, in the order they came. */
  #remoteQueue: Promise<void> = Promise.resolve();
  readonly #unlisten: (() => void) | undefined;

  private constructor(place: VaultPlace, opened: OpenedVault, parent?: Vault, name?: string) {
    this.place = place;
    this.handle = opened.handle;
    this.vaultId = opened.vaultId;
    this.#parent = parent;
    this.#name = name;
    this.metatags = new Metatags(opened.metatags);
    this.#corrupted = opened.corrupted;
    this.cache.remember(opened.tags);
    for (const c of opened.corrupted) if (c.kind === 'value') this.cache.markCorrupt(c.tag);
    this.#unlisten = ChangeHub.for(place.directory)?.listen(this.vaultId, this);
  }

  /**
   * Opens a vault in the engine, hearing other tabs' changes from *before* the engine reads
   * storage: those that land while it decrypts are applied once it is built.
   */
  static async open(place: VaultPlace, open: () => Promise<OpenedVault>, parent?: Vault, name?: string): Promise<Vault> {
    const opening = async () => new Vault(place, await open(), parent, name);
    return ChangeHub.opening(place.directory, opening, (vault, change) => vault.applyChange(change));
  }

  get engine(): EngineRemote {
    return this.place.engine;
  }

  get corrupted(): readonly CorruptRecord[] {
    return this.#corrupted;
  }

  /** Refuses use after close() or after this metatag was deleted from its parent. */
  assertOpen(): void {
    if (this.closed) throw new DatabaseClosedError();
  }

  // --- Reading --------------------------------------------------------------------------------

  /** The value of `tag`, loaded from storage when it is not cached. */
  async query(tag: string): Promise<unknown> {
    if (this.cache.isLoaded(tag)) return this.cache.get(tag);
    const result = await this.place.engine.loadTags(this.handle, { by: 'name', tags: [tag] });
    this.assertOpen(); // closed while it loaded: the value is not handed out
    if (result.corrupted.length > 0) {
      this.cache.markCorrupt(tag);
      for (const c of result.corrupted) this.#report(c);
      throw new AuthenticationError('the stored record of this tag failed authentication');
    }
    if (result.tags.orders.length === 0) return undefined;
    // set() while we were loading wins.
    if (!this.cache.isLoaded(tag)) this.cache.remember(result.tags);
    return this.cache.get(tag);
  }

  /** Loads every listed but not yet cached tag, in one round trip. */
  async loadAll(): Promise<void> {
    const ids = this.cache.unreadIds();
    if (ids.length === 0) return;
    const result = await this.place.engine.loadTags(this.handle, { by: 'id', tagIds: ids });
    this.assertOpen(); // closed while it loaded: nothing is cached again
    this.cache.fill(result.tags);
    const byId = result.corrupted.length > 0 ? this.cache.byId() : undefined;
    for (const c of result.corrupted) {
      // Asked by id: the name is the one this page listed for that id.
      const tag = byId!.get(c.tagId!);
      if (tag !== undefined) {
        this.cache.markCorrupt(tag);
        c.tag = tag;
      }
      this.#report(c);
    }
  }

  /** Adds a record that failed authentication to `corrupted` (once). */
  #report(c: CorruptRecord): void {
    if (!this.#corrupted.some((x) => x.tagId === c.tagId && x.kind === c.kind)) this.#corrupted = [...this.#corrupted, c];
  }

  // --- Writing --------------------------------------------------------------------------------

  #edit(part: Partial<VaultEdit>): VaultEdit {
    return { kind: 'edit', handle: this.handle, upserts: [], values: '', deletes: [], addMetatags: [], removeMetatags: [], removeTrees: [], ...part };
  }

  #commit(changes: VaultChange[]) {
    return this.place.engine.commit(this.place.directory, changes, this.place.durability);
  }

  /**
   * Runs writes of this vault's tree one at a time (concurrent saves never interleave). Each
   * starts with the closed check: a write queued when the vault closes is refused, not run
   * against the emptied cache (where a save would find nothing to write, and resolve).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const root = this.#root();
    const guarded = (): Promise<T> => {
      this.assertOpen();
      return fn();
    };
    const run = root.#queue.then(guarded, guarded);
    root.#queue = run.catch(() => undefined);
    return run;
  }

  #root(): Vault {
    return this.#parent ? this.#parent.#root() : this;
  }

  /** This vault and every metatag below it open on this page. */
  *tree(): Generator<Vault> {
    yield this;
    for (const child of this.metatags.children()) yield* child.tree();
  }

  /**
   * When this is a metatag not yet in its parent's stored header: the header changes that list
   * it there (and its parent in the grandparent's…), so what it saves is found after reopen.
   */
  #ancestorLinks(): Plan[] {
    const links: Plan[] = [];
    for (let v: Vault = this; v.#parent && v.#name !== undefined; v = v.#parent) {
      if (v.#parent.metatags.isPending(v.#name)) links.push({ vault: v.#parent, change: v.#parent.#edit({ addMetatags: [v.#name] }), pending: [] });
    }
    return links;
  }

  /** Commits the plans in one transaction and marks what they wrote saved. */
  async #write(plans: Plan[]): Promise<void> {
    const sent = plans.filter((p) => p.change.upserts.length || p.change.addMetatags.length);
    if (sent.length === 0) return;
    const result = await this.#commit(sent.map((p) => p.change));
    sent.forEach((p, i) => {
      p.pending.forEach((w, j) => {
        p.vault.cache.saved(w, result.ids[i]![j]!, result.orders[i]![j]!);
      });
      p.vault.metatags.stored(p.change.addMetatags);
    });
  }

  /** Writes every changed tag of the tree, and new metatags, in one transaction. */
  save(): Promise<void> {
    return this.exclusive(async () => {
      const plans: Plan[] = [];
      for (const vault of this.tree()) {
        const { upserts, values, pending } = await vault.cache.collect();
        plans.push({ vault, change: vault.#edit({ upserts, values, addMetatags: vault.metatags.pending() }), pending });
      }
      await this.#write([...plans, ...this.#ancestorLinks()]);
    });
  }

  /** Writes one tag now (and the header links that make a new metatag findable). */
  saveTag(tag: string): Promise<void> {
    return this.exclusive(async () => {
      if (!this.cache.has(tag)) throw new ValidationError('tag', 'is not in this database');
      const one = this.cache.collectOne(tag);
      if (!one) return; // stored and untouched: nothing to write
      const plan = { vault: this as Vault, change: this.#edit({ upserts: [one.upsert], values: one.pending.json }), pending: [one.pending] };
      await this.#write([plan, ...this.#ancestorLinks()]);
    });
  }

  /** Removes a tag from the cache and storage; its value (`undefined` when absent). */
  pop(tag: string): Promise<unknown> {
    return this.exclusive(async () => {
      if (!this.cache.has(tag)) return undefined;
      const stored = this.cache.isStored(tag);
      const value = this.cache.isLoaded(tag) ? this.cache.get(tag) : await this.query(tag).catch(() => undefined);
      if (stored) await this.#commit([this.#edit({ deletes: [tag] })]);
      this.cache.delete(tag);
      this.#corrupted = this.#corrupted.filter((c) => c.tag !== tag);
      return value;
    });
  }

  // --- Metatags -------------------------------------------------------------------------------

  /** The child vault `name`, opened on first use (refused, and closed again, when this vault closed meanwhile). */
  metatag(name: string, preload: boolean): Promise<Vault> {
    this.assertOpen();
    return this.metatags.child(name, async () => {
      const child = await Vault.open(this.place, () => this.place.engine.openVault({ kind: 'metatag', parent: this.handle, name, preload }), this, name);
      if (this.closed) {
        await child.close();
        throw new DatabaseClosedError();
      }
      return child;
    });
  }

  /** Paths of every metatag below this vault that this page knows of (saved or not). */
  #knownPaths(): string[][] {
    const out: string[][] = [];
    for (const name of this.metatags.list()) {
      out.push([name]);
      const child = this.metatags.opened(name);
      if (child) for (const p of child.#knownPaths()) out.push([name, ...p]);
    }
    return out;
  }

  /** Deletes metatag `name` and all its records (and its metatags'), now. */
  deleteMetatag(name: string): Promise<void> {
    return this.exclusive(async () => {
      const child = this.metatags.opened(name);
      const removeTrees = child ? child.#knownPaths().map((p) => [name, ...p]) : [];
      const result = await this.#commit([this.#edit({ removeMetatags: [name], removeTrees })]);
      this.#forget(name);
      const stored = result.metatags[0];
      if (stored) this.metatags.merge(stored);
    });
  }

  /** Deletes every record of this vault and its metatags, and empties the cache. */
  async deleteAll(): Promise<void> {
    const parent = this.#parent;
    if (parent && this.#name !== undefined && parent.metatags.includes(this.#name)) return parent.deleteMetatag(this.#name);
    await this.exclusive(async () => {
      await this.#commit([{ kind: 'drop', handle: this.handle, removeTrees: this.#knownPaths() }]);
      this.#clear();
    });
  }

  #forget(name: string): void {
    const child = this.metatags.forget(name);
    if (child) {
      child.#clear();
      void child.close();
    }
  }

  #clear(): void {
    this.cache.clear();
    this.#corrupted = [];
    for (const child of this.metatags.clear()) {
      child.#clear();
      void child.close();
    }
  }

  /** Copies every tag and metatag (recursively) of `from` into this vault's cache. */
  async mirror(from: Vault): Promise<void> {
    from.assertOpen();
    await from.loadAll();
    this.assertOpen();
    for (const [tag, value] of from.cache.entries(true)) this.cache.set(tag, value);
    for (const name of from.metatags.list()) {
      const [source, target] = await Promise.all([from.metatag(name, true), this.metatag(name, true)]);
      await target.mirror(source);
    }
  }

  /**
   * Marks this vault and its open metatags closed, forgets what they decrypted (values, tag names
   * and ids, metatag names, corrupt records; the values' UTF-8 bytes zero-filled) and releases
   * their keys in the engine. Idempotent.
   */
  async close(): Promise<void> {
    const closing = [...this.tree()].filter((vault) => !vault.closed);
    for (const vault of closing) {
      vault.closed = true;
      vault.#unlisten?.();
      vault.cache.wipe();
      vault.#corrupted = [];
      vault.metatags.clear();
    }
    for (const vault of closing) await vault.place.engine.closeVault(vault.handle).catch(() => undefined);
  }

  // --- Other tabs -----------------------------------------------------------------------------

  /** Another tab wrote to this vault: refresh what we cache, keep our unsaved changes. */
  applyChange(change: ChangedVault): void {
    // One at a time, in the order they came: a tag saved then popped must end popped.
    this.#remoteQueue = this.#remoteQueue.then(() => this.#applyChange(change)).catch(() => undefined);
  }

  async #applyChange(change: ChangedVault): Promise<void> {
    if (this.closed) return;
    const changed: string[] = [];
    const byId = this.cache.byId();
    const clean = (tag: string | undefined): tag is string => tag !== undefined && !this.cache.isDirty(tag);
    if (change.dropped) {
      for (const tag of this.cache.tags().filter(clean)) {
        this.cache.delete(tag);
        changed.push(tag);
      }
    }
    for (const id of change.deleted) {
      const tag = byId.get(id);
      if (clean(tag)) {
        this.cache.delete(tag);
        changed.push(tag);
      }
    }
    const toLoad = change.upserted.filter((id) => {
      const tag = byId.get(id);
      return tag === undefined || clean(tag);
    });
    if (toLoad.length) {
      const result = await this.place.engine.loadTags(this.handle, { by: 'id', tagIds: toLoad });
      if (this.closed) return;
      changed.push(...this.cache.remember(result.tags, (tag) => this.cache.isDirty(tag)));
    }
    let metatags = false;
    if (change.header && !change.dropped) {
      const stored = await this.place.engine.readMetatags(this.handle);
      if (this.closed) return;
      for (const name of this.metatags.goneFrom(stored)) this.#forget(name);
      this.metatags.merge(stored);
      metatags = true;
    }
    if (changed.length || metatags) this.events.dispatchEvent(new CustomEvent<ChangeDetail>('change', { detail: { tags: changed, metatags } }));
  }
}
