// A password profile as stored in the `profiles` store (not encrypted as a whole: its root key
// is sealed inside it). Keyed by the profile id that the tokens derive.

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
