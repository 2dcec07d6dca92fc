// The options of the public API: each interface with its defaults beside their docs, and the
// parsers that validate them at the boundary (naming the refused option) before anything runs.
import { aBoolean, anInteger, anOptions, aPositiveNumber, aString, describe } from '../assert';
import { checkArgon2Cost, MAX_MEMORY_KIB, MIN_MEMORY_KIB, STORED_KEY_MIN_ITERATIONS, STORED_KEY_MIN_MEMORY_KIB } from '../crypto/argon2-cost';
import { ValidationError } from '../errors';
import type { KdfSettings } from '../wire/protocol';

/** Where no directory is given, vaults live in the IndexedDB database named "tagvault". */
export const DEFAULT_DIRECTORY = 'tagvault';
/** Argon2id memory of a new profile's key when `kb` is not given: 64 MiB. */
const DEFAULT_KB = 65536;
/** Argon2id passes of a new profile's key when `cpu` is not given. */
const DEFAULT_CPU = 3;
/** passcrypt's floor on memory when `hardness` is not given. */
const DEFAULT_HARDNESS = 1024;
/** The longest filename (and uuid category) accepted, in UTF-16 units. */
export const MAX_FILENAME = 65536;

/** Options of {@link Database.open} and {@link Database.loadProfile}. */
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

/**
 * Argon2id costs of a key that tagvault derives from a password and stores (a profile's wrap).
 * Each is at least OWASP's Argon2id minimum, 19 MiB and 2 passes, unless
 * {@link KdfCostOptions.unsafeLowCostsForTests} says otherwise.
 */
export interface KdfCostOptions {
  /** Argon2id memory in KiB (default 65,536 = 64 MiB; at least 19,456 = 19 MiB). */
  kb?: number;
  /** Argon2id passes (default 3; at least 2). */
  cpu?: number;
  /**
   * For tests only: accept costs below the floor (down to Argon2's own minimums, 8 KiB and one
   * pass), so a test suite does not spend seconds per profile. Never set it in an application: a
   * stolen copy of the browser's storage then yields to a password guess at a fraction of the cost.
   */
  unsafeLowCostsForTests?: boolean;
}

/** Options of {@link Database.generateProfile}: those of {@link OpenOptions}, and a new profile's costs. */
export interface ProfileOptions extends OpenOptions, KdfCostOptions {}

/** Options of {@link Database.changeProfilePassword} and {@link Database.rotateProfileKey}. */
export interface PasswordChangeOptions extends KdfCostOptions {
  /** The IndexedDB database that holds the profile (default `"tagvault"`). */
  directory?: string;
}

/** Options of {@link Database.jsonEncrypt}. */
export interface EncryptOptions {
  /** Binds the ciphertext to a name: it decrypts only with the same filename (default `""`). */
  filename?: string;
}

