// The envelope every ciphertext travels in:
//   version (1) ‖ timestamp (8, ms since the epoch, big-endian) ‖ nonce (24) ‖ ciphertext ‖ tag (16)
// The 33-byte header is authenticated as AAD together with a context (vault id + tag id for
// records, the filename for public encryption), so a record cannot be moved or relabelled.
import { concat, randomBytes } from './bytes';
import { AuthenticationError, TimeoutError } from './errors';
import { XAES_NONCE_LENGTH, XAES_TAG_LENGTH, type XaesKey, type XaesSubkey } from './xaes';

export const ENVELOPE_VERSION = 1;
export const HEADER_LENGTH = 1 + 8 + XAES_NONCE_LENGTH;
/** Bytes an envelope adds to its plaintext. */
export const ENVELOPE_OVERHEAD = HEADER_LENGTH + XAES_TAG_LENGTH;

/**
 * Seals `plaintext` under `subkey` (whose nonce prefix is shared by the batch) with a fresh random
 * 12-byte nonce suffix.
 */
export async function sealEnvelope(
  subkey: XaesSubkey,
  plaintext: Uint8Array<ArrayBuffer>,
  context: Uint8Array<ArrayBuffer>,
  now = Date.now(),
  suffix: Uint8Array<ArrayBuffer> = randomBytes(12),
): Promise<Uint8Array<ArrayBuffer>> {
  const header = new Uint8Array(HEADER_LENGTH);
  const view = new DataView(header.buffer);
  header[0] = ENVELOPE_VERSION;
  view.setBigUint64(1, BigInt(now));
  header.set(subkey.prefix, 9);
  header.set(suffix, 21);
  const body = await subkey.seal(suffix, plaintext, concat(header, context));
  return concat(header, body);
}

/** Caches the subkey of each nonce prefix: records sealed in one batch share it. */
export class SubkeyCache {
  readonly #key: XaesKey;
  readonly #subkeys = new Map<string, Promise<XaesSubkey>>();
  constructor(key: XaesKey) {
    this.#key = key;
  }
  get(prefix: Uint8Array<ArrayBuffer>): Promise<XaesSubkey> {
    const id = String.fromCharCode(...prefix);
    let sub = this.#subkeys.get(id);
    if (!sub) {
      sub = this.#key.subkey(prefix);
      this.#subkeys.set(id, sub);
    }
    return sub;
  }
}

export interface Opened {
  plaintext: Uint8Array<ArrayBuffer>;
  /** When it was sealed, ms since the epoch. */
  timestamp: number;
}

/**
 * Authenticates and decrypts an envelope; anything malformed or forged is an AuthenticationError.
 * With `ttlSeconds`, an authentic envelope older than that is a TimeoutError (checked only after
 * authentication, so a forged timestamp cannot produce one).
 */
export async function openEnvelope(
  subkeys: SubkeyCache,
  envelope: Uint8Array,
  context: Uint8Array<ArrayBuffer>,
  ttlSeconds?: number,
  now = Date.now(),
): Promise<Opened> {
  if (!(envelope instanceof Uint8Array) || envelope.length < ENVELOPE_OVERHEAD) {
    throw new AuthenticationError('ciphertext is too short to be a tagvault envelope');
  }
  if (envelope[0] !== ENVELOPE_VERSION) {
    throw new AuthenticationError(`unknown envelope version ${envelope[0]}`);
  }
  const header = envelope.slice(0, HEADER_LENGTH);
  const timestamp = Number(new DataView(header.buffer).getBigUint64(1));
  const subkey = await subkeys.get(header.slice(9, 21));
  let plaintext: Uint8Array<ArrayBuffer>;
  try {
    // A view, not a copy, of the body: WebCrypto copies its input anyway.
    const body = envelope.subarray(HEADER_LENGTH) as Uint8Array<ArrayBuffer>;
    plaintext = await subkey.open(header.slice(21, 33), body, concat(header, context));
  } catch (cause) {
    throw new AuthenticationError('authentication failed: wrong key or context, or the ciphertext was altered', { cause });
  }
  if (ttlSeconds !== undefined) {
    const pastMs = now - timestamp - ttlSeconds * 1000;
    if (pastMs > 0) throw new TimeoutError(Math.floor(pastMs / 1000));
  }
  return { plaintext, timestamp };
}
