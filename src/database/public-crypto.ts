// The public cryptography of an open vault (json/bytes encrypt and decrypt, HMAC, keyed UUIDs,
// passcrypt): the part of Database's API that uses the vault's keys for the caller's own data.
// Arguments are validated here; the work is done in the engine, under the vault's keys.
import { aBoolean, aBytes, anOptions, aString, describe } from '../assert';
import { fromBase64Url, fromHex, fromUtf8, ownBytes, randomBytes, toBase64Url, toHex, utf8 } from '../bytes';
import { AuthenticationError, InvalidHmacError, TagvaultError, ValidationError } from '../errors';
import { toJson } from '../json';
import type { EngineRemote } from '../wire/client';
import type { Handle } from '../wire/protocol';
import { moved, ownsBuffer } from '../wire/transfer';
import {
  type BytesDecryptOptions,
  type BytesEncryptOptions,
  type DecryptOptions,
  type EncryptOptions,
  MAX_FILENAME,
  type PasscryptOptions,
  parseCipherOptions,
  parsePasscryptOptions,
  parseUuidOptions,
  type UuidOptions,
} from './options';

/** The vault whose keys do the work (checked open before each use). */
export interface Keyed {
  engine: EngineRemote;
  handle: Handle;
  assertOpen(): void;
}

/** A UUID generator from {@link Database.uuids}. */
export interface UuidGenerator {
  /** The keyed UUID of a JSON-serialisable value. */
  (value: unknown): Promise<string>;
  /** The salt in use (hex); with `{ exit: true }` the generator ends and refuses further values. */
  result(options?: { exit?: boolean }): string;
}

/** 32 random bytes as 64 hex characters. */
export function generateSalt(): string {
  return toHex(randomBytes(32));
}

/**
 * Bytes to send to the engine: a copy (the engine takes ownership of what it is sent), or, with
 * `move` and an array that spans its whole ArrayBuffer, the array itself, whose buffer is then
 * moved (the caller's array is left empty).
 */
function outgoing(bytes: Uint8Array, move: boolean): Uint8Array<ArrayBuffer> {
  return moved(move && ownsBuffer(bytes) ? bytes : ownBytes(bytes));
}

/**
 * The vault's keys for your own data: ciphertexts, HMACs, keyed UUIDs and password hashes bound
 * to this vault (a {@link Database} is one). Everything runs in the engine's worker.
 */
export class PublicCrypto extends EventTarget {
  readonly #keyed: Keyed;

  /** @internal */
  constructor(keyed: Keyed) {
    super();
    this.#keyed = keyed;
  }

