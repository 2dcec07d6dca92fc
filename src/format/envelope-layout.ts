// The byte layout of the envelope every ciphertext travels in, as named constants (the one home
// of these offsets: the crypto, the tests and the demo's raw view all read them from here):
//
//   version (1) ‖ timestamp (8, ms since the epoch, big-endian) ‖ nonce (24) ‖ ciphertext ‖ tag (16)
//
// The nonce is XAES-256-GCM's 24 bytes: a 12-byte prefix (which selects the derived subkey) and a
// 12-byte suffix (AES-GCM's own nonce). The 33-byte header is authenticated as additional data.

/** The format version in the envelope's first byte. */
export const ENVELOPE_VERSION = 1;
/** Offset of the version byte. */
export const VERSION_OFFSET = 0;
/** Offset of the 8-byte big-endian timestamp (ms since the epoch). */
export const TIMESTAMP_OFFSET = 1;
/** Offset of the 12-byte nonce prefix: it selects the XAES subkey. */
export const NONCE_PREFIX_OFFSET = 9;
/** Offset of the 12-byte nonce suffix: AES-GCM's nonce under that subkey. */
export const NONCE_SUFFIX_OFFSET = 21;
/** Length of each half of the 24-byte XAES nonce. */
export const NONCE_HALF_LENGTH = 12;
/** Length of the whole nonce. */
export const NONCE_LENGTH = 2 * NONCE_HALF_LENGTH;
/** Length of the header (version, timestamp, nonce): where the ciphertext starts. */
export const HEADER_LENGTH = NONCE_SUFFIX_OFFSET + NONCE_HALF_LENGTH;
/** Length of the AES-GCM tag at the end. */
export const TAG_LENGTH = 16;
/** Bytes an envelope adds to its plaintext. */
export const ENVELOPE_OVERHEAD = HEADER_LENGTH + TAG_LENGTH;

/** The parts of an envelope, without any key (what the bytes show to anyone). */
export interface EnvelopeFields {
  version: number;
  /** When it was sealed, ms since the epoch. */
  timestamp: number;
  prefix: Uint8Array;
  suffix: Uint8Array;
  /** The ciphertext followed by its tag. */
  body: Uint8Array;
}

/** Reads the timestamp of an envelope's header (ms since the epoch; fits in 53 bits). */
export function envelopeTimestamp(envelope: Uint8Array): number {
  const view = new DataView(envelope.buffer, envelope.byteOffset, HEADER_LENGTH);
  return view.getUint32(TIMESTAMP_OFFSET) * 2 ** 32 + view.getUint32(TIMESTAMP_OFFSET + 4);
}

/** Writes a timestamp into a header: the high and low 32 bits, without a BigInt per record. */
export function setEnvelopeTimestamp(header: Uint8Array, now: number): void {
  const view = new DataView(header.buffer, header.byteOffset, HEADER_LENGTH);
  view.setUint32(TIMESTAMP_OFFSET, Math.floor(now / 2 ** 32));
  view.setUint32(TIMESTAMP_OFFSET + 4, now >>> 0);
}

/** The fields of an envelope (views into it), or `undefined` when it is too short to be one. */
export function envelopeFields(envelope: Uint8Array): EnvelopeFields | undefined {
  if (envelope.length < ENVELOPE_OVERHEAD) return undefined;
  return {
    version: envelope[VERSION_OFFSET]!,
    timestamp: envelopeTimestamp(envelope),
    prefix: envelope.subarray(NONCE_PREFIX_OFFSET, NONCE_SUFFIX_OFFSET),
    suffix: envelope.subarray(NONCE_SUFFIX_OFFSET, HEADER_LENGTH),
    body: envelope.subarray(HEADER_LENGTH),
  };
}
