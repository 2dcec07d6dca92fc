// database/: the page's side of tagvault. Here, the public Database class: each method validates
// its arguments and delegates, to the open vault behind it (vault.ts: cache, metatags, saves) or
// to profiles.ts; its public cryptography it inherits (public-crypto.ts). The keys never leave
// the engine's worker.
import { aBytes, aKey, aString, aTag, describe } from '../assert';
import { fromBase64, toBase64Url, utf8 } from '../bytes';
import { DatabaseClosedError, ValidationError } from '../errors';
import { assertJson } from '../json';
import { engine } from '../wire/client';
import type { CorruptRecord, OpenedVault, RawRecord } from '../wire/protocol';
import type { BackupInfo, ExportOptions, ImportOptions } from './backup';
import type { ChangeDetail, DatabaseEventMap } from './events';
import type { AddPasskeyOptions, AddPasswordOptions, AddRecoveryCodeOptions, KeySlot, RemoveKeySlotOptions, SlotPlace } from './key-slots';
import { Namespace } from './namespace';
import { type OpenOptions, type OpenSettings, type PasswordChangeOptions, type ProfileOptions, parseOpenOptions } from './options';
import { type ProfileTokenOptions, ProfileTokens, parseTokenArguments } from './profile-tokens';
import type { LoadProfileOptions, PasskeyUnlockOptions, ProfileRotation, RotationOptions } from './profiles';
import * as profiles from './profiles';
import { generateSalt, PublicCrypto } from './public-crypto';
import { persist, type StorageStatus, storageEstimate } from './storage';
import { Vault } from './vault';

const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

/** The face of each open vault, so a metatag opened twice gives the same Database. */
const faces = new WeakMap<Vault, Database>();

