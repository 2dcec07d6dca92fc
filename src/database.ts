// The Database: the seed's API on the main thread. It keeps the decrypted cache and validates
// every argument; the engine (in its worker) holds the keys and does crypto and storage, and is
// called in batches: one round trip per open, save or load.
import { aBoolean, aBytes, aKey, anInteger, anOptions, aPositiveNumber, aString, aTag, describe } from './assert';
import { checkArgon2Cost, MAX_MEMORY_KIB, MIN_MEMORY_KIB } from './argon2-cost';
import { fromBase64Url, fromHex, fromUtf8, ownBytes, randomBytes, toBase64Url, toHex, utf8 } from './bytes';
import { engine, type EngineClient } from './engine-client';
import { AuthenticationError, DatabaseClosedError, InvalidHmacError, TagvaultError, ValidationError } from './errors';
import { assertJson, toJson } from './json';
import { Namespace } from './namespace';
import { parseTokenArguments, ProfileTokens, tokenSecrets, type ProfileTokenOptions } from './profile';
import type { ChangeMessage, CorruptRecord, Handle, KdfSettings, OpenedVault, ProfileRequest, RawRecord, VaultChange } from './protocol';
import type { PublicKind } from './vault-crypto';

/** Where no directory is given, vaults live in the IndexedDB database named "tagvault". */
export const DEFAULT_DIRECTORY = 'tagvault';

export interface OpenOptions {
  /** The IndexedDB database that holds the vault (default `"tagvault"`). */
  directory?: string;
  /** Decrypt every value at open (default `true`); with `false`, only tag names are loaded. */
  preload?: boolean;
  /**
   * IndexedDB durability of writes (default `"default"`: the browser's choice, as for any
   * IndexedDB write). Every save is atomic whatever this says; `"strict"` also makes the browser
   * flush to disk before the save resolves, so it survives a power cut, at a cost in speed.
   * Metatags use their parent's.
   */
  durability?: IDBTransactionDurability;
}

export interface ProfileOptions extends OpenOptions {
  /** Argon2id memory in KiB for a new profile's key (default 65,536 = 64 MiB). */
  kb?: number;
  /** Argon2id passes for a new profile's key (default 3). */
  cpu?: number;
}

export interface EncryptOptions {
  /** Binds the ciphertext to a name: it decrypts only with the same filename (default `""`). */
  filename?: string;
}

export interface DecryptOptions extends EncryptOptions {
  /** Refuse ciphertexts older than this many seconds with a {@link TimeoutError}. */
  ttl?: number;
}

/** For large data: move the bytes to the engine's worker instead of copying them. */
interface Transfer {
  /**
   * Move the bytes' ArrayBuffer to the engine's worker instead of copying it (faster, and half
   * the memory, for large data): the array you pass is left detached (empty). Only an array that
   * spans its whole ArrayBuffer is moved; any other is copied as without this option.
   */
  transfer?: boolean;
}

export interface BytesEncryptOptions extends EncryptOptions, Transfer {}
export interface BytesDecryptOptions extends DecryptOptions, Transfer {}

export interface UuidOptions {
  /** Length of each UUID in hex characters, 8 to 64 (default 64). */
  size?: number;
  /** 64 hex characters; a random salt when omitted. Reuse it to get the same UUIDs again. */
  salt?: string;
}

export interface PasscryptOptions {
  /** Memory in KiB (default 65,536). */
  kb?: number;
  /** Passes over memory (default 3). */
  cpu?: number;
  /** A floor on memory in KiB: memory = max(kb, hardness) (default 1,024). */
  hardness?: number;
}

/** A UUID generator from {@link Database.uuids}. */
export interface UuidGenerator {
  /** The keyed UUID of a JSON-serialisable value. */
  (value: unknown): Promise<string>;
  /** The salt in use (hex); with `{ exit: true }` the generator ends and refuses further values. */
  result(options?: { exit?: boolean }): string;
}

/** Detail of the `change` event a Database dispatches when another tab changed its vault. */
export interface ChangeDetail {
  /** Tags added, changed or removed by the other tab. */
  tags: string[];
  /** True when the metatag list changed. */
  metatags: boolean;
}

const DEFAULT_KB = 65536;
const DEFAULT_CPU = 3;
const DEFAULT_HARDNESS = 1024;
const MAX_FILENAME = 65536;

const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

interface TagState {
  id: string | undefined;
  /** Creation order in storage (undefined until first saved). */
  order: number | undefined;
  loaded: boolean;
  /** False while the value is only its stored JSON (`savedJson`): parsed on first read, so
   * opening stays cheap and untouched tags need no re-serialising at save. */
  parsed: boolean;
  value: unknown;
  /** JSON of what is stored, to skip unchanged tags at save: UTF-8 bytes as loaded, text once used. */
  savedJson: string | Uint8Array | undefined;
  /** Bumped by every set(): a save clears `dirty` only if no set() happened meanwhile. */
  version: number;
  dirty: boolean;
  corrupt: boolean;
}

/** Gives the event loop a turn between slices of long work (a message: no 4 ms timer clamp; not
 * scheduler.yield(), whose continuations jump ahead of the page's queued timers). */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/** The stored JSON of a tag as text, decoded from UTF-8 on first use. */
function savedText(state: TagState): string | undefined {
  if (state.savedJson instanceof Uint8Array) state.savedJson = fromUtf8(state.savedJson);
  return state.savedJson;
}

/** The value of a loaded tag, parsing its stored JSON on first use. */
function valueOf(state: TagState): unknown {
  if (!state.parsed) {
    state.value = JSON.parse(savedText(state)!);
    state.parsed = true;
  }
  return state.value;
}

/** Listens for other tabs' writes to one directory and routes them to open databases. */
class ChangeHub {
  static readonly #hubs = new Map<string, ChangeHub>();
  readonly #byVault = new Map<string, Set<WeakRef<Database>>>();
  /** Messages kept for databases being opened (they read storage before they can register). */
  readonly #early = new Set<ChangeMessage[]>();

