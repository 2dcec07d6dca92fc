// wire/: what crosses between the page and the engine in its worker, typed in one place. The
// page holds a `Remote<EngineApi>` (client.ts); tags cross as columns (tag-columns.ts); tagvault's
// errors keep their class through a Comlink transfer handler (error-transfer.ts). Every type here
// belongs to the wire layer: what is stored is in format/, what the page caches in database/.
import type { SlotSecret } from '../crypto/slot-keys';
import type { PublicKind } from '../crypto/vault-crypto';
import type { SlotKind } from '../format/profile-record';

export type { SlotSecret };

/** A vault open in the engine. Handles are small integers, meaningful only to that engine. */
export type Handle = number;

/** Which vault to open: a root vault by its key, or a metatag of an open vault by its name. */
export type OpenVaultRequest =
  | {
      kind: 'root';
      directory: string;
      /** The 64-byte root key (transferred, then zero-filled in the engine). */
      root: Uint8Array<ArrayBuffer>;
      /** Decrypt every value now (true) or only the tag names (false). */
      preload: boolean;
    }
  | { kind: 'metatag'; parent: Handle; name: string; preload: boolean };

/** Which tags to load: by name (the engine derives their ids) or by id (as listed at open). */
export type TagSelector = { by: 'name'; tags: string[] } | { by: 'id'; tagIds: string[] };

/**
 * Tags as they cross the wire, as columns: a few long strings and typed arrays structured-clone
 * much faster than thousands of objects. Built and read only by tag-columns.ts.
 */
export interface TagColumns {
  /** The tag names, concatenated; `nameLengths` cuts them apart (names may contain U+0000). */
  names: string;
  nameLengths: Uint32Array<ArrayBuffer>;
  /** The tag ids (43 characters of base64url each), concatenated. */
  ids: string;
  orders: Float64Array<ArrayBuffer>;
  /**
   * When values were read: the JSON texts as UTF-8 in a few buffers (one per chunk of records
   * read; transferred, not copied), and where each tag's is: buffer, byte offset and length
   * (length 0 = none: its record is corrupt). Decoded on the page when first read.
   */
  values?: {
    buffers: Uint8Array<ArrayBuffer>[];
    buffer: Uint32Array<ArrayBuffer>;
    offset: Uint32Array<ArrayBuffer>;
    length: Uint32Array<ArrayBuffer>;
  };
}

/**
 * A record that failed authentication: it is reported, and the other records still load.
 * - `header`: the vault's header (its list of metatags);
 * - `names`: a block of tag names (nothing is lost: the tags' own records name them too);
 * - `name`: a tag's record, whose name is unknown (the tag is not listed);
 * - `value`: a tag's record, whose name is known: the tag is listed, and reading it throws.
 */
export interface CorruptRecord {
  /** Which kind of record failed (see above). */
  kind: 'header' | 'names' | 'name' | 'value';
  /** The tag's id, for a tag record. */
  tagId?: string;
  /** The tag, when its name is known. */
  tag?: string;
}

/** What opening a vault gives the page. */
export interface OpenedVault {
  handle: Handle;
  vaultId: string;
  metatags: string[];
  tags: TagColumns;
  corrupted: CorruptRecord[];
}

/** What loading some tags gives the page (tags with no record are left out). */
export interface LoadedTags {
  tags: TagColumns;
  corrupted: CorruptRecord[];
}

/** What one vault contributes to a `commit`: an edit of its tags and metatags, or its removal. */
export type VaultChange = VaultEdit | VaultDrop;

export interface VaultEdit {
  kind: 'edit';
  handle: Handle;
  /** `order` is the tag's stored order when it has one; new tags get the next one. */
  upserts: { tag: string; order?: number }[];
  /**
   * The upserts' JSON texts joined by U+0000, in order: one string crosses to the worker instead
   * of one per tag. JSON.stringify escapes U+0000, so it never occurs inside a text.
   */
  values: string;
  deletes: string[];
  addMetatags: string[];
  removeMetatags: string[];
  /**
   * Metatag paths below this vault (e.g. `["molly", "inner"]`) that are dropped with the removed
   * metatags even where no stored header lists them yet (created, written with saveTag, unsaved).
   */
  removeTrees: string[][];
}