/** Database's `addEventListener`, typed by {@link DatabaseEventMap} (types only). */
export interface Database {
  /** Listens for an event of {@link DatabaseEventMap}, e.g. `db.addEventListener('change', (e) => e.detail.tags)`. */
  addEventListener<K extends keyof DatabaseEventMap>(
    type: K,
    listener: (event: DatabaseEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Listens for any other event type. */
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  /** Stops listening for an event of {@link DatabaseEventMap}. */
  removeEventListener<K extends keyof DatabaseEventMap>(
    type: K,
    listener: (event: DatabaseEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Stops listening for any other event type. */
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
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
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above only adds typed overloads of EventTarget's own methods.
export class Database extends PublicCrypto {
  /** The open vault this is the face of. */
  readonly #v: Vault;
  /** Its cache, held here too: `get` is the hot path. */
  readonly #cache: Vault['cache'];

  private constructor(vault: Vault) {
    super(vault);
    this.#v = vault;
    this.#cache = vault.cache;
    faces.set(vault, this);
    // The vault's events are this Database's: the same event object, so `target` is ours.
    vault.events.addEventListener('change', (e) => this.dispatchEvent(new CustomEvent('change', { detail: (e as CustomEvent<ChangeDetail>).detail })));
  }

  static #face(vault: Vault): Database {
    return faces.get(vault) ?? new Database(vault);
  }

  /**
   * The open vault, after the one closed-check every member makes: once closed, every member but
   * `close`, `closed`, disposal and EventTarget's own methods throws DatabaseClosedError.
   */
  get #vault(): Vault {
    this.#v.assertOpen();
    return this.#v;
  }

  static async #open(settings: OpenSettings, open: () => Promise<OpenedVault>): Promise<Database> {
    return Database.#face(await Vault.open({ engine: engine(), directory: settings.directory, durability: settings.durability }, open));
  }

  // --- Opening --------------------------------------------------------------------------------

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
    const settings = parseOpenOptions(options);
    return Database.#open(settings, () => engine().openVault({ kind: 'root', directory: settings.directory, root, preload: settings.preload }));
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
    const { settings, open } = profiles.profileOpener(tokens, options, true);
    return Database.#open(settings, open);
  }

  /**
   * Opens an existing profile's vault: by the tokens' password (each password slot is tried), or
   * by `options.recoveryCode` (then the tokens need no password).
   * @throws {ProfileNotFoundError} when there is no such profile in the directory.
   * @throws {AuthenticationError} when the password or recovery code opens no slot.
   * @throws {ValidationError} (`options.recoveryCode`) for a mistyped code, before any work.
   * @example
   * const db = await Database.loadProfile(tokens, { recoveryCode: 'ABCD-…' });
   */
  static async loadProfile(tokens: ProfileTokens, options?: LoadProfileOptions): Promise<Database> {
    const { settings, open } = profiles.profileOpener(tokens, options, false);
    return Database.#open(settings, open);
  }

  /**
   * Opens a profile with a passkey, no tokens needed: the browser asks the user to pick one of
   * this site's passkeys (a discoverable credential, user verification required), and the
   * profile is the one its user handle names, in `options.directory`.
   * @throws {PasskeyCancelledError} when the prompt is cancelled or times out.
   * @throws {PasskeyUnsupportedError} where the browser or authenticator has no WebAuthn PRF.
   * @throws {ProfileNotFoundError} when the passkey's profile is not in this directory.
   * @throws {AuthenticationError} when the passkey's key slot was removed (or altered).
   */
  static async unlockWithPasskey(options?: PasskeyUnlockOptions): Promise<Database> {
    const { settings, open } = profiles.passkeyOpener(options);
    return Database.#open(settings, open);
  }

  /** Whether a profile exists for these tokens in the directory. */
  static async profileExists(tokens: ProfileTokens, options?: Pick<OpenOptions, 'directory'>): Promise<boolean> {
    return profiles.profileExists(tokens, options);
  }

  /**
   * Deletes the profile and its whole vault (tags and metatags).
   * @throws {ProfileNotFoundError} · {AuthenticationError} for a wrong password.
   */
  static async deleteProfile(tokens: ProfileTokens, options?: Pick<OpenOptions, 'directory'>): Promise<void> {
    return profiles.deleteProfile(tokens, options);
  }

  /**
   * Changes a profile's password, cheaply: the vault's root key is re-wrapped under the new
   * password; one record is written and no data is re-encrypted. Returns tokens carrying the new
   * password. Options `kb`/`cpu` set new Argon2id costs (default: keep the stored ones).
   *
   * The root key stays the same: anyone holding an old copy of the profile record (a backup, a
   * disk image) and the old password can still unwrap it and read every current and future
   * record. After a suspected leak of the password, use {@link Database.rotateProfileKey}.
   * @throws {AuthenticationError} when the current password (in `tokens`) is wrong.
   */
  static async changeProfilePassword(tokens: ProfileTokens, newPassword: string, options?: PasswordChangeOptions): Promise<ProfileTokens> {
    return profiles.changeProfilePassword(tokens, newPassword, options);
  }

  /**
   * Rotates a profile's root key, for when the password (or a copy of the browser's storage) may
   * have leaked: a new random root key; every saved tag of the vault and of all its metatags
   * decrypted and sealed again under it; the new root wrapped under `newPassword` (it may be the
   * current one); the old records and the old wrap deleted. It all happens in one IndexedDB
   * transaction written after everything was read and sealed, so a crash or a closed tab at any
   * point leaves either the old profile or the new one, never a mix.
   *
   * The vault gets a new id (every record is stored under new ids). Unsaved changes of open
   * instances are not carried (save first); open instances of the profile, in this tab or
   * others, see the old vault deleted: open it again with {@link Database.loadProfile} and the
   * returned tokens. It costs a read, a decryption and an encryption of the whole tree, held in
   * the engine's memory at once.
   *
   * Key slots: the password slot the tokens' password opens becomes the slot of `newPassword`;
   * the slots whose secrets `options` gives (`keepPasswords`, `keepRecoveryCodes`, `keepPasskey`)
   * are sealed again around the new root; every other slot is dropped and listed in `dropped`.
   * @throws {AuthenticationError} when the current password (or a secret to keep) is wrong, or
   *   when any stored record of the tree fails authentication (nothing is written then: nothing
   *   may be lost silently).
   */
  static async rotateProfileKey(tokens: ProfileTokens, newPassword: string, options?: RotationOptions): Promise<ProfileRotation> {
    return profiles.rotateProfileKey(tokens, newPassword, options);
  }

  // --- Backups and storage ---------------------------------------------------------------------

  /** The backup code, loaded on first use. */
  static #backups(): Promise<typeof import('./backup')> {
    return import('./backup');
  }

