// The messages between the main thread and the engine (in its worker), typed in one place.
import type { WireError } from './errors';
import type { PublicKind } from './vault-crypto';

/** A vault open in the engine. Handles are small integers, meaningful only to that engine. */
export type Handle = number;

export interface OpenVaultRequest {
  directory: string;
  /** A root vault: its 64-byte root key (transferred, then zero-filled in the engine). */
  root?: Uint8Array<ArrayBuffer>;
  /** A metatag: the parent's handle and the metatag's name. */
  parent?: Handle;
  name?: string;
  /** Decrypt every value now (true) or only the tag names (false). */
  preload: boolean;
}

export interface LoadedTag {
  tag: string;
  tagId: string;
  /** JSON text of the value; absent when values were not asked for. */
  json?: string;
  /** When the tag was first saved (a monotonic count): tags are listed in this order. */
  order: number;
}

/** An opened vault's tags as columns: a few long strings and typed arrays structured-clone much
 * faster than thousands of objects. */
export interface TagColumns {
  /** The tag names, concatenated; `nameLengths` cuts them apart (names may contain U+0000). */
  names: string;
  nameLengths: Uint32Array<ArrayBuffer>;
  /** The tag ids (43 characters of base64url each), concatenated. */
  ids: string;
  orders: Float64Array<ArrayBuffer>;
  /**
   * With preload: the JSON texts as UTF-8 in a few buffers (one per chunk of records read;
   * transferred, not copied), and where each tag's is: buffer, byte offset and length (0 = none:
   * the record is corrupt). Decoded on the main thread when read.
   */
  values?: Uint8Array<ArrayBuffer>[];
  valueBuffers?: Uint32Array<ArrayBuffer>;
  valueOffsets?: Uint32Array<ArrayBuffer>;
  valueLengths?: Uint32Array<ArrayBuffer>;
}

/**
 * A record that failed authentication: it is reported, and the other records still load.
 * - `header`: the vault's header (its list of metatags);
 * - `names`: a block of tag names (nothing is lost: the tags' own records name them too);
 * - `name`: a tag's record, whose name is unknown (the tag is not listed);
 * - `value`: a tag's record, whose name is known: the tag is listed, and reading it throws.
 */
export interface CorruptRecord {
  kind: 'header' | 'names' | 'name' | 'value';
  tagId?: string;
  /** The tag, when its name is known. */
  tag?: string;
}

export interface OpenedVault {
  handle: Handle;
  vaultId: string;
  metatags: string[];
  tags: TagColumns;
  corrupted: CorruptRecord[];
}

/** What one vault contributes to a `commit`. */
export interface VaultChange {
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
  removeTrees?: string[][];
  /** Remove the whole vault and its metatags, recursively. */
  drop?: boolean;
}

export interface CommitResult {
  /** The tag ids of each change's upserts, in order. */
  ids: string[][];
  /** The order of each change's upserts (given, or newly assigned). */
  orders: number[][];
  /** Each change's vault header's metatags after the commit (merged with other tabs' writes). */
  metatags: (string[] | undefined)[];
}

/** Posted on `BroadcastChannel("tagvault:" + directory)` after every write. */
export interface ChangeMessage {
  type: 'tagvault:change';
  source: string;
  directory: string;
  vaults: { vaultId: string; upserted: string[]; deleted: string[]; header: boolean; dropped: boolean }[];
}

export interface ProfileRequest {
  directory: string;
  profileId: string;
  identity: Uint8Array<ArrayBuffer>;
  password: string;
}

export interface KdfSettings {
  memoryKiB: number;
  iterations: number;
}

export interface RawRecord {
  store: string;
  key: IDBValidKey;
  value: unknown;
}

/** The engine's API, as the main thread calls it. */
export interface EngineApi {
  id(): Promise<string>;
  openVault(req: OpenVaultRequest): Promise<OpenedVault>;
  closeVault(handle: Handle): Promise<void>;
  loadTags(handle: Handle, by: { tags?: string[]; tagIds?: string[] }): Promise<{ tags: LoadedTag[]; corrupted: CorruptRecord[]; missing: string[] }>;
  readMetatags(handle: Handle): Promise<string[]>;
  tagIds(handle: Handle, tags: string[]): Promise<string[]>;
  commit(directory: string, changes: VaultChange[], durability?: IDBTransactionDurability): Promise<CommitResult>;
  encrypt(handle: Handle, plaintext: Uint8Array<ArrayBuffer>, kind: PublicKind, filename: string): Promise<Uint8Array<ArrayBuffer>>;
  decrypt(handle: Handle, envelope: Uint8Array<ArrayBuffer>, kind: PublicKind, filename: string, ttl?: number): Promise<Uint8Array<ArrayBuffer>>;
  hmac(handle: Handle, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
  verifyHmac(handle: Handle, data: Uint8Array<ArrayBuffer>, mac: Uint8Array<ArrayBuffer>): Promise<boolean>;
  uuid(handle: Handle, category: string, salt: Uint8Array<ArrayBuffer>, value: Uint8Array<ArrayBuffer>, size: number): Promise<string>;
  passcrypt(handle: Handle, password: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, memoryKiB: number, iterations: number): Promise<string>;
  profileExists(directory: string, profileId: string): Promise<boolean>;
  openProfile(req: ProfileRequest, create: KdfSettings | undefined, preload: boolean): Promise<OpenedVault>;
  changePassword(req: ProfileRequest, newPassword: string, kdf: KdfSettings | undefined): Promise<void>;
  deleteProfile(req: ProfileRequest): Promise<void>;
  dump(directory: string): Promise<RawRecord[]>;
}

export type EngineMethod = keyof EngineApi;

/** What the worker answers to every call: a value, or an error flattened for the wire. */
export type CallResult = { ok: unknown } | { error: WireError };

/** What the worker exposes through Comlink. */
export interface WorkerApi {
  call(method: EngineMethod, args: unknown[]): Promise<CallResult>;
}
