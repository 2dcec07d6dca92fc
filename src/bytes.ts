// Byte helpers: UTF-8, hex, url-safe base64, concatenation and length prefixes.

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Decodes UTF-8, throwing a TypeError on malformed input rather than inserting U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes of a hex string; `undefined` when the string is not hex of whole bytes. */
export function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!HEX_RE.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Url-safe base64 (RFC 4648 §5) without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  if (bytes.length > 1024) {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  // Short inputs (tag ids: one per tag on every save) by table, without btoa and three regexps.
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]! + B64URL[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]!;
    if (i + 1 < bytes.length) out += B64URL[(n >>> 6) & 63]!;
  }
  return out;
}

const B64URL_RE = /^[A-Za-z0-9_-]*$/;

/**
 * Bytes of canonical url-safe base64 (RFC 4648 §5, no padding), as {@link toBase64Url} writes
 * it; `undefined` for anything else. Canonical only (RFC 4648 §3.5): no padding, a length that
 * is not 1 mod 4, and the unused low bits of the last character zero. Otherwise several texts
 * decode to the same bytes ("AA", "AB", "AA=" are all one zero byte), so a text that was
 * altered would still decode, and decrypt, as the original.
 */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  const tail = text.length % 4;
  if (tail === 1 || !B64URL_RE.test(text)) return undefined;
  // The last character carries 4 (two characters in the last group) or 2 (three) unused bits.
  if (tail !== 0 && B64URL.indexOf(text[text.length - 1]!) & (tail === 2 ? 0b1111 : 0b11)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Bytes of canonical base64 in either alphabet (standard `+/` or url-safe `-_`), with or without
 * its padding (when present, exactly the `=` that make the length a multiple of 4); `undefined`
 * for anything else.
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  const bare = text.replace(/={1,2}$/, '');
  if (bare.length !== text.length && (text.length % 4 !== 0 || bare.length % 4 < 2)) return undefined;
  return fromBase64Url(bare.replace(/\+/g, '-').replace(/\//g, '_'));
}

/** One new array holding all the parts in order. */
export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Each part preceded by its length as 4 big-endian bytes, so that no two different lists of
 * parts encode to the same bytes (`["ab", "c"]` ≠ `["a", "bc"]`).
 */
export function lengthPrefixed(...parts: (Uint8Array | string)[]): Uint8Array<ArrayBuffer> {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const bytes = typeof part === 'string' ? utf8(part) : part;
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length);
    chunks.push(len, bytes);
  }
  return concat(...chunks);
}

/** `n` bytes from the platform CSPRNG (crypto.getRandomValues caps one call at 65,536 bytes). */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

/** A copy of `bytes` in its own, exactly sized ArrayBuffer (for WebCrypto and transfer). */
export function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
