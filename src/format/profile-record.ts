// A password profile as stored in the `profiles` store (not encrypted as a whole: its root key
// is sealed inside it). Keyed by the profile id that the tokens derive.
import { AuthenticationError } from '../errors';

/** The profile record format this code writes. */
export const PROFILE_RECORD_VERSION = 1;

/** A profile as stored (format layer). */
export interface ProfileRecord {
  version: typeof PROFILE_RECORD_VERSION;
  /** 32 random bytes, stored on this device only: with the tokens, the Argon2id salt. */
  secretSalt: Uint8Array;
  /** Argon2id memory (KiB) and passes: read from storage, so capped where they are used. */
  memoryKiB: number;
  iterations: number;
  /** The vault's 64-byte root key, sealed in an envelope under the password-derived key. */
  wrapped: Uint8Array;
}

/** The error for every stored profile record that is not one this code can read. */
export function damagedProfile(what: string): AuthenticationError {
  return new AuthenticationError(`the stored profile record is damaged (${what}): it cannot be opened, and nothing was written`);
}

const isBytes = (v: unknown, length?: number): v is Uint8Array => v instanceof Uint8Array && (length === undefined || v.length === length);

/**
 * A stored profile record, checked: any value that is not a well-formed record (`null`, `0`, a
 * string, a missing or mistyped field) is damaged, never "no profile". The costs' ranges are
 * checked where they are used (engine/profiles.ts), and the wrapped root by authentication.
 * @throws {AuthenticationError} for a damaged record.
 */
export function parseProfileRecord(stored: unknown): ProfileRecord {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return failWith('not a record');
  const r = stored as Record<string, unknown>;
  if (r.version !== PROFILE_RECORD_VERSION) return failWith('unknown version');
  if (!isBytes(r.secretSalt, 32)) return failWith('secret salt');
  if (typeof r.memoryKiB !== 'number' || typeof r.iterations !== 'number') return failWith('Argon2 settings');
  if (!isBytes(r.wrapped)) return failWith('wrapped key');
  return { version: PROFILE_RECORD_VERSION, secretSalt: r.secretSalt, memoryKiB: r.memoryKiB, iterations: r.iterations, wrapped: r.wrapped };
}

function failWith(what: string): never {
  throw damagedProfile(what);
}