  static for(directory: string): ChangeHub | undefined {
    if (typeof BroadcastChannel === 'undefined') return undefined;
    let hub = ChangeHub.#hubs.get(directory);
    if (!hub) {
      hub = new ChangeHub(directory);
      ChangeHub.#hubs.set(directory, hub);
    }
    return hub;
  }

  private constructor(directory: string) {
    const channel = new BroadcastChannel(`tagvault:${directory}`);
    channel.onmessage = async (event: MessageEvent<ChangeMessage>) => {
      const message = event.data;
      if (message?.type !== 'tagvault:change') return;
      if (message.source === (await engine().id)) return; // our own write
      for (const early of this.#early) early.push(message);
      for (const change of message.vaults) {
        for (const ref of this.#byVault.get(change.vaultId) ?? []) {
          const db = ref.deref();
          if (db) void Database._applyRemoteChange(db, change).catch(() => undefined);
        }
      }
    };
  }

  add(vaultId: string, db: Database): WeakRef<Database> {
    const ref = new WeakRef(db);
    let set = this.#byVault.get(vaultId);
    if (!set) this.#byVault.set(vaultId, (set = new Set()));
    set.add(ref);
    return ref;
  }

  remove(vaultId: string, ref: WeakRef<Database>): void {
    this.#byVault.get(vaultId)?.delete(ref);
  }

  /** Starts keeping every change message, for a database about to read storage. */
  keep(): ChangeMessage[] {
    const early: ChangeMessage[] = [];
    this.#early.add(early);
    return early;
  }

  stopKeeping(early: ChangeMessage[]): void {
    this.#early.delete(early);
  }
}

/**
 * An encrypted, persistent database of JSON values under string tags, stored in IndexedDB.
 * Tag names and values are encrypted (XAES-256-GCM) under keys derived from one 512-bit key;
 * the keys never leave the engine's Web Worker.
 *
 * Reads from the cache (`get`, `has`, `tags`) are synchronous; anything that touches storage or
 * crypto returns a Promise.
 * @example
 * const key = Keys.csprng();
 * await using db = await Database.open(key);
 * db.set('lawyer', { '#': '555-555-1000', $: 13000.5 });
 * await db.saveTag('lawyer');
 */
export class Database extends EventTarget {
  /** The IndexedDB database this vault lives in. */
  readonly directory: string;
  readonly #engine: EngineClient;
  readonly #handle: Handle;
  readonly #vaultId: string;
  readonly #parent: Database | undefined;
  readonly #name: string | undefined;
  readonly #tags = new Map<string, TagState>();
  readonly #metatags: string[];
  readonly #pendingMetatags = new Set<string>();
  readonly #children = new Map<string, Promise<Database>>();
  readonly #loadedChildren = new Map<string, Database>();
  #corrupted: CorruptRecord[];
  #queue: Promise<unknown> = Promise.resolve();
  #hubRef: WeakRef<Database> | undefined;
  #closed = false;
  #remoteQueue: Promise<void> = Promise.resolve();
  readonly #durability: IDBTransactionDurability;

  private constructor(
    client: EngineClient,
    directory: string,
    opened: OpenedVault,
    durability: IDBTransactionDurability,
    parent?: Database,
    name?: string,
  ) {
    super();
    this.directory = directory;
    this.#durability = durability;
    this.#engine = client;
    this.#handle = opened.handle;
    this.#vaultId = opened.vaultId;
    this.#parent = parent;
    this.#name = name;
    this.#metatags = [...opened.metatags];
    this.#corrupted = opened.corrupted;
    const { names, nameLengths, ids, orders, values, valueBuffers, valueOffsets, valueLengths } = opened.tags;
    let at = 0;
    for (let i = 0; i < orders.length; i++) {
      const tag = names.slice(at, (at += nameLengths[i]!));
      const id = ids.slice(i * 43, (i + 1) * 43);
      // The value stays UTF-8 (a view into a transferred buffer) until it is first read.
      const length = valueLengths?.[i] ?? 0;
      const offset = valueOffsets?.[i] ?? 0;
      this.#remember(tag, id, orders[i]!, length > 0 ? values![valueBuffers![i]!]!.subarray(offset, offset + length) : undefined);
    }
    for (const c of opened.corrupted) {
      if (c.kind === 'value' && c.tag !== undefined) {
        const state = this.#tags.get(c.tag);
        if (state) state.corrupt = true;
      }
    }
    this.#hubRef = ChangeHub.for(directory)?.add(this.#vaultId, this);
  }

  /** Refuses use after close() or after this metatag was deleted from its parent. */
  #open(): void {
    if (this.#closed) throw new DatabaseClosedError('this database was closed (or its metatag deleted) and cannot be used');
  }

  /** Marks this database and its loaded metatags closed and releases their keys in the engine. */
  async #closeTree(): Promise<void> {
    for (const db of [...this.#tree()]) {
      if (db.#closed) continue;
      db.#closed = true;
      if (db.#hubRef) ChangeHub.for(db.directory)?.remove(db.#vaultId, db.#hubRef);
      await db.#engine.call('closeVault', db.#handle).catch(() => undefined);
    }
  }

  #remember(tag: string, id: string, order: number, json: string | Uint8Array | undefined): void {
    const loaded = json !== undefined;
    this.#tags.set(tag, {
      id,
      order,
      loaded,
      parsed: false,
      value: undefined,
      savedJson: json,
      version: 0,
      dirty: false,
      corrupt: false,
    });
  }

  // --- Opening --------------------------------------------------------------------------------