  /**
   * Imports a backup file (from {@link Database.export}) into `options.directory` and opens its
   * vault: with the vault's key, `Database.import(file, key, options?)`, or with the passphrase
   * of a portable backup, `Database.import(file, { passphrase, ...options })`. The whole file is
   * read and verified (every record authenticates, the sealed trailer matches) before anything
   * is written; then every record is written in one IndexedDB transaction, so a failed or
   * interrupted import leaves the directory as it was.
   * @throws {BackupFormatError} for a file that is not a readable backup (empty, truncated, a
   *   newer format, lengths out of range).
   * @throws {AuthenticationError} for the wrong key or passphrase, or an altered file (a flipped
   *   bit, a record dropped, duplicated, reordered or spliced in from another backup).
   * @throws {VaultExistsError} when the directory holds that vault (or profile) and `replace` is not set.
   * @example
   * const db = await Database.import(file, { passphrase: 'correct horse battery staple', directory: 'restored' });
   */
  static async import(file: Blob, key: Uint8Array | string, options?: ImportOptions): Promise<Database>;
  static async import(file: Blob, options: ImportOptions & { passphrase: string }): Promise<Database>;
  static async import(file: Blob, key: Uint8Array | string | (ImportOptions & { passphrase: string }), options?: ImportOptions): Promise<Database> {
    const backups = await Database.#backups();
    const prepared = await backups.importRequest(file, key, options);
    return Database.#open(prepared.settings, () => backups.importBackup(engine(), prepared));
  }

