// Backups on the page: validating export and import options, and reading a backup's header
// without the key (inspectBackup). The engine reads, verifies and writes the records
// (engine/backup.ts); the format is format/backup.ts. Loaded on first use.
import { proxy, transfer } from 'comlink';
import { aBoolean, aKey, anOptions, aString, describe } from '../assert';
import { BackupFormatError, ValidationError } from '../errors';
import { BACKUP_VERSION, decodeHeader, MAX_BACKUP_HEADER, PREAMBLE_LENGTH, readPreamble } from '../format/backup';
import type { EngineRemote } from '../wire/client';
import type { BackupProgress, ExportRequest, Handle, ImportRequest, OpenedVault, SkippedRecord } from '../wire/protocol';
import { checkUnlock, secretBuffers, type Unlock, unlockSecret } from './key-slots';
import { type KdfCostOptions, type OpenSettings, parseOpenOptions, parseStoredKdf } from './options';
import { ProfileTokens, tokenPassword } from './profile-tokens';

/** Options of {@link Database.export}. */
export interface ExportOptions extends KdfCostOptions {
  /**
   * Put the vault's root key in the file, in a passphrase slot (Argon2id at `kb`/`cpu`, at least
   * 19 MiB and 2 passes): the file then opens on any machine with the passphrase alone. Without
   * it, the file opens only with the vault's key. Required for a profile's vault, whose key is known
   * to no one (to carry a profile, see {@link ImportOptions.profile}).
   */
  passphrase?: string;
  /**
   * With a passphrase: one way to the raw root key, which the worker does not keep — `{ key }`
   * (the vault's key) for a vault opened by key, or one of a profile's slots (`{ password }`,
   * `{ recoveryCode }`, `{ passkey: true }`).
   */
  unlock?:
    | {
        /** The vault's key: 64 bytes or 128 hex characters. */
        key: Uint8Array | string;
      }
    | Unlock;
  /** Leave out records that fail authentication, and report them in `onSkipped` (default: refuse). */
  skipCorrupted?: boolean;
  /** Called as records are read and checked: at the start, about every 1%, and at the end. */
  onProgress?: (progress: BackupProgress) => void;
  /** Called once, before the file is returned, with the records left out (`skipCorrupted`). */
  onSkipped?: (records: SkippedRecord[]) => void;
}

/** Options of {@link Database.import}. */
export interface ImportOptions extends KdfCostOptions {
  /** The IndexedDB database to import into (default `"tagvault"`). */
  directory?: string;
  /** Decrypt every value when the imported vault opens (default `true`). */
  preload?: boolean;
  /** Durability of the opened vault's later saves (the import itself is written `"strict"`). */
  durability?: IDBTransactionDurability;
  /** The passphrase of a backup made with one, when no key is given. */
  passphrase?: string;
  /**
   * Make the directory's vault exactly the backup's even where it holds that vault (or that
   * profile) already: its records and metatags the file lacks are removed, in the same single
   * transaction. Default: refuse with `VaultExistsError`.
   */
  replace?: boolean;
  /**
   * Carry a profile: make a profile for these tokens in the directory, whose one password slot
   * (the tokens' password, at `kb`/`cpu`) holds the imported root key, so the same tokens open
   * it here with {@link Database.loadProfile}. The secret salt is new on this device: the file
   * never holds one.
   */
  profile?: ProfileTokens;
  /** Called as the file is verified and written: at the start, about every 1%, at the end. */
  onProgress?: (progress: BackupProgress) => void;
}

/** What {@link Database.inspectBackup} reads from a backup's header, without the key. */
export interface BackupInfo {
  /** Always `"tagvault-backup"`. */
  format: 'tagvault-backup';
  /** The backup format version (1). */
  version: number;
  /** When the backup was made. */
  created: Date;
  /** Sealed records it holds. */
  records: number;
  /** Vaults it holds: the root and each of its metatags. */
  vaults: number;
  /** Records its export left out (they failed authentication). */
  skipped: number;
  /** Whether the root key is inside, in a passphrase slot. */
  keyInside: boolean;
  /** The file's size in bytes. */
  bytes: number;
}

function aFile(value: unknown): Blob {
  if (typeof Blob === 'undefined' || !(value instanceof Blob)) throw new ValidationError('file', `expected a Blob or File, got ${describe(value)}`);
  return value;
}

function aCallback<T>(value: unknown, argument: string): ((arg: T) => void) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new ValidationError(argument, `expected a function, got ${describe(value)}`);
  return value as (arg: T) => void;
}

/** A progress callback for the engine: a Comlink proxy whose errors stay on the page. */
function progressProxy(callback: ((p: BackupProgress) => void) | undefined): ((p: BackupProgress) => void) | undefined {
  if (!callback) return undefined;
  return proxy((p: BackupProgress) => {
    try {
      callback({ done: p.done, total: p.total });
    } catch {
      // The caller's callback failing does not stop the export or import.
    }
  });
}

/** What exporting needs of an open vault. */
export interface BackupPlace {
  engine: EngineRemote;
  handle: Handle;
}

