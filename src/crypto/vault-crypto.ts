// crypto/: the primitives (XAES-256-GCM, envelopes, the HKDF key schedule, Argon2id) and, here, all
// the keys of one vault, derived from its root, and what is done with them. This runs where
// the keys live: in the engine's worker (or in-thread where there is no Worker).
import { lengthPrefixed, randomBytes, toBase64Url, toHex, utf8 } from '../bytes';
import { DatabaseClosedError } from '../errors';
import { HEADER_LENGTH } from '../format/envelope-layout';
import { argon2id } from './argon2';
import { type Opened, openEnvelope, openEnvelopes, SubkeyCache, sealEnvelope, sealEnvelopes } from './envelope';
import { KeySchedule, Purpose } from './key-schedule';
import { XaesKey } from './xaes';

/** The kinds of sealed record a vault writes: tags, name blocks, and a backup file's trailer (its id the file's). */
export type RecordKind = 'tag' | 'names' | 'backup';

/** A public ciphertext's kind is authenticated, so bytes cannot be opened as JSON or back. */
export type PublicKind = 'json' | 'bytes';

const encoder = new TextEncoder();

/** Every key of an open vault: what {@link VaultCrypto.destroy} drops and zero-fills. */
interface VaultKeys {
  schedule: KeySchedule;
  recordKey: XaesKey;
  records: SubkeyCache;
  publicKey: XaesKey;
  public: SubkeyCache;
  tagIdKey: CryptoKey;
  hmacKey: CryptoKey;
  /** Raw bytes: hash-wasm takes its secret as bytes. */
  passcryptSecret: Uint8Array<ArrayBuffer>;
  uuidKeys: Map<string, Promise<CryptoKey>>;
}

export class VaultCrypto {
  /** Public id of the vault in storage (derived, so the same key finds the same vault). */
  readonly vaultId: string;
  /** The keys; `undefined` once destroyed. */
  #keys: VaultKeys | undefined;
  /** lengthPrefixed(kind, vaultId) of each record kind: a record's context continues it with its id. */
  readonly #contextPrefixes: Record<RecordKind, Uint8Array<ArrayBuffer>>;

