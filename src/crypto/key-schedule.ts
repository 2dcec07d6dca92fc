// The HKDF-SHA-256 key schedule (SECURITY.md, "The construction"): every key of a vault is derived from
// its 64-byte root with info = "tagvault/v1/" ‖ purpose ‖ 0x00 ‖ length-prefixed context.
// The root itself is imported once as a non-extractable HKDF key.
import { concat, lengthPrefixed, utf8 } from '../bytes';
import { DatabaseClosedError } from '../errors';

/** What a derived key is for; each purpose gives independent keys. */
export const Purpose = {
  record: 'record',
  public: 'public',
  tagId: 'tag-id',
  hmac: 'hmac',
  uuids: 'uuids',
  passcrypt: 'passcrypt',
  vaultId: 'vault-id',
  metatag: 'metatag',
} as const;
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

const EMPTY_SALT = new Uint8Array(0);

/** The HKDF `info` for a purpose and context (RFC 5869 §3.2: info binds a key to its use). */
export function hkdfInfo(purpose: Purpose, context: (Uint8Array | string)[]): Uint8Array<ArrayBuffer> {
  return concat(utf8(`tagvault/v1/${purpose}`), Uint8Array.of(0), lengthPrefixed(...context));
}

export class KeySchedule {
  /** The root, a non-extractable HKDF key (no raw bytes are kept); `undefined` once destroyed. */
  #root: CryptoKey | undefined;
  private constructor(root: CryptoKey) {
    this.#root = root;
  }

  /** Imports a 64-byte root key (and zero-fills the given copy, also when the import fails). */
  static async fromRoot(root: Uint8Array<ArrayBuffer>): Promise<KeySchedule> {
    try {
      return new KeySchedule(await crypto.subtle.importKey('raw', root, 'HKDF', false, ['deriveKey', 'deriveBits']));
    } finally {
      root.fill(0);
    }
  }

  /** The root, or DatabaseClosedError once destroyed. */
  #live(): CryptoKey {
    const root = this.#root;
    if (!root) throw new DatabaseClosedError();
    return root;
  }

  /** Drops the root: every later derivation throws DatabaseClosedError. Idempotent. */
  destroy(): void {
    this.#root = undefined;
  }

  #params(purpose: Purpose, context: (Uint8Array | string)[]): HkdfParams {
    return { name: 'HKDF', hash: 'SHA-256', salt: EMPTY_SALT, info: hkdfInfo(purpose, context) };
  }

  /** Raw derived bytes (for ids, secrets handed to hash-wasm, and child roots). */
  async bits(purpose: Purpose, bytes: number, ...context: (Uint8Array | string)[]): Promise<Uint8Array<ArrayBuffer>> {
    const root = this.#live();
    return new Uint8Array(await crypto.subtle.deriveBits(this.#params(purpose, context), root, bytes * 8));
  }

  /** A non-extractable AES-256-CBC key for XAES-256-GCM's key derivation. */
  async aesCbc(purpose: Purpose, ...context: (Uint8Array | string)[]): Promise<CryptoKey> {
    const root = this.#live();
    return crypto.subtle.deriveKey(this.#params(purpose, context), root, { name: 'AES-CBC', length: 256 }, false, ['encrypt']);
  }

  /** A non-extractable HMAC-SHA-256 key. */
  async hmac(purpose: Purpose, ...context: (Uint8Array | string)[]): Promise<CryptoKey> {
    const root = this.#live();
    return crypto.subtle.deriveKey(this.#params(purpose, context), root, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify']);
  }

  /** The schedule of a child vault: its root is 512 bits derived with the child's id as context. */
  async child(childId: string): Promise<KeySchedule> {
    const root = await this.bits(Purpose.metatag, 64, childId);
    if (!this.#root) {
      root.fill(0); // destroyed while it derived
      throw new DatabaseClosedError();
    }
    return KeySchedule.fromRoot(root);
  }
}
