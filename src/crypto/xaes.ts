// XAES-256-GCM (https://c2sp.org/XAES-256-GCM) on WebCrypto.
//
// XAES-256-GCM derives a per-nonce AES-256-GCM key from the first 12 bytes of a 24-byte nonce with
// the NIST SP 800-108r1 counter-mode KDF over AES-256-CMAC, then runs standard AES-256-GCM with
// the last 12 bytes as its nonce. For a one-block message, CMAC_K(M) = AES_K(M ⊕ K1), and
// AES-CBC with IV = K1 over one block computes exactly AES_K(M ⊕ K1): WebCrypto gives us the
// KDF without any hand-written AES. (WebCrypto appends a PKCS#7 padding block; we keep the first.)
import { concat } from '../bytes';
import { DatabaseClosedError } from '../errors';

export const XAES_KEY_LENGTH = 32;
export const XAES_NONCE_LENGTH = 24;
export const XAES_TAG_LENGTH = 16;

const ZERO_BLOCK = new Uint8Array(16);

/**
 * AES_K(block ⊕ iv) via one block of AES-CBC: its first 16 bytes. The whole 32-byte output is
 * returned (the second block, WebCrypto's padding's, also comes from the key): the caller
 * zero-fills all of it once used.
 */
async function aesBlock(key: CryptoKey, block: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, key, block));
}

/** The CMAC subkey K1 = L·x in GF(2^128) (NIST SP 800-38B §6.1): shift left, xor 0x87 on carry. */
function doubleBlock(l: Uint8Array): Uint8Array<ArrayBuffer> {
  const k1 = new Uint8Array(16);
  for (let i = 0; i < 15; i++) k1[i] = ((l[i]! << 1) | (l[i + 1]! >>> 7)) & 0xff;
  k1[15] = (l[15]! << 1) & 0xff;
  if (l[0]! & 0x80) k1[15] ^= 0x87;
  return k1;
}

/** A derived AES-256-GCM key for one 12-byte nonce prefix; seal and open with the remaining 12 bytes. */
export class XaesSubkey {
  readonly #gcm: CryptoKey;
  /** The first 12 bytes of every nonce this subkey serves. */
  readonly prefix: Uint8Array<ArrayBuffer>;
  constructor(gcm: CryptoKey, prefix: Uint8Array<ArrayBuffer>) {
    this.#gcm = gcm;
    this.prefix = prefix;
  }