  /**
   * Opens a vault in the engine and builds its Database, hearing other tabs' changes from *before*
   * the engine reads storage: those that land while it decrypts are replayed once it is built.
   */
  static async #build(
    client: EngineClient,
    directory: string,
    durability: IDBTransactionDurability,
    open: () => Promise<OpenedVault>,
    parent?: Database,
    name?: string,
  ): Promise<Database> {
    const hub = ChangeHub.for(directory);
    const early = hub?.keep();
    try {
      const opened = await open();
      const db = new Database(client, directory, opened, durability, parent, name);
      for (const message of early ?? []) {
        for (const change of message.vaults) {
          if (change.vaultId === opened.vaultId) void Database._applyRemoteChange(db, change).catch(() => undefined);
        }
      }
      return db;
    } finally {
      if (hub && early) hub.stopKeeping(early);
    }
  }

  /**
   * Opens (or starts) the vault of `key` in `directory`. A new key gives a new, empty vault;
   * nothing is written until you save.
   * @param key 64 bytes (e.g. from {@link Keys.csprng}) or 128 hex characters.
   * @throws {ValidationError} for a key that is not 64 bytes, or bad options.
   * @example
   * const db = await Database.open(Keys.csprng(), { directory: 'my-app', preload: false });
   */
  static async open(key: Uint8Array | string, options?: OpenOptions): Promise<Database> {
    const root = aKey(key);
    const { directory, preload, durability } = parseOpenOptions(options);
    const client = engine();
    return Database.#build(client, directory, durability, () => client.call('openVault', { directory, root, preload }));
  }

  /**
   * Turns credentials into profile tokens: any number of credential strings, then
   * `{ username, password, salt? }`. The profile's id comes from the credentials, user name and
   * salt; the password is only used, in the worker, to derive the key that unlocks the vault.
   * @example
   * const tokens = await Database.generateProfileTokens('server-url.com', 'address@email.net', {
   *   username: 'username', password: 'password', salt: 'optional salt',
   * });
   */
  static async generateProfileTokens(...args: [...credentials: string[], options: ProfileTokenOptions]): Promise<ProfileTokens> {
    const { credentials, options } = parseTokenArguments(args);
    return ProfileTokens._create(credentials, options);
  }

  /**
   * Opens the profile's vault, creating the profile (a random root key wrapped under a key
   * derived from the password with Argon2id) when it does not exist yet.
   * @throws {AuthenticationError} when the profile exists and the password is wrong.
   */
  static async generateProfile(tokens: ProfileTokens, options?: ProfileOptions): Promise<Database> {
    const { directory, preload, durability, kdf } = parseProfileOptions(options);
    const client = engine();
    const request = profileRequest(tokens, directory);
    return Database.#build(client, directory, durability, () => client.call('openProfile', request, kdf, preload));
  }

  /**
   * Opens an existing profile's vault.
   * @throws {ProfileNotFoundError} when there is no such profile in the directory.
   * @throws {AuthenticationError} when the password is wrong.
   */
  static async loadProfile(tokens: ProfileTokens, options?: OpenOptions): Promise<Database> {
    const { directory, preload, durability } = parseOpenOptions(options);
    const client = engine();
    const request = profileRequest(tokens, directory);
    return Database.#build(client, directory, durability, () => client.call('openProfile', request, undefined, preload));
  }

  /** Whether a profile exists for these tokens in the directory. */
  static async profileExists(tokens: ProfileTokens, options?: Pick<OpenOptions, 'directory'>): Promise<boolean> {
    tokenSecrets(tokens);
    const { directory } = parseOpenOptions(options, ['directory']);
    return engine().call('profileExists', directory, tokens.profileId);
  }

  /**
   * Deletes the profile and its whole vault (tags and metatags).
   * @throws {ProfileNotFoundError} · {AuthenticationError} for a wrong password.
   */
  static async deleteProfile(tokens: ProfileTokens, options?: Pick<OpenOptions, 'directory'>): Promise<void> {
    const { directory } = parseOpenOptions(options, ['directory']);
    await engine().call('deleteProfile', profileRequest(tokens, directory));
  }

  /**
   * Changes a profile's password. The vault's root key is re-wrapped under the new password:
   * one record is written and no data is re-encrypted. Returns tokens carrying the new password.
   * Options `kb`/`cpu` set new Argon2id costs (default: keep the stored ones).
   * @throws {AuthenticationError} when the current password (in `tokens`) is wrong.
   */
  static async changeProfilePassword(
    tokens: ProfileTokens,
    newPassword: string,
    options?: Pick<ProfileOptions, 'directory' | 'kb' | 'cpu'>,
  ): Promise<ProfileTokens> {
    const password = aString(newPassword, 'newPassword', { nonEmpty: true, max: 65536 });
    const opts = anOptions<ProfileOptions>(options, 'options', ['directory', 'kb', 'cpu']);
    const { directory } = parseOpenOptions({ ...(opts.directory !== undefined ? { directory: opts.directory } : {}) });
    const kdf = opts.kb === undefined && opts.cpu === undefined ? undefined : parseKdf(opts.kb, opts.cpu);
    await engine().call('changePassword', profileRequest(tokens, directory), password, kdf);
    return ProfileTokens._withPassword(tokens, password);
  }

  /** 32 random bytes as 64 hex characters. */
  static generateSalt(): string {
    return toHex(randomBytes(32));
  }

  /** Url-safe base64 (no padding) of bytes, or of a string's UTF-8. */
  static base64Encode(data: Uint8Array | string): string {
    if (typeof data === 'string') return toBase64Url(utf8(aString(data, 'data')));
    return toBase64Url(aBytes(data, 'data'));
  }

  /** Bytes of url-safe (or standard) base64. */
  static base64Decode(text: string): Uint8Array {
    const bytes = fromBase64Url(aString(text, 'text').replace(/\+/g, '-').replace(/\//g, '_'));
    if (!bytes) throw new ValidationError('text', 'is not valid base64');
    return bytes;
  }

  // --- Tags -----------------------------------------------------------------------------------

  /** The tags of this database (saved and unsaved), in insertion order. */
  get tags(): string[] {
    return [...this.#tags.keys()];
  }

  /** How many tags. */
  get size(): number {
    return this.#tags.size;
  }

  /** The names of this database's metatags (child databases). */
  get metatags(): string[] {
    return [...this.#metatags];
  }

  /** Records that failed authentication when read: they are skipped, and reading them throws. */
  get corrupted(): readonly CorruptRecord[] {
    return this.#corrupted;
  }

  /** Whether `tag` is in this database (loaded or not). */
  has(tag: string): boolean {
    if (this.#closed) this.#open();
    if (this.#tags.has(tag)) return true;
    aTag(tag); // only a miss needs the full check: set() let no bad tag in
    return false;
  }

  /**
   * The cached value of `tag`, or `undefined` when it is absent or not loaded yet (after
   * `preload: false`; use {@link query}).
   * @throws {AuthenticationError} when the tag's stored value failed authentication.
   */
  get(tag: string): unknown {
    if (this.#closed) this.#open();
    // The hot path is one Map lookup: a hit is a valid tag (set() let no bad tag in).
    const state = this.#tags.get(tag);
    if (state === undefined) {
      aTag(tag);
      return undefined;
    }
    if (state.corrupt) throw new AuthenticationError(`the stored value of this tag failed authentication`);
    return state.loaded ? valueOf(state) : undefined;
  }

  /**
   * Sets `tag` to a JSON-serialisable value, in the cache. Nothing is written until
   * {@link save} or {@link saveTag}.
   * @throws {ValidationError} for an empty tag or a value JSON cannot round-trip (functions,
   * `undefined`, BigInt, cycles, NaN/Infinity, class instances); nothing is changed.
   * @example
   * db.set('safehouses', ['Dublin Forgery', 'NY Insurrection']);
   */
  set(tag: string, value: unknown): this {
    this.#open();
    aTag(tag);
    assertJson(value, 'value');
    const state = this.#tags.get(tag);
    if (state) {
      state.value = value;
      state.parsed = true;
      state.loaded = true;
      state.corrupt = false;
      state.dirty = true;
      state.version++;
    } else {
      this.#tags.set(tag, { id: undefined, order: undefined, loaded: true, parsed: true, value, savedJson: undefined, version: 1, dirty: true, corrupt: false });
    }
    return this;
  }

  /**
   * The value of `tag`, loaded from storage when it is not cached.
   * @throws {AuthenticationError} when the stored record fails authentication.
   */
  async query(tag: string): Promise<unknown> {
    this.#open();
    aTag(tag);
    const state = this.#tags.get(tag);
    if (state?.loaded) return valueOf(state);
    const result = await this.#engine.call('loadTags', this.#handle, { tags: [tag] });
    if (result.corrupted.length > 0) {
      const s = this.#tags.get(tag);
      if (s) s.corrupt = true;
      for (const c of result.corrupted) this.#report(c);
      throw new AuthenticationError(`the stored record of this tag failed authentication`);
    }
    const loaded = result.tags[0];
    if (!loaded || loaded.json === undefined) return undefined;
    const current = this.#tags.get(tag);
    if (current?.loaded) return valueOf(current); // set() while we were loading wins
    this.#remember(loaded.tag, loaded.tagId, loaded.order, loaded.json);
    return valueOf(this.#tags.get(tag)!);
  }

  /**
   * Removes `tag` from the cache and from storage, and returns its value (`undefined` when absent).
   */
  async pop(tag: string): Promise<unknown> {
    this.#open();
    aTag(tag);
    return this.#exclusive(async () => {
      const state = this.#tags.get(tag);
      if (!state) return undefined;
      const value = state.loaded ? valueOf(state) : await this.query(tag).catch(() => undefined);
      if (state.id !== undefined || state.savedJson !== undefined || !state.loaded) {
        await this.#commit([this.#emptyChange({ deletes: [tag] })]);
      }
      this.#tags.delete(tag);
      this.#corrupted = this.#corrupted.filter((c) => c.tag !== tag);
      return value;
    });
  }

  /**
   * Writes one tag to storage now, whatever the size of the vault: its one record (and, for a new
   * tag, its name in a name block).
   * @throws {ValidationError} when the tag is not in this database.
   */
  async saveTag(tag: string): Promise<void> {
    this.#open();
    aTag(tag);
    await this.#exclusive(async () => {
      const state = this.#tags.get(tag);
      if (!state) throw new ValidationError('tag', 'is not in this database');
      if (!state.loaded) return; // stored and untouched: nothing to write
      const json = state.parsed ? toJson(state.value, 'value') : savedText(state)!;
      const version = state.version;
      const upsert = { tag, ...(state.order !== undefined ? { order: state.order } : {}) };
      const links = this.#ancestorLinks();
      const result = await this.#commit([this.#emptyChange({ upserts: [upsert], values: json }), ...links.map((l) => l.change)]);
      for (const l of links) l.db.#pendingMetatags.delete(l.change.addMetatags[0]!);
      state.id = result.ids[0]![0];
      state.order = result.orders[0]![0];
      state.savedJson = json;
      if (state.version === version) state.dirty = false;
    });
  }

  /**
   * Writes every changed tag, this database's metatags and theirs, in one IndexedDB
   * transaction: all of it or nothing. Unchanged tags are not re-encrypted.
   * @throws {ValidationError} when a cached value is no longer JSON-serialisable (nothing is written).
   */
  async save(): Promise<void> {
    this.#open();
    await this.#exclusive(async () => {
      const plan: { db: Database; change: VaultChange; sent: { state: TagState; json: string; version: number }[] }[] = [];
      for (const db of this.#tree()) plan.push(await db.#collect());
      plan.push(...this.#ancestorLinks());
      const changes = plan.map((p) => p.change).filter((c) => c.upserts.length || c.addMetatags.length);
      if (changes.length === 0) return;
      const result = await this.#commit(changes);
      let i = 0;
      for (const p of plan) {
        if (!(p.change.upserts.length || p.change.addMetatags.length)) continue;
        const ids = result.ids[i]!;
        const orders = result.orders[i]!;
        p.sent.forEach((s, j) => {
          s.state.id = ids[j];
          s.state.order = orders[j];
          s.state.savedJson = s.json;
          if (s.state.version === s.version) s.state.dirty = false;
        });
        for (const m of p.change.addMetatags) p.db.#pendingMetatags.delete(m);
        i++;
      }
    });
  }

  /**
   * When this is a metatag not yet in its parent's stored header: the header changes that list
   * it there (and its parent in the grandparent's…), so what it saves is found after reopen.
   */
  #ancestorLinks(): { db: Database; change: VaultChange; sent: [] }[] {
    const links: { db: Database; change: VaultChange; sent: [] }[] = [];
    for (let db: Database = this; db.#parent && db.#name !== undefined; db = db.#parent) {
      if (db.#parent.#pendingMetatags.has(db.#name)) {
        links.push({ db: db.#parent, change: db.#parent.#emptyChange({ addMetatags: [db.#name] }), sent: [] });
      }
    }
    return links;
  }

  /** This database and every loaded metatag below it. */
  *#tree(): Generator<Database> {
    yield this;
    for (const child of this.#loadedChildren.values()) yield* child.#tree();
  }

  /** What `save` writes for this vault: changed tags (validated now) and new metatags. */
  async #collect(): Promise<{ db: Database; change: VaultChange; sent: { state: TagState; json: string; version: number }[] }> {
    const sent: { state: TagState; json: string; version: number }[] = [];
    const upserts: VaultChange['upserts'] = [];
    const texts: string[] = [];
    let slice = performance.now();
    for (const [tag, state] of this.#tags) {
      // Not loaded, or loaded but never handed out (still its stored JSON): unchanged.
      if (!state.loaded || (!state.parsed && !state.dirty)) continue;
      const json = toJson(state.value, `value of a tag`);
      if (!state.dirty && json === savedText(state)) continue;
      upserts.push({ tag, ...(state.order !== undefined ? { order: state.order } : {}) });
      texts.push(json);
      sent.push({ state, json, version: state.version });
      // Serialising thousands of values is long work: let the page breathe every few ms.
      if ((sent.length & 63) === 0 && performance.now() - slice > 8) {
        await yieldToPage();
        slice = performance.now();
      }
    }
    const change = this.#emptyChange({ upserts, values: texts.join('\0'), addMetatags: [...this.#pendingMetatags] });
    return { db: this, change, sent };
  }

  #commit(changes: VaultChange[]) {
    return this.#engine.call('commit', this.directory, changes, this.#durability);
  }

  #emptyChange(part: Partial<VaultChange>): VaultChange {
    return { handle: this.#handle, upserts: [], values: '', deletes: [], addMetatags: [], removeMetatags: [], ...part };
  }

  /** Runs writes of this database tree one at a time (concurrent saves never interleave). */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const root = this.#root();
    const run = root.#queue.then(fn, fn);
    root.#queue = run.catch(() => undefined);
    return run;
  }

  #root(): Database {
    return this.#parent ? this.#parent.#root() : this;
  }

  /** `[tag, value]` for every tag, loading what is not cached (in one batch). Corrupt tags are skipped. */
  async *[Symbol.asyncIterator](): AsyncGenerator<[string, unknown]> {
    await this.#loadAll();
    for (const [tag, state] of [...this.#tags]) {
      if (state.loaded && !state.corrupt) yield [tag, valueOf(state)];
    }
  }

  /** Loads every listed but not yet cached tag, in one round trip. */
  async #loadAll(): Promise<void> {
    const ids = [...this.#tags.values()].filter((s) => !s.loaded && !s.corrupt && s.id !== undefined).map((s) => s.id!);
    if (ids.length === 0) return;
    const result = await this.#engine.call('loadTags', this.#handle, { tagIds: ids });
    for (const t of result.tags) {
      const state = this.#tags.get(t.tag);
      if (!state || state.loaded || t.json === undefined) continue;
      state.parsed = false;
      state.savedJson = t.json;
      state.loaded = true;
    }
    for (const c of result.corrupted) {
      // Asked by id: the name is the one this database listed for that id.
      const entry = [...this.#tags].find(([, s]) => s.id === c.tagId);
      if (entry) {
        entry[1].corrupt = true;
        c.tag = entry[0];
      }
      this.#report(c);
    }
  }

  /** Adds a record that failed authentication to `corrupted` (once). */
  #report(c: CorruptRecord): void {
    if (!this.#corrupted.some((x) => x.tagId === c.tagId && x.kind === c.kind)) this.#corrupted = [...this.#corrupted, c];
  }

  /** Saves on `await using` disposal. */
  async [asyncDispose](): Promise<void> {
    await this.save();
  }

  // --- Metatags -------------------------------------------------------------------------------

  /**
   * The child database `name`, created if new (listed in {@link metatags}, saved with this
   * one). Its keys are derived from this database's; its key cannot open this one. Repeated
   * calls give the same instance.
   */
  metatag(name: string, options?: Pick<OpenOptions, 'preload'>): Promise<Database> {
    this.#open();
    aTag(name, 'name');
    const { preload } = parseOpenOptions(options, ['preload']);
    let child = this.#children.get(name);
    if (!child) {
      const opening = () => this.#engine.call('openVault', { directory: this.directory, parent: this.#handle, name, preload });
      child = Database.#build(this.#engine, this.directory, this.#durability, opening, this, name).then((db) => {
        if (!this.#metatags.includes(name)) {
          this.#metatags.push(name);
          this.#pendingMetatags.add(name);
        }
        this.#loadedChildren.set(name, db);
        return db;
      });
      this.#children.set(name, child);
      child.catch(() => this.#children.delete(name));
    }
    return child;
  }

  /** Deletes metatag `name` and all its records (and its metatags'), now. */
  async deleteMetatag(name: string): Promise<void> {
    this.#open();
    aTag(name, 'name');
    if (!this.#metatags.includes(name)) throw new ValidationError('name', 'is not a metatag of this database');
    await this.#exclusive(async () => {
      const child = this.#loadedChildren.get(name);
      const removeTrees = child ? child.#knownPaths().map((p) => [name, ...p]) : [];
      const result = await this.#commit([this.#emptyChange({ removeMetatags: [name], removeTrees })]);
      this.#forgetMetatag(name);
      const stored = result.metatags[0];
      if (stored) this.#mergeMetatags(stored);
    });
  }

  /** Paths of every metatag below this database that this page knows of (saved or not). */
  #knownPaths(): string[][] {
    const out: string[][] = [];
    for (const name of this.#metatags) {
      out.push([name]);
      const child = this.#loadedChildren.get(name);
      if (child) for (const p of child.#knownPaths()) out.push([name, ...p]);
    }
    return out;
  }

  #forgetMetatag(name: string): void {
    const i = this.#metatags.indexOf(name);
    if (i >= 0) this.#metatags.splice(i, 1);
    this.#pendingMetatags.delete(name);
    const child = this.#loadedChildren.get(name);
    this.#loadedChildren.delete(name);
    this.#children.delete(name);
    if (child) {
      child.#clear();
      void child.#closeTree();
    }
  }

  #mergeMetatags(stored: string[]): void {
    const next = [...stored, ...[...this.#pendingMetatags].filter((m) => !stored.includes(m))];
    this.#metatags.splice(0, this.#metatags.length, ...next);
  }

  #clear(): void {
    this.#tags.clear();
    this.#corrupted = [];
    for (const name of [...this.#loadedChildren.keys()]) this.#forgetMetatag(name);
    this.#metatags.length = 0;
    this.#pendingMetatags.clear();
  }

  // --- Management -----------------------------------------------------------------------------

  /**
   * Deletes every record of this database and its metatags from storage, and empties the
   * cache. Other vaults in the directory are untouched. The instance stays usable (empty).
   */
  async deleteDatabase(): Promise<void> {
    this.#open();
    if (this.#parent && this.#name !== undefined) {
      const parent = this.#parent;
      if (parent.#metatags.includes(this.#name)) return parent.deleteMetatag(this.#name);
    }
    await this.#exclusive(async () => {
      await this.#commit([this.#emptyChange({ drop: true, removeTrees: this.#knownPaths() })]);
      this.#clear();
    });
  }

  /**
   * Copies every tag and metatag (recursively) of `other` into this database, under this
   * database's keys: the way to rotate a key. Values are copied, not shared. Save to persist.
   */
  async mirrorDatabase(other: Database): Promise<void> {
    this.#open();
    if (!(other instanceof Database)) throw new ValidationError('other', `expected a Database, got ${describe(other)}`);
    if (other === this) throw new ValidationError('other', 'is this same database');
    await other.#loadAll();
    for (const [tag, state] of other.#tags) {
      if (state.loaded && !state.corrupt) this.set(tag, state.parsed ? structuredClone(state.value) : JSON.parse(savedText(state)!));
    }
    for (const name of other.metatags) {
      const [from, to] = await Promise.all([other.metatag(name), this.metatag(name)]);
      await to.mirrorDatabase(from);
    }
  }

  /**
   * A frozen {@link Namespace} of the cached tags: `ns[tag]`, `keys()`, `values()`, iteration.
   * Tags not loaded yet (after `preload: false`) are not included; corrupt ones neither.
   */
  intoNamespace(): Namespace {
    this.#open();
    const entries: [string, unknown][] = [];
    for (const [tag, state] of this.#tags) if (state.loaded && !state.corrupt) entries.push([tag, valueOf(state)]);
    return new Namespace(entries);
  }

  /** Every raw IndexedDB record of this database's directory (what an attacker with the disk sees). */
  async rawRecords(): Promise<RawRecord[]> {
    return this.#engine.call('dump', this.directory);
  }

  /**
   * The id under which `tag` is stored (HMAC-SHA-256 under this vault's tag-id key, url-safe
   * base64): the second part of its raw records' keys `[vaultId, tagId]`. Not secret, but it
   * reveals nothing of the tag without the key.
   */
  async tagId(tag: string): Promise<string> {
    this.#open();
    aTag(tag);
    const [id] = await this.#engine.call('tagIds', this.#handle, [tag]);
    return id!;
  }

  /**
   * Tags changed by `set()` since they were last saved (in-place changes to cached objects are
   * found by `save()` itself, so they are not listed here).
   */
  get unsaved(): string[] {
    const out: string[] = [];
    for (const [tag, state] of this.#tags) if (state.dirty) out.push(tag);
    return out;
  }

  /** The id of this vault in storage (derived from its key; not secret). */
  get vaultId(): string {
    return this.#vaultId;
  }

  /**
   * Releases the keys in the engine and stops listening to other tabs, for this database and its
   * metatags. Unsaved changes are dropped (save first); the instance then refuses to be used.
   */
  async close(): Promise<void> {
    await this.#closeTree();
  }

  /** True after {@link close}, or once this metatag was deleted. */
  get closed(): boolean {
    return this.#closed;
  }

  /** @internal Another tab wrote to this vault: refresh what we cache, keep our unsaved changes. */
  static _applyRemoteChange(db: Database, change: ChangeMessage['vaults'][number]): Promise<void> {
    // One at a time, in the order they came: a tag saved then popped must end popped.
    const run = db.#remoteQueue.then(() => Database.#applyRemoteChange(db, change));
    db.#remoteQueue = run.catch(() => undefined);
    return run;
  }

  static async #applyRemoteChange(db: Database, change: ChangeMessage['vaults'][number]): Promise<void> {
    const changed: string[] = [];
    const byId = new Map<string, [string, TagState]>();
    for (const entry of db.#tags) if (entry[1].id !== undefined) byId.set(entry[1].id, entry);
    if (change.dropped) {
      for (const [tag, state] of [...db.#tags]) {
        if (!state.dirty) {
          db.#tags.delete(tag);
          changed.push(tag);
        }
      }
    }
    for (const id of change.deleted) {
      const entry = byId.get(id);
      if (entry && !entry[1].dirty) {
        db.#tags.delete(entry[0]);
        changed.push(entry[0]);
      }
    }
    const toLoad = change.upserted.filter((id) => !byId.get(id)?.[1].dirty);
    if (toLoad.length) {
      const result = await db.#engine.call('loadTags', db.#handle, { tagIds: toLoad });
      for (const t of result.tags) {
        const state = db.#tags.get(t.tag);
        if (state?.dirty) continue;
        db.#remember(t.tag, t.tagId, t.order, t.json);
        changed.push(t.tag);
      }
    }
    let metatags = false;
    if (change.header && !change.dropped) {
      const stored = await db.#engine.call('readMetatags', db.#handle);
      for (const name of db.#metatags.filter((m) => !stored.includes(m) && !db.#pendingMetatags.has(m))) db.#forgetMetatag(name);
      db.#mergeMetatags(stored);
      metatags = true;
    }
    if (changed.length || metatags) {
      db.dispatchEvent(new CustomEvent<ChangeDetail>('change', { detail: { tags: changed, metatags } }));
    }
  }

  // --- Public cryptography, keyed by this vault -----------------------------------------------

  /**
   * Encrypts a JSON-serialisable value; returns url-safe base64 text.
   * @example
   * const ct = await db.jsonEncrypt(['carrots', 'rice'], { filename: 'grocery list' });
   */
  async jsonEncrypt(value: unknown, options?: EncryptOptions): Promise<string> {
    const json = toJson(value, 'value');
    const { filename } = parseEncryptOptions(options);
    return toBase64Url(await this.#engine.call('encrypt', this.#handle, utf8(json), 'json', filename));
  }

  /**
   * Decrypts what {@link jsonEncrypt} made.
   * @throws {AuthenticationError} wrong key or filename, or altered ciphertext.
   * @throws {TimeoutError} older than `ttl` seconds (`.value` = whole seconds past it).
   */
  async jsonDecrypt(ciphertext: string | Uint8Array, options?: DecryptOptions): Promise<unknown> {
    const bytes = await this.#decrypt(ciphertext, 'json', options as BytesDecryptOptions | undefined);
    return JSON.parse(fromUtf8(bytes));
  }

  /** Encrypts bytes; returns the envelope bytes. With `{ transfer: true }` the plaintext's buffer is moved, not copied. */
  async bytesEncrypt(plaintext: Uint8Array, options?: BytesEncryptOptions): Promise<Uint8Array> {
    const bytes = aBytes(plaintext, 'plaintext');
    const opts = anOptions<BytesEncryptOptions>(options, 'options', ['filename', 'transfer']);
    const move = parseTransfer(opts.transfer);
    const { filename } = parseEncryptOptions(opts.filename === undefined ? undefined : { filename: opts.filename });
    return this.#engine.call('encrypt', this.#handle, outgoing(bytes, move), 'bytes', filename);
  }

  /**
   * Decrypts what {@link bytesEncrypt} made. With `{ transfer: true }` a ciphertext given as bytes
   * is moved, not copied.
   * @throws {AuthenticationError} · {TimeoutError}
   */
  async bytesDecrypt(ciphertext: Uint8Array | string, options?: BytesDecryptOptions): Promise<Uint8Array> {
    return this.#decrypt(ciphertext, 'bytes', options);
  }

  async #decrypt(ciphertext: string | Uint8Array, kind: PublicKind, options: BytesDecryptOptions | undefined): Promise<Uint8Array<ArrayBuffer>> {
    let decoded: Uint8Array<ArrayBuffer> | undefined;
    let given: Uint8Array | undefined;
    if (typeof ciphertext === 'string') {
      decoded = fromBase64Url(ciphertext);
      if (!decoded) throw new ValidationError('ciphertext', 'is not url-safe base64');
    } else {
      given = aBytes(ciphertext, 'ciphertext');
    }
    const opts = anOptions<BytesDecryptOptions>(options, 'options', kind === 'bytes' ? ['filename', 'ttl', 'transfer'] : ['filename', 'ttl']);
    const move = parseTransfer(opts.transfer);
    const bytes = given ? outgoing(given, move) : decoded!;
    const { filename } = parseEncryptOptions(opts.filename === undefined ? undefined : { filename: opts.filename });
    const ttl = opts.ttl === undefined ? undefined : aPositiveNumber(opts.ttl, 'options.ttl');
    return this.#engine.call('decrypt', this.#handle, bytes, kind, filename, ttl);
  }

  /** HMAC-SHA-256 (hex) of the JSON of `data`. Key order in objects matters, as in JSON. */
  async hmac(data: unknown): Promise<string> {
    const json = toJson(data, 'data');
    return toHex(await this.#engine.call('hmac', this.#handle, utf8(json)));
  }

  /**
   * Checks an HMAC from {@link hmac} in constant time.
   * @returns `true`
   * @throws {InvalidHmacError} when it does not match.
   */
  async testHmac(data: unknown, hmac: string): Promise<true> {
    const json = toJson(data, 'data');
    const mac = fromHex(aString(hmac, 'hmac'));
    if (!mac || mac.length !== 32) throw new ValidationError('hmac', `expected 64 hex characters, got ${describe(hmac)}`);
    if (!(await this.#engine.call('verifyHmac', this.#handle, utf8(json), mac))) throw new InvalidHmacError();
    return true;
  }

  /**
   * A generator of keyed UUIDs for a category: `await u(value)` gives `size` hex characters,
   * the same for the same (vault, category, salt, value). `u.result({ exit: true })` returns the
   * salt and ends the generator.
   * @example
   * const emails = await clients.uuids('emails', { size: 24 });
   * const id = await emails('brittany@email.com');
   * const salt = emails.result({ exit: true });
   */
  async uuids(category: string, options?: UuidOptions): Promise<UuidGenerator> {
    aString(category, 'category', { nonEmpty: true, max: MAX_FILENAME });
    const opts = anOptions<UuidOptions>(options, 'options', ['size', 'salt']);
    const size = opts.size === undefined ? 64 : anInteger(opts.size, 'options.size', 8, 64);
    let saltHex: string;
    if (opts.salt === undefined || opts.salt === null) {
      saltHex = Database.generateSalt();
    } else {
      const s = aString(opts.salt, 'options.salt');
      if (s.length !== 64 || !fromHex(s)) throw new ValidationError('options.salt', `expected 64 hex characters, got ${describe(s)}`);
      saltHex = s.toLowerCase();
    }
    let ended = false;
    const generator = async (value: unknown): Promise<string> => {
      if (ended) throw new TagvaultError('this uuid generator has ended (result({ exit: true }) was called)');
      const json = toJson(value, 'value');
      return this.#engine.call('uuid', this.#handle, category, fromHex(saltHex)!, utf8(json), size);
    };
    return Object.assign(generator, {
      result(resultOptions?: { exit?: boolean }): string {
        const { exit } = anOptions<{ exit: boolean }>(resultOptions, 'options', ['exit']);
        if (exit !== undefined && aBoolean(exit, 'options.exit')) ended = true;
        return saltHex;
      },
    });
  }

  /** 32 random bytes as 64 hex characters. */
  generateSalt(): string {
    return Database.generateSalt();
  }

  /**
   * Argon2id of `password` and `salt`, keyed with this vault's secret (so it differs per vault),
   * computed in the worker. Returns 64 bytes as 128 hex characters.
   * @example
   * const hash = await db.passcrypt(password, db.generateSalt(), { kb: 16 * 1024, cpu: 7, hardness: 2048 });
   */
  async passcrypt(password: string, salt: string, options?: PasscryptOptions): Promise<string> {
    aString(password, 'password', { nonEmpty: true, max: 1 << 20 });
    const saltBytes = utf8(aString(salt, 'salt', { max: 1 << 20 }));
    if (saltBytes.length < 8) throw new ValidationError('salt', `must be at least 8 bytes of UTF-8, got ${describe(salt)}`);
    const opts = anOptions<PasscryptOptions>(options, 'options', ['kb', 'cpu', 'hardness']);
    const { memoryKiB, iterations } = parseKdf(opts.kb, opts.cpu);
    const hardness = opts.hardness === undefined ? DEFAULT_HARDNESS : anInteger(opts.hardness, 'options.hardness', MIN_MEMORY_KIB, MAX_MEMORY_KIB);
    return this.#engine.call('passcrypt', this.#handle, utf8(password), saltBytes, Math.max(memoryKiB, hardness), iterations);
  }
}

const DURABILITIES: readonly IDBTransactionDurability[] = ['default', 'strict', 'relaxed'];

function parseOpenOptions(
  options: unknown,
  allowed: (keyof OpenOptions)[] = ['directory', 'preload', 'durability'],
): { directory: string; preload: boolean; durability: IDBTransactionDurability } {
  const opts = anOptions<OpenOptions>(options, 'options', allowed);
  const directory = opts.directory === undefined ? DEFAULT_DIRECTORY : aString(opts.directory, 'options.directory', { nonEmpty: true, max: 1024 });
  const preload = opts.preload === undefined ? true : aBoolean(opts.preload, 'options.preload');
  const durability = opts.durability ?? 'default';
  if (!DURABILITIES.includes(durability)) {
    throw new ValidationError('options.durability', `expected one of ${DURABILITIES.join(', ')}, got ${describe(durability)}`);
  }
  return { directory, preload, durability };
}

function parseKdf(kb: unknown, cpu: unknown): KdfSettings {
  const memoryKiB = kb === undefined ? DEFAULT_KB : kb;
  const iterations = cpu === undefined ? DEFAULT_CPU : cpu;
  checkArgon2Cost(memoryKiB, iterations, { memory: 'options.kb', iterations: 'options.cpu' });
  return { memoryKiB: memoryKiB as number, iterations: iterations as number };
}

function parseProfileOptions(options: unknown): { directory: string; preload: boolean; durability: IDBTransactionDurability; kdf: KdfSettings } {
  const opts = anOptions<ProfileOptions>(options, 'options', ['directory', 'preload', 'durability', 'kb', 'cpu']);
  const { kb, cpu, ...open } = opts;
  return { ...parseOpenOptions(open), kdf: parseKdf(kb, cpu) };
}

function parseTransfer(transfer: unknown): boolean {
  return transfer === undefined ? false : aBoolean(transfer, 'options.transfer');
}

/**
 * Bytes to send to the engine: a copy (the engine's worker takes ownership of what it is sent),
 * or, with `move` and an array that spans its whole ArrayBuffer, the array itself, whose buffer
 * is then moved to the worker (the caller's array is left empty).
 */
function outgoing(bytes: Uint8Array, move: boolean): Uint8Array<ArrayBuffer> {
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return move && whole ? (bytes as Uint8Array<ArrayBuffer>) : ownBytes(bytes);
}

function parseEncryptOptions(options: unknown): { filename: string } {
  const opts = anOptions<EncryptOptions>(options, 'options', ['filename']);
  const filename = opts.filename === undefined ? '' : aString(opts.filename, 'options.filename', { max: MAX_FILENAME });
  return { filename };
}

function profileRequest(tokens: ProfileTokens, directory: string): ProfileRequest {
  const s = tokenSecrets(tokens);
  return { directory, profileId: tokens.profileId, identity: new Uint8Array(s.identity), password: s.password };
}