/** Options of {@link Database.jsonDecrypt}. */
export interface DecryptOptions extends EncryptOptions {
  /**
   * Refuse ciphertexts older than this many seconds with a {@link TimeoutError}, and, with any
   * ttl, those dated more than 60 s ahead of this device's clock with a
   * {@link FutureTimestampError} (a TimeoutError too): the age of a ciphertext from the future
   * cannot be known.
   */
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

/** Options of {@link Database.bytesEncrypt}. */
export interface BytesEncryptOptions extends EncryptOptions, Transfer {}
/** Options of {@link Database.bytesDecrypt}. */
export interface BytesDecryptOptions extends DecryptOptions, Transfer {}

/** The shortest keyed UUID accepted, in hex characters: 96 bits. */
export const MIN_UUID_SIZE = 24;

/** Options of {@link Database.uuids}. */
export interface UuidOptions {
  /**
   * Length of each UUID in hex characters, 24 to 64 (default 64). Each hex character is 4 bits;
   * by the birthday bound, two of n values collide with even odds once n ≈ 2^(bits/2):
   * 24 hex = 96 bits, after ~2^48 values; 32 hex = 128 bits, ~2^64; 64 hex = 256 bits, ~2^128.
   * Sizes below 24 are refused: at 8 hex (32 bits), ~77,000 values collide with even odds.
   */
  size?: number;
  /** 64 hex characters; a random salt when omitted. Reuse it to get the same UUIDs again. */
  salt?: string;
}

/** Options of {@link Database.passcrypt}. */
export interface PasscryptOptions {
  /** Memory in KiB (default 65,536). */
  kb?: number;
  /** Passes over memory (default 3). */
  cpu?: number;
  /** A floor on memory in KiB: memory = max(kb, hardness) (default 1,024). */
  hardness?: number;
}

const DURABILITIES: readonly IDBTransactionDurability[] = ['default', 'strict', 'relaxed'];

/** Open options as the code uses them: every default applied. */
export interface OpenSettings {
  directory: string;
  preload: boolean;
  durability: IDBTransactionDurability;
}

export function parseOpenOptions(options: unknown, allowed: (keyof OpenOptions)[] = ['directory', 'preload', 'durability']): OpenSettings {
  const opts = anOptions<OpenOptions>(options, 'options', allowed);
  const directory = opts.directory === undefined ? DEFAULT_DIRECTORY : aString(opts.directory, 'options.directory', { nonEmpty: true, max: 1024 });
  const preload = opts.preload === undefined ? true : aBoolean(opts.preload, 'options.preload');
  const durability = opts.durability ?? 'default';
  if (!DURABILITIES.includes(durability)) {
    throw new ValidationError('options.durability', `expected one of ${DURABILITIES.join(', ')}, got ${describe(durability)}`);
  }
  return { directory, preload, durability };
}

/** Argon2id costs from `kb` and `cpu` (defaults 64 MiB, 3 passes), within Argon2's minimums and our caps. */
export function parseKdf(kb: unknown, cpu: unknown): KdfSettings {
  const memoryKiB = kb === undefined ? DEFAULT_KB : kb;
  const iterations = cpu === undefined ? DEFAULT_CPU : cpu;
  checkArgon2Cost(memoryKiB, iterations, { memory: 'options.kb', iterations: 'options.cpu' });
  return { memoryKiB: memoryKiB as number, iterations: iterations as number };
}

/** The costs of a password-derived key that will be stored: {@link parseKdf}, and the floor. */
export function parseStoredKdf(opts: KdfCostOptions): KdfSettings {
  const kdf = parseKdf(opts.kb, opts.cpu);
  const unsafe = opts.unsafeLowCostsForTests === undefined ? false : aBoolean(opts.unsafeLowCostsForTests, 'options.unsafeLowCostsForTests');
  if (!unsafe && kdf.memoryKiB < STORED_KEY_MIN_MEMORY_KIB) {
    throw new ValidationError(
      'options.kb',
      `must be at least ${STORED_KEY_MIN_MEMORY_KIB} (19 MiB, OWASP's Argon2id minimum) for a stored key, got ${kdf.memoryKiB}`,
    );
  }
  if (!unsafe && kdf.iterations < STORED_KEY_MIN_ITERATIONS) {
    throw new ValidationError(
      'options.cpu',
      `must be at least ${STORED_KEY_MIN_ITERATIONS} (OWASP's Argon2id minimum) for a stored key, got ${kdf.iterations}`,
    );
  }
  return kdf;
}

const COST_OPTIONS = ['kb', 'cpu', 'unsafeLowCostsForTests'] as const;

export function parseProfileOptions(options: unknown): OpenSettings & { kdf: KdfSettings } {
  const opts = anOptions<ProfileOptions>(options, 'options', ['directory', 'preload', 'durability', ...COST_OPTIONS]);
  const { kb, cpu, unsafeLowCostsForTests, ...open } = opts;
  return { ...parseOpenOptions(open), kdf: parseStoredKdf({ kb, cpu, unsafeLowCostsForTests }) };
}

/** `{ directory?, kb?, cpu? }` of a password change or rotation: new costs only when one is given (else the stored ones). */
export function parsePasswordChangeOptions(options: unknown): { directory: string; kdf: KdfSettings | undefined } {
  const opts = anOptions<PasswordChangeOptions>(options, 'options', ['directory', ...COST_OPTIONS]);
  const { directory } = parseOpenOptions(opts.directory !== undefined ? { directory: opts.directory } : {});
  const kdf = opts.kb === undefined && opts.cpu === undefined ? undefined : parseStoredKdf(opts);
  return { directory, kdf };
}

export function parseEncryptOptions(options: unknown): { filename: string } {
  const opts = anOptions<EncryptOptions>(options, 'options', ['filename']);
  const filename = opts.filename === undefined ? '' : aString(opts.filename, 'options.filename', { max: MAX_FILENAME });
  return { filename };
}

/** Options of the bytes and JSON ciphers, every one checked: `transfer` only where `bytes`. */
export function parseCipherOptions(
  options: unknown,
  cipher: { bytes: boolean; decrypt: boolean },
): { filename: string; ttl: number | undefined; transfer: boolean } {
  const allowed: (keyof BytesDecryptOptions)[] = ['filename'];
  if (cipher.decrypt) allowed.push('ttl');
  if (cipher.bytes) allowed.push('transfer');
  const opts = anOptions<BytesDecryptOptions>(options, 'options', allowed);
  const transfer = opts.transfer === undefined ? false : aBoolean(opts.transfer, 'options.transfer');
  const { filename } = parseEncryptOptions(opts.filename === undefined ? undefined : { filename: opts.filename });
  const ttl = opts.ttl === undefined ? undefined : aPositiveNumber(opts.ttl, 'options.ttl');
  return { filename, ttl, transfer };
}

export function parseUuidOptions(options: unknown): { size: number; salt: string | undefined } {
  const opts = anOptions<UuidOptions>(options, 'options', ['size', 'salt']);
  const size = opts.size === undefined ? 64 : anInteger(opts.size, 'options.size', MIN_UUID_SIZE, 64);
  return { size, salt: opts.salt === undefined || opts.salt === null ? undefined : aString(opts.salt, 'options.salt') };
}

export function parsePasscryptOptions(options: unknown): KdfSettings {
  const opts = anOptions<PasscryptOptions>(options, 'options', ['kb', 'cpu', 'hardness']);
  const { memoryKiB, iterations } = parseKdf(opts.kb, opts.cpu);
  const hardness = opts.hardness === undefined ? DEFAULT_HARDNESS : anInteger(opts.hardness, 'options.hardness', MIN_MEMORY_KIB, MAX_MEMORY_KIB);
  return { memoryKiB: Math.max(memoryKiB, hardness), iterations };
}

/** The default relying-party id: the page's hostname. */
export function defaultRpId(): string {
  return typeof location === 'undefined' ? '' : location.hostname;
}

/** A key slot's label (or the default), 1–200 characters. */
export function aLabel(value: unknown, argument: string, fallback: string): string {
  return value === undefined ? fallback : aString(value, argument, { nonEmpty: true, max: 200 });
}

/** A WebAuthn relying-party id (default: the page's hostname). */
export function anRpId(value: unknown, argument: string): string {
  const rpId = value === undefined ? defaultRpId() : aString(value, argument, { nonEmpty: true, max: 253 });
  if (!rpId) throw new ValidationError(argument, 'is needed where the page has no hostname');
  return rpId;
}