  /** AES-256-GCM seal with nonce suffix `n12`; returns ciphertext ‖ 16-byte tag. */
  async seal(n12: Uint8Array<ArrayBuffer>, plaintext: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.encrypt(n12, plaintext, aad));
  }

  /** As {@link seal}, straight from WebCrypto (no extra promise: this runs once per record). */
  encrypt(n12: Uint8Array<ArrayBuffer>, plaintext: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> {
    return crypto.subtle.encrypt({ name: 'AES-GCM', iv: n12, additionalData: aad, tagLength: 128 }, this.#gcm, plaintext);
  }

  /** AES-256-GCM open; rejects (WebCrypto `OperationError`) when authentication fails. */
  async open(n12: Uint8Array<ArrayBuffer>, ciphertext: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.decrypt(n12, ciphertext, aad));
  }

  /** As {@link open}, straight from WebCrypto (no extra promise: this runs once per record). */
  decrypt(n12: Uint8Array<ArrayBuffer>, ciphertext: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> {
    return crypto.subtle.decrypt({ name: 'AES-GCM', iv: n12, additionalData: aad, tagLength: 128 }, this.#gcm, ciphertext);
  }
}

/**
 * An XAES-256-GCM key. The AES key stays a non-extractable CryptoKey; the CMAC subkey K1 is raw
 * bytes, zero-filled by {@link destroy}.
 */
export class XaesKey {
  /** The AES key; `undefined` once destroyed. */
  #key: CryptoKey | undefined;
  readonly #k1: Uint8Array<ArrayBuffer>;

  private constructor(key: CryptoKey, k1: Uint8Array<ArrayBuffer>) {
    this.#key = key;
    this.#k1 = k1;
  }

  /** From an AES-CBC 256-bit CryptoKey with the `encrypt` usage (e.g. from HKDF `deriveKey`). */
  static async fromCryptoKey(key: CryptoKey): Promise<XaesKey> {
    // L = AES_K(0^128), K1 = L·x (SP 800-38B §6.1).
    const l = await aesBlock(key, ZERO_BLOCK, ZERO_BLOCK);
    try {
      return new XaesKey(key, doubleBlock(l));
    } finally {
      l.fill(0);
    }
  }

  /** The AES key, or DatabaseClosedError once destroyed. */
  #live(): CryptoKey {
    const key = this.#key;
    if (!key) throw new DatabaseClosedError();
    return key;
  }

  /**
   * Zero-fills K1 and drops the AES key: every later use, and a subkey derivation in flight,
   * throws DatabaseClosedError. Idempotent.
   */
  destroy(): void {
    this.#key = undefined;
    this.#k1.fill(0);
  }

  /** @internal The raw key bytes this holds (K1), for the tests of {@link destroy}. */
  heldKeyBytes(): Uint8Array[] {
    return [this.#k1];
  }

  /** From 32 raw key bytes (imported as non-extractable). */
  static async fromRaw(raw: Uint8Array<ArrayBuffer>): Promise<XaesKey> {
    if (raw.length !== XAES_KEY_LENGTH) throw new RangeError('XAES-256-GCM key must be 32 bytes');
    const key = await crypto.subtle.importKey('raw', raw, { name: 'AES-CBC' }, false, ['encrypt']);
    return XaesKey.fromCryptoKey(key);
  }

  /**
   * The AES-256-GCM key for nonce prefix `n` (12 bytes):
   * Kx = AES_K(M1 ⊕ K1) ‖ AES_K(M2 ⊕ K1), M_i = [0x00, i, 'X', 0x00] ‖ n.
   */
  async subkey(n: Uint8Array<ArrayBuffer>): Promise<XaesSubkey> {
    const key = this.#live();
    if (n.length !== 12) throw new RangeError('XAES-256-GCM nonce prefix must be 12 bytes');
    const m1 = concat(Uint8Array.of(0x00, 0x01, 0x58, 0x00), n);
    const m2 = concat(Uint8Array.of(0x00, 0x02, 0x58, 0x00), n);
    // WebCrypto copies the iv (K1) when called; both halves are zero-filled whatever happens.
    const halves = await Promise.allSettled([aesBlock(key, m1, this.#k1), aesBlock(key, m2, this.#k1)]);
    const kx = new Uint8Array(XAES_KEY_LENGTH);
    try {
      halves.forEach((half, i) => {
        if (half.status === 'rejected') throw half.reason;
        kx.set(half.value.subarray(0, 16), 16 * i);
      });
      this.#live(); // destroyed while it derived: no subkey of a destroyed key
      const gcm = await crypto.subtle.importKey('raw', kx, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
      this.#live();
      return new XaesSubkey(gcm, n);
    } finally {
      for (const half of halves) if (half.status === 'fulfilled') half.value.fill(0);
      kx.fill(0);
    }
  }

  /** XAES-256-GCM seal with a 24-byte nonce: ciphertext ‖ tag. */
  async seal(
    nonce: Uint8Array<ArrayBuffer>,
    plaintext: Uint8Array<ArrayBuffer>,
    aad: Uint8Array<ArrayBuffer> = new Uint8Array(),
  ): Promise<Uint8Array<ArrayBuffer>> {
    this.#live();
    if (nonce.length !== XAES_NONCE_LENGTH) throw new RangeError('XAES-256-GCM nonce must be 24 bytes');
    const sub = await this.subkey(nonce.slice(0, 12));
    return sub.seal(nonce.slice(12), plaintext, aad);
  }

  /** XAES-256-GCM open with a 24-byte nonce; rejects when authentication fails. */
  async open(
    nonce: Uint8Array<ArrayBuffer>,
    ciphertext: Uint8Array<ArrayBuffer>,
    aad: Uint8Array<ArrayBuffer> = new Uint8Array(),
  ): Promise<Uint8Array<ArrayBuffer>> {
    this.#live();
    if (nonce.length !== XAES_NONCE_LENGTH) throw new RangeError('XAES-256-GCM nonce must be 24 bytes');
    const sub = await this.subkey(nonce.slice(0, 12));
    return sub.open(nonce.slice(12), ciphertext, aad);
  }
}