  /** The vault, checked open. */
  get #vault(): Keyed {
    this.#keyed.assertOpen();
    return this.#keyed;
  }

  /**
   * Encrypts a JSON-serialisable value; returns url-safe base64 text.
   * @example
   * const ct = await db.jsonEncrypt(['carrots', 'rice'], { filename: 'grocery list' });
   */
  async jsonEncrypt(value: unknown, options?: EncryptOptions): Promise<string> {
    const { engine, handle } = this.#vault;
    const json = toJson(value, 'value');
    const { filename } = parseCipherOptions(options, { bytes: false, decrypt: false });
    return toBase64Url(await engine.encrypt(handle, moved(utf8(json)), 'json', filename));
  }

  /**
   * Decrypts what {@link jsonEncrypt} made.
   * @throws {AuthenticationError} wrong key or filename, or altered ciphertext (text that is not
   * the url-safe base64 of an envelope included).
   * @throws {ValidationError} a ciphertext that is neither a string nor a Uint8Array, or bad options.
   * @throws {TimeoutError} older than `ttl` seconds (`.value` = whole seconds past it).
   * @throws {FutureTimestampError} with a `ttl`, dated more than 60 s ahead of this device's
   * clock (`.value` = whole seconds ahead); a TimeoutError too.
   */
  async jsonDecrypt(ciphertext: string | Uint8Array, options?: DecryptOptions): Promise<unknown> {
    return JSON.parse(fromUtf8(await this.#decrypt(ciphertext, 'json', options)));
  }

  /** Encrypts bytes; returns the envelope bytes. With `{ transfer: true }` the plaintext's buffer is moved, not copied. */
  async bytesEncrypt(plaintext: Uint8Array, options?: BytesEncryptOptions): Promise<Uint8Array> {
    const { engine, handle } = this.#vault;
    const bytes = aBytes(plaintext, 'plaintext');
    const { filename, transfer } = parseCipherOptions(options, { bytes: true, decrypt: false });
    return engine.encrypt(handle, outgoing(bytes, transfer), 'bytes', filename);
  }

  /**
   * Decrypts what {@link bytesEncrypt} made. With `{ transfer: true }` a ciphertext given as bytes
   * is moved, not copied.
   * @throws {AuthenticationError} · {TimeoutError} · {FutureTimestampError} (see {@link jsonDecrypt})
   */
  async bytesDecrypt(ciphertext: Uint8Array | string, options?: BytesDecryptOptions): Promise<Uint8Array> {
    return this.#decrypt(ciphertext, 'bytes', options);
  }

  /**
   * Every argument is checked first (a ciphertext that is neither text nor bytes is a
   * ValidationError); then any text that is not the canonical base64 of an envelope is an
   * AuthenticationError, as an altered envelope is: a flipped character, a dropped one and a
   * stray one are all alterations, and give the same error whichever the text turns into.
   */
  async #decrypt(ciphertext: string | Uint8Array, kind: 'json' | 'bytes', options: unknown): Promise<Uint8Array<ArrayBuffer>> {
    const { engine, handle } = this.#vault;
    const given = typeof ciphertext === 'string' ? undefined : aBytes(ciphertext, 'ciphertext');
    const { filename, ttl, transfer } = parseCipherOptions(options, { bytes: kind === 'bytes', decrypt: true });
    let bytes: Uint8Array<ArrayBuffer>;
    if (given) {
      bytes = outgoing(given, transfer);
    } else {
      const decoded = fromBase64Url(ciphertext as string);
      if (!decoded) throw new AuthenticationError('authentication failed: the ciphertext is not the url-safe base64 of a tagvault envelope (altered?)');
      bytes = moved(decoded);
    }
    return engine.decrypt(handle, bytes, kind, filename, ttl);
  }

  /** HMAC-SHA-256 (hex) of the JSON of `data`. Key order in objects matters, as in JSON. */
  async hmac(data: unknown): Promise<string> {
    const { engine, handle } = this.#vault;
    const json = toJson(data, 'data');
    return toHex(await engine.hmac(handle, moved(utf8(json))));
  }

  /**
   * Checks an HMAC from {@link PublicCrypto.hmac | hmac} in constant time.
   * @returns `true`
   * @throws {InvalidHmacError} when it does not match.
   */
  async testHmac(data: unknown, hmac: string): Promise<true> {
    const { engine, handle } = this.#vault;
    const json = toJson(data, 'data');
    const mac = fromHex(aString(hmac, 'hmac'));
    if (mac?.length !== 32) throw new ValidationError('hmac', `expected 64 hex characters, got ${describe(hmac)}`);
    if (!(await engine.verifyHmac(handle, moved(utf8(json)), moved(mac)))) throw new InvalidHmacError();
    return true;
  }

  /**
   * A generator of keyed UUIDs for a category: `await u(value)` gives `size` hex characters
   * (24 to 64, default 64: at least 96 bits, see {@link UuidOptions.size} for the collision odds),
   * the same for the same (vault, category, salt, value). `u.result({ exit: true })` returns the
   * salt and ends the generator.
   * @example
   * const emails = await clients.uuids('emails', { size: 24 });
   * const id = await emails('brittany@email.com');
   * const salt = emails.result({ exit: true });
   */
  async uuids(category: string, options?: UuidOptions): Promise<UuidGenerator> {
    const { engine, handle } = this.#vault;
    aString(category, 'category', { nonEmpty: true, max: MAX_FILENAME });
    const { size, salt } = parseUuidOptions(options);
    if (salt !== undefined && (salt.length !== 64 || !fromHex(salt)))
      throw new ValidationError('options.salt', `expected 64 hex characters, got ${describe(salt)}`);
    const saltHex = salt === undefined ? generateSalt() : salt.toLowerCase();
    let ended = false;
    const keyed = this.#keyed;
    const generator = async (value: unknown): Promise<string> => {
      keyed.assertOpen();
      if (ended) throw new TagvaultError('this uuid generator has ended (result({ exit: true }) was called)');
      const json = toJson(value, 'value');
      return engine.uuid(handle, category, moved(fromHex(saltHex)!), moved(utf8(json)), size);
    };
    return Object.assign(generator, {
      result(resultOptions?: { exit?: boolean }): string {
        const { exit } = anOptions<{ exit: boolean }>(resultOptions, 'options', ['exit']);
        if (exit !== undefined && aBoolean(exit, 'options.exit')) ended = true;
        return saltHex;
      },
    });
  }

  /** 32 random bytes as 64 hex characters (refused once closed, as every member; the static `Database.generateSalt` is not). */
  generateSalt(): string {
    this.#keyed.assertOpen();
    return generateSalt();
  }

  /**
   * Argon2id of `password` and `salt`, keyed with this vault's secret (so it differs per vault),
   * computed in the worker. Returns 64 bytes as 128 hex characters.
   * @example
   * const hash = await db.passcrypt(password, db.generateSalt(), { kb: 16 * 1024, cpu: 7, hardness: 2048 });
   */
  async passcrypt(password: string, salt: string, options?: PasscryptOptions): Promise<string> {
    const { engine, handle } = this.#vault;
    aString(password, 'password', { nonEmpty: true, max: 1 << 20 });
    const saltBytes = utf8(aString(salt, 'salt', { max: 1 << 20 }));
    if (saltBytes.length < 8) throw new ValidationError('salt', `must be at least 8 bytes of UTF-8, got ${describe(salt)}`);
    const { memoryKiB, iterations } = parsePasscryptOptions(options);
    return engine.passcrypt(handle, moved(utf8(password)), moved(saltBytes), memoryKiB, iterations);
  }
}