  private constructor(
    vaultId: string,
    schedule: KeySchedule,
    recordKey: XaesKey,
    publicKey: XaesKey,
    tagIdKey: CryptoKey,
    hmacKey: CryptoKey,
    passcryptSecret: Uint8Array<ArrayBuffer>,
  ) {
    this.vaultId = vaultId;
    this.#keys = {
      schedule,
      recordKey,
      records: new SubkeyCache(recordKey),
      publicKey,
      public: new SubkeyCache(publicKey),
      tagIdKey,
      hmacKey,
      passcryptSecret,
      uuidKeys: new Map(),
    };
    this.#contextPrefixes = { tag: lengthPrefixed('tag', vaultId), names: lengthPrefixed('names', vaultId), backup: lengthPrefixed('backup', vaultId) };
  }

  /** The keys, or DatabaseClosedError once destroyed: the first thing every method asks. */
  get #k(): VaultKeys {
    const keys = this.#keys;
    if (!keys) throw new DatabaseClosedError();
    return keys;
  }

  /**
   * Destroys the vault's keys (the engine's closeVault): zero-fills the raw bytes (the passcrypt
   * secret, both XAES keys' K1), drops every CryptoKey and cached subkey, and makes every later
   * use, and work in flight when it next needs a key, throw DatabaseClosedError. Idempotent.
   * A metatag's VaultCrypto is an object of its own (derived, not shared): it is not destroyed
   * with its parent's.
   */
  destroy(): void {
    const keys = this.#keys;
    if (!keys) return;
    this.#keys = undefined;
    keys.passcryptSecret.fill(0);
    keys.recordKey.destroy();
    keys.publicKey.destroy();
    keys.records.clear();
    keys.public.clear();
    keys.uuidKeys.clear();
    keys.schedule.destroy();
  }

  /** @internal The raw key bytes this holds (the passcrypt secret, each XAES key's K1), for the tests of {@link destroy}. */
  heldKeyBytes(): Uint8Array[] {
    const { passcryptSecret, recordKey, publicKey } = this.#k;
    return [passcryptSecret, ...recordKey.heldKeyBytes(), ...publicKey.heldKeyBytes()];
  }

  /** Derives every key of a vault from its 64-byte root (the given array is zero-filled). */
  static async fromRoot(root: Uint8Array<ArrayBuffer>): Promise<VaultCrypto> {
    return VaultCrypto.#fromSchedule(await KeySchedule.fromRoot(root));
  }

  /** The keys of a schedule (which it then holds); when a derivation fails, the schedule is destroyed and the secret wiped. */
  static async #fromSchedule(schedule: KeySchedule): Promise<VaultCrypto> {
    const secret = schedule.bits(Purpose.passcrypt, 32);
    try {
      const [vaultId, recordCbc, publicCbc, tagIdKey, hmacKey, passcryptSecret] = await Promise.all([
        schedule.bits(Purpose.vaultId, 24),
        schedule.aesCbc(Purpose.record),
        schedule.aesCbc(Purpose.public),
        schedule.hmac(Purpose.tagId),
        schedule.hmac(Purpose.hmac),
        secret,
      ]);
      const [recordKey, publicKey] = await Promise.all([XaesKey.fromCryptoKey(recordCbc), XaesKey.fromCryptoKey(publicCbc)]);
      return new VaultCrypto(toBase64Url(vaultId), schedule, recordKey, publicKey, tagIdKey, hmacKey, passcryptSecret);
    } catch (error) {
      schedule.destroy();
      await secret.then(
        (bytes) => bytes.fill(0),
        () => undefined,
      );
      throw error;
    }
  }

  /** The vault of metatag `name`: its root is derived from this one, never the other way. */
  async child(name: string): Promise<VaultCrypto> {
    const id = await this.tagId(name);
    const schedule = await this.#k.schedule.child(id);
    if (!this.#keys) {
      schedule.destroy(); // destroyed while it derived
      throw new DatabaseClosedError();
    }
    const child = await VaultCrypto.#fromSchedule(schedule);
    if (!this.#keys) {
      child.destroy();
      throw new DatabaseClosedError();
    }
    return child;
  }

  /** The storage id of a tag: HMAC-SHA-256 under the tag-id key, url-safe base64. */
  async tagId(tag: string): Promise<string> {
    return (await this.tagIds([tag]))[0]!;
  }

  tagIds(tags: string[]): Promise<string[]> {
    const { tagIdKey } = this.#k;
    return Promise.all(tags.map((t) => crypto.subtle.sign('HMAC', tagIdKey, utf8(t)).then((mac) => toBase64Url(new Uint8Array(mac)))));
  }

  /** lengthPrefixed(kind, vaultId, id): a record's context. */
  #recordContext(kind: RecordKind, id: string): Uint8Array<ArrayBuffer> {
    return this.#recordAad(kind, id).subarray(HEADER_LENGTH);
  }

  /**
   * A record's additional data, `header ‖ lengthPrefixed(kind, vaultId, id)`, in one array, from
   * the kind's cached prefix (this runs once per record: ids we write are ASCII, copied as is).
   */
  #recordAad(kind: RecordKind, id: string, header?: Uint8Array): Uint8Array<ArrayBuffer> {
    const prefix = this.#contextPrefixes[kind];
    const start = HEADER_LENGTH + prefix.length + 4;
    let aad = new Uint8Array(start + id.length);
    let length = id.length;
    for (let k = 0; k < id.length; k++) {
      const c = id.charCodeAt(k);
      if (c > 0x7f) {
        aad = new Uint8Array(start + 3 * id.length);
        length = encoder.encodeInto(id, aad.subarray(start)).written;
        break;
      }
      aad[start + k] = c;
    }
    if (header) aad.set(header);
    aad.set(prefix, HEADER_LENGTH);
    new DataView(aad.buffer).setUint32(start - 4, length);
    return aad.subarray(0, start + length);
  }
  #headerContext(): Uint8Array<ArrayBuffer> {
    return lengthPrefixed('header', this.vaultId);
  }

  /** Seals a batch of records of one kind: one subkey derivation for the whole batch (one nonce prefix). */
  async sealRecords(kind: RecordKind, ids: string[], plaintexts: Uint8Array<ArrayBuffer>[], now = Date.now()): Promise<Uint8Array<ArrayBuffer>[]> {
    const { recordKey } = this.#k;
    if (plaintexts.length === 0) return [];
    const subkey = await recordKey.subkey(randomBytes(12));
    return sealEnvelopes(subkey, plaintexts, (i, header) => this.#recordAad(kind, ids[i]!, header), now);
  }

  /** Opens one record; AuthenticationError if it was altered or moved. */
  async openRecord(kind: RecordKind, id: string, envelope: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    return (await openEnvelope(this.#k.records, envelope, this.#recordContext(kind, id))).plaintext;
  }

  /** Opens records of one kind: each one's plaintext, or `null` where it was altered or moved. */
  openRecords(kind: RecordKind, ids: string[], envelopes: Uint8Array[]): Promise<(Uint8Array<ArrayBuffer> | null)[]> {
    return openEnvelopes(this.#k.records, envelopes, (i, header) => this.#recordAad(kind, ids[i]!, header));
  }

  async sealHeader(plaintext: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    const subkey = await this.#k.recordKey.subkey(randomBytes(12));
    return sealEnvelope(subkey, plaintext, this.#headerContext());
  }

  async openHeader(envelope: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    return (await openEnvelope(this.#k.records, envelope, this.#headerContext())).plaintext;
  }

  #publicContext(kind: PublicKind, filename: string): Uint8Array<ArrayBuffer> {
    return lengthPrefixed('public', kind, filename);
  }

  /** Public encryption, bound to `filename` and `kind`. */
  async encrypt(plaintext: Uint8Array<ArrayBuffer>, kind: PublicKind, filename: string): Promise<Uint8Array<ArrayBuffer>> {
    const subkey = await this.#k.publicKey.subkey(randomBytes(12));
    return sealEnvelope(subkey, plaintext, this.#publicContext(kind, filename));
  }

  async decrypt(envelope: Uint8Array, kind: PublicKind, filename: string, ttlSeconds?: number): Promise<Opened> {
    return openEnvelope(this.#k.public, envelope, this.#publicContext(kind, filename), ttlSeconds);
  }

  /** HMAC-SHA-256 of `data` under the vault's HMAC key. */
  async hmac(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await crypto.subtle.sign('HMAC', this.#k.hmacKey, data));
  }

  /** Constant-time check of an HMAC (crypto.subtle.verify). */
  verifyHmac(data: Uint8Array<ArrayBuffer>, mac: Uint8Array<ArrayBuffer>): Promise<boolean> {
    return crypto.subtle.verify('HMAC', this.#k.hmacKey, mac, data);
  }

  /** A keyed UUID: HMAC under the category's key of salt ‖ value, hex, cut to `size` characters. */
  async uuid(category: string, salt: Uint8Array<ArrayBuffer>, value: Uint8Array<ArrayBuffer>, size: number): Promise<string> {
    const { uuidKeys, schedule } = this.#k;
    let key = uuidKeys.get(category);
    if (!key) {
      key = schedule.hmac(Purpose.uuids, category);
      uuidKeys.set(category, key);
    }
    const mac = await crypto.subtle.sign('HMAC', await key, lengthPrefixed(salt, value));
    return toHex(new Uint8Array(mac)).slice(0, size);
  }

  /**
   * Argon2id keyed with this vault's passcrypt secret; 64 bytes as hex. The given password array
   * and the hash's bytes are zero-filled once used. hash-wasm is given a copy of the secret
   * (zero-filled after), so a destroy() while it runs cannot change the secret it hashes with.
   */
  async passcrypt(password: Uint8Array, salt: Uint8Array, memoryKiB: number, iterations: number): Promise<string> {
    const secret = this.#k.passcryptSecret.slice();
    try {
      const out = await argon2id({ password, salt, secret, memoryKiB, iterations, hashLength: 64 });
      try {
        return toHex(out);
      } finally {
        out.fill(0);
      }
    } finally {
      secret.fill(0);
      password.fill(0);
    }
  }
}
