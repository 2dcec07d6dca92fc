// The plaintext of a vault's header record (before encryption): JSON `{ format, metatags }`,
// the list of the vault's metatags. A vault that was never saved has no header.
import { fromUtf8, utf8 } from '../bytes';
import { AuthenticationError } from '../errors';

/** The header format this code writes. */
export const HEADER_FORMAT = 1;

/** A vault header as stored (format layer). */
export interface VaultHeader {
  format: number;
  metatags: string[];
}

/** The header of a vault never saved. */
export function emptyHeader(): VaultHeader {
  return { format: HEADER_FORMAT, metatags: [] };
}

export function encodeHeader(metatags: string[]): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify({ format: HEADER_FORMAT, metatags } satisfies VaultHeader));
}

/** Reads an authenticated header's plaintext; anything malformed is an AuthenticationError. */
export function decodeHeader(plaintext: Uint8Array): VaultHeader {
  let header: unknown;
  try {
    header = JSON.parse(fromUtf8(plaintext));
  } catch (cause) {
    throw new AuthenticationError('vault header is not in a known format', { cause });
  }
  const h = header as VaultHeader;
  const ok = !!h && typeof h === 'object' && typeof h.format === 'number' && Array.isArray(h.metatags) && h.metatags.every((m) => typeof m === 'string');
  if (!ok) throw new AuthenticationError('vault header is not in a known format');
  return h;
}