  /**
   * Reads a backup's header without its key: format, version, creation date, record and vault
   * counts, and whether the key is inside (a passphrase slot).
   * @throws {BackupFormatError} for a file that is not a readable backup.
   */
  static async inspectBackup(file: Blob): Promise<BackupInfo> {
    return (await Database.#backups()).inspectBackup(file);
  }

  /**
   * Asks the browser to keep this origin's storage (IndexedDB included) when space runs low
   * (`navigator.storage.persist()`); resolves with whether it is persistent now. A browser may
   * ask the user, or decide by itself; a prompt not answered within 5 s counts as not persisted,
   * and where the Storage API is missing the answer is `false`.
   */
  static async persist(): Promise<boolean> {
    return persist();
  }

  /** Whether the origin's storage is persistent, and how much of its quota it uses (`navigator.storage`). */
  static async storageEstimate(): Promise<StorageStatus> {
    return storageEstimate();
  }

  /** 32 random bytes as 64 hex characters. */
  static generateSalt(): string {
    return generateSalt();
  }

  /** Url-safe base64 (no padding) of bytes, or of a string's UTF-8. */
  static base64Encode(data: Uint8Array | string): string {
    return toBase64Url(typeof data === 'string' ? utf8(aString(data, 'data')) : aBytes(data, 'data'));
  }

  /** Bytes of url-safe (or standard) base64, padded or not; canonical only (unused bits zero). */
  static base64Decode(text: string): Uint8Array {
    const bytes = fromBase64(aString(text, 'text'));
    if (!bytes) throw new ValidationError('text', 'is not valid base64');
    return bytes;
  }

  // --- Tags -----------------------------------------------------------------------------------

  /** The tags of this database (saved and unsaved), in insertion order. */
  get tags(): string[] {
    return this.#vault.cache.tags();
  }

  /** How many tags. */
  get size(): number {
    return this.#vault.cache.size;
  }

  /** The names of this database's metatags (child databases). */
  get metatags(): string[] {
    return this.#vault.metatags.list();
  }

  /** Records that failed authentication when read: they are skipped, and reading them throws. */
  get corrupted(): readonly CorruptRecord[] {
    return this.#vault.corrupted;
  }

  /** Whether `tag` is in this database (loaded or not). */
  has(tag: string): boolean {
    if (this.#vault.cache.has(tag)) return true;
    aTag(tag); // only a miss needs the full check: set() let no bad tag in
    return false;
  }

  /**
   * The cached value of `tag`, or `undefined` when it is absent or not loaded yet (after
   * `preload: false`; use {@link query}).
   * @throws {AuthenticationError} when the tag's stored value failed authentication.
   */
  get(tag: string): unknown {
    // The hot path is one Map lookup: a hit is a valid tag (set() let no bad tag in).
    if (this.#v.closed) this.#v.assertOpen();
    const value = this.#cache.get(tag);
    if (value === undefined && !this.#cache.has(tag)) aTag(tag);
    return value;
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
    const cache = this.#vault.cache;
    aTag(tag);
    assertJson(value, 'value');
    cache.set(tag, value);
    return this;
  }

  /**
   * The value of `tag`, loaded from storage when it is not cached.
   * @throws {AuthenticationError} when the stored record fails authentication.
   */
  async query(tag: string): Promise<unknown> {
    const vault = this.#vault;
    return vault.query(aTag(tag));
  }

  /** Removes `tag` from the cache and from storage, and returns its value (`undefined` when absent). */
  async pop(tag: string): Promise<unknown> {
    const vault = this.#vault;
    return vault.pop(aTag(tag));
  }

  /**
   * Writes one tag to storage now, whatever the size of the vault: its one record (and, for a new
   * tag, its name in a name block).
   * @throws {ValidationError} when the tag is not in this database.
   */
  async saveTag(tag: string): Promise<void> {
    const vault = this.#vault;
    return vault.saveTag(aTag(tag));
  }

  /**
   * Writes every changed tag, this database's metatags and theirs, in one IndexedDB
   * transaction: all of it or nothing. Unchanged tags are not re-encrypted.
   * @throws {ValidationError} when a cached value is no longer JSON-serialisable (nothing is written).
   */
  async save(): Promise<void> {
    return this.#vault.save();
  }

  /**
   * `[tag, value]` for every tag, loading what is not cached (in one batch). Corrupt tags are
   * skipped. Iteration stops (DatabaseClosedError) once the database is closed.
   */
  [Symbol.asyncIterator](): AsyncGenerator<[string, unknown]> {
    return Database.#entries(this.#vault);
  }

  static async *#entries(vault: Vault): AsyncGenerator<[string, unknown]> {
    await vault.loadAll();
    for (const entry of vault.cache.entries()) {
      vault.assertOpen();
      yield entry;
    }
  }

  /**
   * Saves on `await using` disposal. After {@link close} it does nothing: close already dropped
   * what was unsaved, and the end of an `await using` block should not throw for it.
   */
  async [asyncDispose](): Promise<void> {
    if (this.#v.closed) return;
    await this.save();
  }

  /**
   * Tags changed by `set()` since they were last saved (in-place changes to cached objects are
   * found by `save()` itself, so they are not listed here).
   */
  get unsaved(): string[] {
    return this.#vault.cache.unsaved();
  }

  // --- Metatags -------------------------------------------------------------------------------

  /**
   * The child database `name`, created if new (listed in {@link metatags}, saved with this
   * one). Its keys are derived from this database's; its key cannot open this one. Repeated
   * calls give the same instance.
   */
  async metatag(name: string, options?: Pick<OpenOptions, 'preload'>): Promise<Database> {
    const vault = this.#vault;
    aTag(name, 'name');
    const { preload } = parseOpenOptions(options, ['preload']);
    return Database.#face(await vault.metatag(name, preload));
  }

  /** Deletes metatag `name` and all its records (and its metatags'), now. */
  async deleteMetatag(name: string): Promise<void> {
    const vault = this.#vault;
    aTag(name, 'name');
    if (!vault.metatags.includes(name)) throw new ValidationError('name', 'is not a metatag of this database');
    await vault.deleteMetatag(name);
  }

  // --- Management -----------------------------------------------------------------------------

  /**
   * Deletes every record of this database and its metatags from storage, and empties the
   * cache. Other vaults in the directory are untouched. The instance stays usable (empty).
   */
  async deleteDatabase(): Promise<void> {
    await this.#vault.deleteAll();
  }

  /**
   * Copies every tag and metatag (recursively) of `other` into this database, under this
   * database's keys: the way to rotate a key. Values are copied, not shared. Save to persist.
   * @throws {DatabaseClosedError} when this database or `other` is closed, or either closes
   * while it copies (then part of `other` may have been copied into the cache, none saved).
   */
  async mirrorDatabase(other: Database): Promise<void> {
    const vault = this.#vault;
    if (!(other instanceof Database)) throw new ValidationError('other', `expected a Database, got ${describe(other)}`);
    if (other === this) throw new ValidationError('other', 'is this same database');
    if (other.#v.closed) throw new DatabaseClosedError('"other" is a closed database: there is nothing to copy from it');
    await vault.mirror(other.#v);
  }

  /**
   * A frozen {@link Namespace} of the cached tags: `ns[tag]`, `keys()`, `values()`, iteration.
   * Tags not loaded yet (after `preload: false`) are not included; corrupt ones neither.
   */
  intoNamespace(): Namespace {
    return new Namespace(this.#vault.cache.entries());
  }

  /** Every raw IndexedDB record of this database's directory (what an attacker with the disk sees). */
  async rawRecords(): Promise<RawRecord[]> {
    const { place } = this.#vault;
    return place.engine.dump(place.directory);
  }

  /**
   * The id under which `tag` is stored (HMAC-SHA-256 under this vault's tag-id key, url-safe
   * base64): the second part of its raw records' keys `[vaultId, tagId]`. Not secret, but it
   * reveals nothing of the tag without the key.
   */
  async tagId(tag: string): Promise<string> {
    const vault = this.#vault;
    const [id] = await vault.place.engine.tagIds(vault.handle, [aTag(tag)]);
    return id!;
  }

  // --- Key slots (a profile's root vault) -----------------------------------------------------

  /** The vault's engine and handle, checked open, for the slot methods. */
  get #slots(): SlotPlace {
    const vault = this.#vault;
    return { engine: vault.place.engine, handle: vault.handle };
  }

  /** The key-slot code, loaded on first use: most pages never change a slot. */
  static #keySlots(): Promise<typeof import('./key-slots')> {
    return import('./key-slots');
  }

  /**
   * The ways into this profile (nothing secret): its password, passkey and recovery-code slots.
   * @throws {ProfileNotFoundError} on a vault not opened from a profile (by key, or a metatag).
   */
  async keySlots(): Promise<KeySlot[]> {
    const place = this.#slots;
    return (await Database.#keySlots()).keySlots(place);
  }

  /**
   * Adds a password slot: `password` opens the profile too (with {@link Database.loadProfile}
   * and tokens of that password). One record is written; no data is re-encrypted.
   * @throws {AuthenticationError} when `options.unlock` opens no slot of this profile.
   * @example
   * await db.addPassword('a second passphrase', { unlock: { password: 'the current one' } });
   */
  async addPassword(password: string, options: AddPasswordOptions): Promise<KeySlot> {
    const place = this.#slots;
    return (await Database.#keySlots()).addPassword(place, password, options);
  }

  /**
   * Adds a passkey slot: the browser makes a discoverable passkey (user verification required;
   * the WebAuthn PRF extension gives the secret), which then opens the profile with
   * {@link Database.unlockWithPasskey}. `options.unlock` is checked before the prompt.
   * @throws {PasskeyCancelledError} · {PasskeyUnsupportedError} (no PRF: checked before a
   *   passkey is made, where the browser can say) · {AuthenticationError} (a wrong unlock).
   */
  async addPasskey(options: AddPasskeyOptions): Promise<KeySlot> {
    const place = this.#slots;
    return (await Database.#keySlots()).addPasskey(place, options);
  }

  /**
   * Adds a recovery-code slot and returns the code (128 random bits and a checksum, as 8 groups of
   * 4 characters): show it once and let the user write it down; it is not stored.
   * @throws {AuthenticationError} when `options.unlock` opens no slot of this profile.
   */
  async addRecoveryCode(options: AddRecoveryCodeOptions): Promise<string> {
    const place = this.#slots;
    return (await Database.#keySlots()).addRecoveryCode(place, options);
  }

  /**
   * Removes a key slot (never the last one). One record is written. A removed passkey stays on
   * its authenticator, opening nothing: the user may delete it there.
   * @throws {ValidationError} (`id`) for an unknown slot or the last one · {AuthenticationError}.
   */
  async removeKeySlot(id: string, options: RemoveKeySlotOptions): Promise<void> {
    const place = this.#slots;
    return (await Database.#keySlots()).removeKeySlot(place, id, options);
  }

  /**
   * A backup of this vault and all its metatags: a `Blob` (offer it as a download) holding every
   * saved record exactly as stored, sealed; nothing is decrypted into it, and unsaved changes are
   * not in it (save first). It is one consistent snapshot: no save of this origin interleaves.
   * With `passphrase`, the root key goes in the file too, in a passphrase slot, so that it opens
   * on any machine with {@link Database.import} and the passphrase; `unlock` gives the raw key
   * (the worker keeps none): `{ key }`, or one of a profile's ways in.
   * @throws {AuthenticationError} when a stored record fails authentication (unless
   *   `skipCorrupted`), or for a wrong `unlock`.
   * @throws {ValidationError} on a metatag (export its root), for a profile's vault without a
   *   passphrase (its key is known to no one), or for bad options.
   */
  async export(options?: ExportOptions): Promise<Blob> {
    const vault = this.#vault;
    const place = { engine: vault.place.engine, handle: vault.handle };
    return (await Database.#backups()).exportBackup(place, options);
  }

  /** The id of this vault in storage (derived from its key; not secret). */
  get vaultId(): string {
    return this.#vault.vaultId;
  }

  /** The IndexedDB database this vault lives in. */
  get directory(): string {
    return this.#vault.place.directory;
  }

  /**
   * Releases the keys in the engine (which zero-fills their raw bytes) and stops listening to
   * other tabs, for this database and its metatags, and empties their caches. Unsaved changes are
   * dropped (save first); every member but `close`, `closed`, disposal and the event listener
   * methods then throws DatabaseClosedError, on this instance and on its metatags' instances.
   * Calling it again does nothing.
   */
  async close(): Promise<void> {
    await this.#v.close();
  }

  /** True after {@link close}, or once this metatag was deleted. */
  get closed(): boolean {
    return this.#v.closed;
  }
}
