// Sealing and opening envelopes (their byte layout: format/envelope-layout.ts). The header is
// authenticated as AAD together with a context (vault id + tag id for records, the filename for
// public encryption), so a record cannot be moved or relabelled.
import { concat, randomBytes } from '../bytes';
import { AuthenticationError, FutureTimestampError, TimeoutError } from '../errors';
import {
  ENVELOPE_OVERHEAD,
  ENVELOPE_VERSION,
  envelopeTimestamp,
  HEADER_LENGTH,
  NONCE_HALF_LENGTH,
  NONCE_PREFIX_OFFSET,
  NONCE_SUFFIX_OFFSET,
  setEnvelopeTimestamp,
  VERSION_OFFSET,
} from '../format/envelope-layout';
import type { XaesKey, XaesSubkey } from './xaes';

/** The envelope header: version, timestamp and the subkey's nonce prefix (suffix to be set). */
function envelopeHeader(subkey: XaesSubkey, now = Date.now()): Uint8Array<ArrayBuffer> {
  const header = new Uint8Array(HEADER_LENGTH);
  header[VERSION_OFFSET] = ENVELOPE_VERSION;
  setEnvelopeTimestamp(header, now);
  header.set(subkey.prefix, NONCE_PREFIX_OFFSET);
  return header;
}

/** The nonce prefix of an envelope (it selects the subkey). */
function prefixOf(envelope: Uint8Array): Uint8Array<ArrayBuffer> {
  return envelope.subarray(NONCE_PREFIX_OFFSET, NONCE_SUFFIX_OFFSET) as Uint8Array<ArrayBuffer>;
}

/** The nonce suffix of an envelope (AES-GCM's nonce under the subkey). */
function suffixOf(envelope: Uint8Array): Uint8Array<ArrayBuffer> {
  return envelope.subarray(NONCE_SUFFIX_OFFSET, HEADER_LENGTH) as Uint8Array<ArrayBuffer>;
}

/**
 * The additional data of the `index`-th envelope of a batch: a new array holding `header` (its
 * header) followed by that envelope's context. Built in one go, as it runs once per record.
 */
export type AdditionalData = (index: number, header: Uint8Array) => Uint8Array<ArrayBuffer>;

/** header ‖ context: what a ciphertext authenticates besides itself. */
function additionalData(header: Uint8Array, context: Uint8Array): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(HEADER_LENGTH + context.length);
  aad.set(header);
  aad.set(context, HEADER_LENGTH);
  return aad;
}

/** Seals `plaintext` under `subkey` (its nonce prefix) with a fresh random 12-byte nonce suffix. */
export async function sealEnvelope(
  subkey: XaesSubkey,
  plaintext: Uint8Array<ArrayBuffer>,
  context: Uint8Array<ArrayBuffer>,
  now = Date.now(),
): Promise<Uint8Array<ArrayBuffer>> {
  const header = envelopeHeader(subkey, now);
  const suffix = randomBytes(NONCE_HALF_LENGTH);
  header.set(suffix, NONCE_SUFFIX_OFFSET);
  const body = await subkey.seal(suffix, plaintext, additionalData(header, context));
  return concat(header, body);
}

/**
 * Seals many plaintexts under one subkey (a batch): the same envelopes as {@link sealEnvelope},
 * each with its own random nonce suffix, with fewer promises and copies per record.
 */
export function sealEnvelopes(
  subkey: XaesSubkey,
  plaintexts: Uint8Array<ArrayBuffer>[],
  aadOf: AdditionalData,
  now = Date.now(),
): Promise<Uint8Array<ArrayBuffer>[]> {
  const template = envelopeHeader(subkey, now);
  // One call to the CSPRNG for every nonce suffix of the batch.
  const suffixes = randomBytes(NONCE_HALF_LENGTH * plaintexts.length);
  return Promise.all(
    plaintexts.map((plaintext, i) => {
      const suffix = suffixes.subarray(NONCE_HALF_LENGTH * i, NONCE_HALF_LENGTH * (i + 1));
      const aad = aadOf(i, template);
      aad.set(suffix, NONCE_SUFFIX_OFFSET);
      return subkey.encrypt(suffix, plaintext, aad).then((body) => {
        const envelope = new Uint8Array(HEADER_LENGTH + body.byteLength);
        envelope.set(aad.subarray(0, HEADER_LENGTH));
        envelope.set(new Uint8Array(body), HEADER_LENGTH);
        return envelope;
      });
    }),
  );
}

/**
 * Caches the subkey of each nonce prefix: records sealed in one batch share it. The oldest
 * entries go beyond `limit` (every public ciphertext has a prefix of its own: a cache that kept
 * them all would grow with every decryption for as long as the vault stays open).
 */
