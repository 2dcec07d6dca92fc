// Formatting for the demo: hex, hex dumps, envelopes and errors.
import { envelopeFields, HEADER_LENGTH, NONCE_PREFIX_OFFSET, TAG_LENGTH } from '../src/format/envelope-layout';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
}

/** Bytes of a hex string (whitespace ignored), or undefined when it is not hex. */
export function fromHex(text: string): Uint8Array<ArrayBuffer> | undefined {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * A classic hex dump: offset, 16 bytes in hex, then the printable ASCII. If anything were stored
 * in plaintext, it would show in the right-hand column.
 */
export function hexdump(bytes: Uint8Array, maxBytes = 4096): string {
  const lines: string[] = [];
  const n = Math.min(bytes.length, maxBytes);
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    const hex = Array.from(row, (b) => HEX[b])
      .join(' ')
      .padEnd(47, ' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(4, '0')}  ${hex}  |${ascii}|`);
  }
  if (bytes.length > n) lines.push(`… ${bytes.length - n} more bytes`);
  return lines.join('\n');
}

/** The parts of a tagvault envelope, as the raw view shows them (layout: src/format/envelope-layout.ts). */
export interface EnvelopeParts {
  version: number;
  timestamp: Date;
  nonce: Uint8Array;
  ciphertext: number;
  tag: Uint8Array;
}

export { TAG_LENGTH as GCM_TAG } from '../src/format/envelope-layout';

export function parseEnvelope(bytes: Uint8Array): EnvelopeParts | undefined {
  const fields = envelopeFields(bytes);
  if (!fields) return undefined;
  return {
    version: fields.version,
    timestamp: new Date(fields.timestamp),
    nonce: bytes.subarray(NONCE_PREFIX_OFFSET, HEADER_LENGTH),
    ciphertext: fields.body.length - TAG_LENGTH,
    tag: bytes.subarray(bytes.length - TAG_LENGTH),
  };
}

/** Bytes of a stored value (a Uint8Array, or an ArrayBuffer after some structured clones). */
export function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

/** "Name: message" of anything thrown. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function ms(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${(milliseconds / 1000).toFixed(2)} s`;
}

export function kib(kb: number): string {
  return kb % 1024 === 0 ? `${kb / 1024} MiB` : `${kb} KiB`;
}

/** Pretty JSON of a value for the editor. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}