/** Remove the whole vault and its metatags, recursively (and the paths in `removeTrees`). */
export interface VaultDrop {
  kind: 'drop';
  handle: Handle;
  removeTrees: string[][];
}

export interface CommitResult {
  /** The tag ids of each change's upserts, in order. */
  ids: string[][];
  /** The order of each change's upserts (given, or newly assigned). */
  orders: number[][];
  /** Each change's vault header's metatags after the commit (merged with other tabs' writes). */
  metatags: (string[] | undefined)[];
}

/** What one commit changed in one vault, as other tabs hear it. */
export interface ChangedVault {
  vaultId: string;
  upserted: string[];
  deleted: string[];
  header: boolean;
  dropped: boolean;
}

/** Posted on `BroadcastChannel("tagvault:" + directory)` after every write. */
export interface ChangeMessage {
  type: 'tagvault:change';
  /** The id of the engine that wrote (a page ignores its own engine's messages). */
  source: string;
  directory: string;
  vaults: ChangedVault[];
}

/** A password profile, as the engine needs it: where it is, its id, identity and password. */
export interface ProfileRequest {
  directory: string;
  profileId: string;
  identity: Uint8Array<ArrayBuffer>;
  password: string;
}

/** Argon2id costs for a password-derived key. */
export interface KdfSettings {
  memoryKiB: number;
  iterations: number;
}

/** Where a profile is, without its tokens (opened by a passkey: its id is the credential's user handle). */
export interface ProfileLocation {
  directory: string;
  profileId: string;
}

/** A key slot as the engine lists it (nothing secret). */
export interface KeySlotInfo {
  id: string;
  kind: SlotKind;
  label: string;
  /** Milliseconds since the epoch; absent for a version-1 record's one password. */
  created?: number;
  /** Passkey slots: the credential's raw id and the relying-party id it was made for. */
  credentialId?: Uint8Array<ArrayBuffer>;
  rpId?: string;
}

/** A slot to add: its secret, label, and (password) costs or (passkey) relying-party id. */
export interface NewKeySlot {
  secret: SlotSecret;
  label: string;
  kdf?: KdfSettings;
  rpId?: string;
}

/** What a rotation of a profile's root did: the new root vault's id, and what was carried over. */
export interface RotatedProfile {
  /** Key slots that no given secret opened, so the new root is not in them. */
  dropped: KeySlotInfo[];
  vaultId: string;
  /** Tags carried over, in every vault of the tree. */
  tags: number;
  /** Metatag vaults carried over (all levels). */
  metatags: number;
}

/**
 * Open an existing profile (by the tokens' password, or by another slot's secret), or create it
 * (with these costs) when it does not exist.
 */
export type ProfileOpening = { mode: 'load' } | { mode: 'unlock'; secret: SlotSecret } | { mode: 'create'; kdf: KdfSettings };

/** How far an export or import is: records (or steps) done of the total. */
export interface BackupProgress {
  /** Records (or steps) done so far. */
  done: number;
  /** Records (or steps) in all: `done === total` at the end. */
  total: number;
}

/** A record an export left out (`skipCorrupted`): which store, which vault (metatag path), which id. */
export interface SkippedRecord {
  /** The object store it was in: a tag, a name block, or a vault's header. */
  store: 'tags' | 'names' | 'headers';
  /** The metatag names from the root to its vault (`[]` for the root). */
  path: string[];
  /** Its tag id or name-block id (`''` for a header). */
  id: string;
}

/** What to export: with a passphrase, the root key goes in the file, unlocked by the vault's key or a profile's slot. */
export interface ExportRequest {
  passphrase?: { password: string; kdf: KdfSettings };
  /** The vault's key (a vault opened by key) or one of its profile's slot secrets. */
  unlock?: { key: Uint8Array<ArrayBuffer> } | { secret: SlotSecret };
  skipCorrupted: boolean;
}

/** What to import into a directory: by key or passphrase; replacing, or carrying a profile. */
export interface ImportRequest {
  directory: string;
  key: { root: Uint8Array<ArrayBuffer> } | { passphrase: string };
  replace: boolean;
  preload: boolean;
  /** Make a profile for these tokens in the directory, its one password slot holding the imported root. */
  profile?: { profileId: string; password: string; kdf: KdfSettings };
}