export class SubkeyCache {
  readonly #key: XaesKey;
  readonly #limit: number;
  readonly #subkeys = new Map<string, Promise<XaesSubkey>>();
  /** The last subkey resolved: records of one batch come together, so most lookups stop here. */
  #last: XaesSubkey | undefined;
  constructor(key: XaesKey, limit = 4096) {
    this.#key = key;
    this.#limit = limit;
  }
  get(prefix: Uint8Array<ArrayBuffer>): Promise<XaesSubkey> {
    const id = String.fromCharCode(...prefix);
    let sub = this.#subkeys.get(id);
    if (!sub) {
      sub = this.#key.subkey(prefix.slice());
      if (this.#subkeys.size >= this.#limit) this.#subkeys.delete(this.#subkeys.keys().next().value!);
      this.#subkeys.set(id, sub);
      void sub.then(
        (s) => (this.#last = s),
        () => undefined,
      );
    }
    return sub;
  }
  /** Forgets every subkey (when the vault's keys are destroyed). */
  clear(): void {
    this.#subkeys.clear();
    this.#last = undefined;
  }
  /** The subkey of `prefix` if it is the last one resolved. */
  peek(prefix: Uint8Array): XaesSubkey | undefined {
    const last = this.#last;
    if (!last) return undefined;
    const p = last.prefix;
    for (let i = 0; i < NONCE_HALF_LENGTH; i++) if (p[i] !== prefix[i]) return undefined;
    return last;
  }
}

/**
 * Opens many envelopes (no ttl): each one's plaintext, or `null` where it does not authenticate.
 * The same checks as {@link openEnvelope} with fewer promises per envelope: this runs once per
 * record when a vault opens.
 */
export function openEnvelopes(subkeys: SubkeyCache, envelopes: Uint8Array[], aadOf: AdditionalData): Promise<(Uint8Array<ArrayBuffer> | null)[]> {
  const out: (Uint8Array<ArrayBuffer> | null)[] = new Array(envelopes.length).fill(null);
  const opening = envelopes.map((envelope, i) => {
    if (!(envelope instanceof Uint8Array) || envelope.length < ENVELOPE_OVERHEAD || envelope[VERSION_OFFSET] !== ENVELOPE_VERSION) return undefined;
    const aad = aadOf(i, envelope.subarray(0, HEADER_LENGTH));
    const open = (subkey: XaesSubkey): Promise<void> =>
      subkey.decrypt(suffixOf(envelope), envelope.subarray(HEADER_LENGTH) as Uint8Array<ArrayBuffer>, aad).then(
        (plaintext) => {
          out[i] = new Uint8Array(plaintext);
        },
        () => undefined,
      );
    const prefix = prefixOf(envelope);
    const subkey = subkeys.peek(prefix);
    return subkey ? open(subkey) : subkeys.get(prefix).then(open, () => undefined);
  });
  return Promise.all(opening).then(() => out);
}

/**
 * How far ahead of this device's clock an envelope checked against a ttl may be dated, in ms:
 * clocks of two devices (or one device before and after a sync) differ by a few seconds; a
 * timestamp further ahead cannot be given an age, so no ttl accepts it.
 */
export const MAX_CLOCK_SKEW_MS = 60_000;

export interface Opened {
  plaintext: Uint8Array<ArrayBuffer>;
  /** When it was sealed, ms since the epoch. */
  timestamp: number;
}

/**
 * Authenticates and decrypts an envelope; anything malformed or forged is an AuthenticationError.
 * With `ttlSeconds`, an authentic envelope older than that is a TimeoutError, and one dated more
 * than {@link MAX_CLOCK_SKEW_MS} ahead of `now` a FutureTimestampError (both checked only after
 * authentication, so a forged timestamp cannot produce either).
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
  if (envelope[VERSION_OFFSET] !== ENVELOPE_VERSION) {
    throw new AuthenticationError(`unknown envelope version ${envelope[VERSION_OFFSET]}`);
  }
  // Views, not copies: WebCrypto copies its inputs anyway.
  const header = envelope.subarray(0, HEADER_LENGTH);
  const timestamp = envelopeTimestamp(envelope);
  const prefix = prefixOf(envelope);
  const subkey = subkeys.peek(prefix) ?? (await subkeys.get(prefix));
  let plaintext: Uint8Array<ArrayBuffer>;
  try {
    const body = envelope.subarray(HEADER_LENGTH) as Uint8Array<ArrayBuffer>;
    plaintext = await subkey.open(suffixOf(envelope), body, additionalData(header, context));
  } catch (cause) {
    throw new AuthenticationError('authentication failed: wrong key or context, or the ciphertext was altered', { cause });
  }
  if (ttlSeconds !== undefined) {
    const pastMs = now - timestamp - ttlSeconds * 1000;
    if (pastMs > 0) throw new TimeoutError(Math.floor(pastMs / 1000));
    const aheadMs = timestamp - now;
    if (aheadMs > MAX_CLOCK_SKEW_MS) throw new FutureTimestampError(Math.floor(aheadMs / 1000));
  }
  return { plaintext, timestamp };
}