export async function exportBackup(place: BackupPlace, options: unknown): Promise<Blob> {
  const opts = anOptions<ExportOptions>(options, 'options', [
    'passphrase',
    'unlock',
    'skipCorrupted',
    'onProgress',
    'onSkipped',
    'kb',
    'cpu',
    'unsafeLowCostsForTests',
  ]);
  const passphrase = opts.passphrase === undefined ? undefined : aString(opts.passphrase, 'options.passphrase', { nonEmpty: true, max: 65536 });
  const skipCorrupted = opts.skipCorrupted === undefined ? false : aBoolean(opts.skipCorrupted, 'options.skipCorrupted');
  const onProgress = aCallback<BackupProgress>(opts.onProgress, 'options.onProgress');
  const onSkipped = aCallback<SkippedRecord[]>(opts.onSkipped, 'options.onSkipped');
  if (passphrase === undefined) {
    for (const name of ['unlock', 'kb', 'cpu', 'unsafeLowCostsForTests'] as const) {
      if (opts[name] !== undefined) throw new ValidationError(`options.${name}`, 'is for a backup with a passphrase: give options.passphrase too');
    }
  }
  const request: ExportRequest = { skipCorrupted };
  const buffers: ArrayBuffer[] = [];
  if (passphrase !== undefined) {
    const kdf = parseStoredKdf(opts);
    if (opts.unlock === undefined)
      throw new ValidationError('options.unlock', 'is required with a passphrase: { key } for a vault opened by key, or one way into the profile');
    const given = opts.unlock as unknown;
    if (given !== null && typeof given === 'object' && !Array.isArray(given) && 'key' in given) {
      anOptions<{ key: unknown }>(given, 'options.unlock', ['key']);
      const key = aKey((given as { key: unknown }).key, 'options.unlock.key');
      request.unlock = { key };
      buffers.push(key.buffer);
    } else {
      const unlock = checkUnlock(given, 'options.unlock');
      const secret = await unlockSecret(unlock, 'options.unlock', () => place.engine.keySlots(place.handle));
      request.unlock = { secret };
      buffers.push(...secretBuffers(secret));
    }
    request.passphrase = { password: passphrase, kdf };
  }
  const { file, skipped } = await place.engine.exportBackup(place.handle, transfer(request, buffers), progressProxy(onProgress));
  if (skipped.length > 0) onSkipped?.(skipped);
  return file;
}

/** The settings and the engine request of an import. */
export async function importRequest(
  file: unknown,
  key: unknown,
  options: unknown,
): Promise<{ settings: OpenSettings; file: Blob; request: ImportRequest; onProgress: ((p: BackupProgress) => void) | undefined; buffers: ArrayBuffer[] }> {
  const blob = aFile(file);
  // Database.import(file, options) with a passphrase, or (file, key, options?).
  const byPassphrase = key !== null && typeof key === 'object' && !(key instanceof Uint8Array) && options === undefined;
  const opts = anOptions<ImportOptions>(byPassphrase ? key : options, 'options', [
    'directory',
    'preload',
    'durability',
    'passphrase',
    'replace',
    'profile',
    'onProgress',
    'kb',
    'cpu',
    'unsafeLowCostsForTests',
  ]);
  const settings = parseOpenOptions({
    ...(opts.directory !== undefined ? { directory: opts.directory } : {}),
    ...(opts.preload !== undefined ? { preload: opts.preload } : {}),
    ...(opts.durability !== undefined ? { durability: opts.durability } : {}),
  });
  const replace = opts.replace === undefined ? false : aBoolean(opts.replace, 'options.replace');
  const onProgress = aCallback<BackupProgress>(opts.onProgress, 'options.onProgress');
  const buffers: ArrayBuffer[] = [];
  let importKey: ImportRequest['key'];
  if (byPassphrase) {
    if (opts.passphrase === undefined) throw new ValidationError('options.passphrase', 'is required when no key is given');
    importKey = { passphrase: aString(opts.passphrase, 'options.passphrase', { nonEmpty: true, max: 65536 }) };
  } else {
    if (opts.passphrase !== undefined)
      throw new ValidationError('options.passphrase', 'is for a backup imported without its key: give the key or the passphrase, not both');
    const root = aKey(key, 'key');
    importKey = { root };
    buffers.push(root.buffer);
  }
  const request: ImportRequest = { directory: settings.directory, key: importKey, replace, preload: settings.preload };
  if (opts.profile !== undefined) {
    if (!(opts.profile instanceof ProfileTokens))
      throw new ValidationError('options.profile', `expected tokens from Database.generateProfileTokens, got ${describe(opts.profile)}`);
    request.profile = { profileId: opts.profile.profileId, password: tokenPassword(opts.profile, 'options.profile'), kdf: parseStoredKdf(opts) };
  } else {
    for (const name of ['kb', 'cpu', 'unsafeLowCostsForTests'] as const) {
      if (opts[name] !== undefined) throw new ValidationError(`options.${name}`, 'sets the costs of a carried profile: give options.profile too');
    }
  }
  return { settings, file: blob, request, onProgress, buffers };
}

export async function importBackup(engine: EngineRemote, prepared: Awaited<ReturnType<typeof importRequest>>): Promise<OpenedVault> {
  return engine.importBackup(prepared.file, transfer(prepared.request, prepared.buffers), progressProxy(prepared.onProgress));
}

/**
 * A backup's header, read without the key (only its first bytes are read).
 * @throws {BackupFormatError} for a file that is not a readable backup.
 */
export async function inspectBackup(file: unknown): Promise<BackupInfo> {
  const blob = aFile(file);
  const head = new Uint8Array(await blob.slice(0, PREAMBLE_LENGTH + MAX_BACKUP_HEADER).arrayBuffer());
  const length = readPreamble(head);
  if (PREAMBLE_LENGTH + length > head.length) throw new BackupFormatError('this is not a readable tagvault backup (the file ends inside its header)');
  const header = decodeHeader(head.subarray(PREAMBLE_LENGTH, PREAMBLE_LENGTH + length));
  return {
    format: 'tagvault-backup',
    version: BACKUP_VERSION,
    created: new Date(header.created),
    records: header.records,
    vaults: header.vaults,
    skipped: header.skipped,
    keyInside: header.passphrase !== undefined,
    bytes: blob.size,
  };
}