/** One raw IndexedDB record, as {@link Database.rawRecords} lists it. */
export interface RawRecord {
  /** The object store: `tags`, `names`, `headers` or `profiles`. */
  store: string;
  /** Its IndexedDB key. */
  key: IDBValidKey;
  /** Its stored value (envelope bytes, or a profile record). */
  value: unknown;
}

/** The engine's API, as the page calls it through Comlink (`Remote<EngineApi>`). */
export interface EngineApi {
  id(): Promise<string>;
  openVault(req: OpenVaultRequest): Promise<OpenedVault>;
  closeVault(handle: Handle): Promise<void>;
  loadTags(handle: Handle, selector: TagSelector): Promise<LoadedTags>;
  readMetatags(handle: Handle): Promise<string[]>;
  tagIds(handle: Handle, tags: string[]): Promise<string[]>;
  commit(directory: string, changes: VaultChange[], durability: IDBTransactionDurability): Promise<CommitResult>;
  encrypt(handle: Handle, plaintext: Uint8Array<ArrayBuffer>, kind: PublicKind, filename: string): Promise<Uint8Array<ArrayBuffer>>;
  decrypt(handle: Handle, envelope: Uint8Array<ArrayBuffer>, kind: PublicKind, filename: string, ttl?: number): Promise<Uint8Array<ArrayBuffer>>;
  hmac(handle: Handle, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
  verifyHmac(handle: Handle, data: Uint8Array<ArrayBuffer>, mac: Uint8Array<ArrayBuffer>): Promise<boolean>;
  uuid(handle: Handle, category: string, salt: Uint8Array<ArrayBuffer>, value: Uint8Array<ArrayBuffer>, size: number): Promise<string>;
  passcrypt(handle: Handle, password: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, memoryKiB: number, iterations: number): Promise<string>;
  profileExists(directory: string, profileId: string): Promise<boolean>;
  openProfile(req: ProfileRequest, opening: ProfileOpening, preload: boolean): Promise<OpenedVault>;
  /** Opens a profile found without its tokens (by a passkey's user handle), with one slot's secret. */
  unlockProfile(location: ProfileLocation, secret: SlotSecret, preload: boolean): Promise<OpenedVault>;
  /** A profile's key slots, as stored (nothing secret; no secret needed). */
  listKeySlots(location: ProfileLocation): Promise<KeySlotInfo[]>;
  /** The id of the profile an open root vault was opened from. */
  profileIdOf(handle: Handle): Promise<string>;
  /** The key slots of the profile an open root vault was opened from. */
  keySlots(handle: Handle): Promise<KeySlotInfo[]>;
  /** Checks `unlock` opens the handle's profile, and holds it (at most two minutes) for one `addKeySlot`: a ticket. */
  holdUnlock(handle: Handle, unlock: SlotSecret): Promise<number>;
  /** Forgets a held unlock (idempotent). */
  releaseUnlock(ticket: number): Promise<void>;
  addKeySlot(handle: Handle, unlock: SlotSecret | { ticket: number }, slot: NewKeySlot): Promise<KeySlotInfo>;
  removeKeySlot(handle: Handle, unlock: SlotSecret, slotId: string): Promise<void>;
  changePassword(req: ProfileRequest, newPassword: string, kdf?: KdfSettings): Promise<void>;
  rotateProfile(req: ProfileRequest, newPassword: string, kdf: KdfSettings | undefined, keep: SlotSecret[]): Promise<RotatedProfile>;
  deleteProfile(req: ProfileRequest): Promise<void>;
  /** A backup of the handle's vault and its metatags (a root vault only). */
  exportBackup(handle: Handle, request: ExportRequest, onProgress?: (p: BackupProgress) => void): Promise<{ file: Blob; skipped: SkippedRecord[] }>;
  /** Imports a backup, verified whole before one transaction writes it, and opens its vault. */
  importBackup(file: Blob, request: ImportRequest, onProgress?: (p: BackupProgress) => void): Promise<OpenedVault>;
  dump(directory: string): Promise<RawRecord[]>;
}
