// A profile as stored in the `profiles` store (not encrypted as a whole: its root key is sealed
// inside it, once per key slot). Keyed by the profile id that the tokens derive.
//
// Version 1 (written until key slots came): one password, `{ version: 1, secretSalt, memoryKiB,
// iterations, wrapped }`, its key Argon2id(password, identity ‖ secret salt). It is still read, as
// one legacy password slot, and written as version 2 by the first change of its slots.
//
// Version 2: `{ version: 2, secretSalt, slots }`, each slot the root wrapped under a key derived
// from that slot's own secret (crypto/slot-keys.ts).
import { AuthenticationError } from '../errors';

/** The profile record format this code writes. */
export const PROFILE_RECORD_VERSION = 2;

/** A version-1 profile record: one password (format layer). */
export interface ProfileRecordV1 {
  version: 1;
  /** 32 random bytes, stored on this device only: with the tokens, the Argon2id salt. */
  secretSalt: Uint8Array;
  /** Argon2id memory (KiB) and passes: read from storage, so capped where they are used. */
  memoryKiB: number;
  iterations: number;
  /** The vault's 64-byte root key, sealed in an envelope under the password-derived key. */
  wrapped: Uint8Array;
}

/** The kinds of secret a key slot is opened by. */
export type SlotKind = 'password' | 'passkey' | 'recovery';

/** One key slot of a version-2 record: the root wrapped under one secret. */
export interface StoredSlot {
  /** 12 characters of base64url, random: names the slot (not secret). */
  id: string;
  kind: SlotKind;
  /** The caller's label (readable in storage, and authenticated by the wrap). */
  label: string;
  /** When the slot was added (milliseconds since the epoch). */
  created: number;
  /** 16 random bytes: this slot's salt (with the record's secret salt). */
  salt: Uint8Array;
  /** Password slots: Argon2id memory (KiB) and passes (capped where used). */
  memoryKiB?: number;
  iterations?: number;
  /** Passkey slots: the credential's id (its raw id) and the relying-party id it was made for. */
  credentialId?: Uint8Array;
  rpId?: string;
  /** The 64-byte root, sealed in an envelope under the slot's key, bound to everything above. */
  wrapped: Uint8Array;
}

/** A version-2 profile record: a secret salt and one or more key slots. */
export interface ProfileRecordV2 {
  version: 2;
  /** 32 random bytes, stored on this device only: part of every slot key's salt. */
  secretSalt: Uint8Array;
  slots: StoredSlot[];
}

/** A stored profile record, either version. */
export type ProfileRecord = ProfileRecordV1 | ProfileRecordV2;

/** The length of a recovery code's secret, in bytes (128 bits). */
export const RECOVERY_SECRET_LENGTH = 16;
/** The length of a WebAuthn PRF result, a passkey slot's secret, in bytes. */
export const PRF_LENGTH = 32;

/** The most key slots a profile holds: each password slot costs one Argon2id at unlock. */
export const MAX_SLOTS = 16;
/** The longest slot label, in UTF-16 code units. */
export const MAX_SLOT_LABEL = 200;
/** The longest passkey credential id WebAuthn allows (bytes). */
export const MAX_CREDENTIAL_ID = 1023;

/** The error for every stored profile record that is not one this code can read. */
export function damagedProfile(what: string): AuthenticationError {
  return new AuthenticationError(`the stored profile record is damaged (${what}): it cannot be opened, and nothing was written`);
}

const isBytes = (v: unknown, length?: number): v is Uint8Array => v instanceof Uint8Array && (length === undefined || v.length === length);
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const SLOT_KINDS: readonly unknown[] = ['password', 'passkey', 'recovery'] satisfies SlotKind[];
const SLOT_ID = /^[A-Za-z0-9_-]{12}$/;

/**
 * A stored profile record, checked: any value that is not a well-formed record (`null`, `0`, a
 * string, a missing or mistyped field, a slot of an unknown kind) is damaged, never "no profile".
 * The costs' ranges are checked where they are used (crypto/slot-keys.ts), and each wrapped root
 * by authentication.
 * @throws {AuthenticationError} for a damaged record.
 */
export function parseProfileRecord(stored: unknown): ProfileRecord {
  if (!isRecord(stored)) return failWith('not a record');
  if (!isBytes(stored.secretSalt, 32)) return failWith('secret salt');
  if (stored.version === 1) {
    if (typeof stored.memoryKiB !== 'number' || typeof stored.iterations !== 'number') return failWith('Argon2 settings');
    if (!isBytes(stored.wrapped)) return failWith('wrapped key');
    return { version: 1, secretSalt: stored.secretSalt, memoryKiB: stored.memoryKiB, iterations: stored.iterations, wrapped: stored.wrapped };
  }
  if (stored.version !== 2) return failWith('unknown version');
  const slots = stored.slots;
  if (!Array.isArray(slots) || slots.length === 0 || slots.length > MAX_SLOTS) return failWith('slot list');
  const parsed = slots.map(parseSlot);
  if (new Set(parsed.map((s) => s.id)).size !== parsed.length) return failWith('two slots with one id');
  return { version: 2, secretSalt: stored.secretSalt, slots: parsed };
}

/** One stored key slot, checked (a backup's passphrase slot is one too). @throws {AuthenticationError} when damaged. */
export function parseSlot(slot: unknown): StoredSlot {
  if (!isRecord(slot)) return failWith('slot');
  const { id, kind, label, created, salt, wrapped } = slot;
  if (typeof id !== 'string' || !SLOT_ID.test(id)) return failWith('slot id');
  if (!SLOT_KINDS.includes(kind)) return failWith('slot kind');
  if (typeof label !== 'string' || label.length > MAX_SLOT_LABEL) return failWith('slot label');
  if (typeof created !== 'number' || !Number.isFinite(created)) return failWith('slot date');
  if (!isBytes(salt, 16) || !isBytes(wrapped)) return failWith('slot salt or wrapped key');
  const base = { id, kind: kind as SlotKind, label, created, salt, wrapped };
  if (kind === 'password') {
    if (typeof slot.memoryKiB !== 'number' || typeof slot.iterations !== 'number') return failWith('Argon2 settings');
    return { ...base, memoryKiB: slot.memoryKiB, iterations: slot.iterations };
  }
  if (kind === 'passkey') {
    const { credentialId, rpId } = slot;
    if (!(credentialId instanceof Uint8Array) || credentialId.length === 0 || credentialId.length > MAX_CREDENTIAL_ID) return failWith('credential id');
    if (typeof rpId !== 'string' || rpId.length === 0 || rpId.length > 253) return failWith('relying party id');
    return { ...base, credentialId, rpId };
  }
  return base;
}

function failWith(what: string): never {
  throw damagedProfile(what);
}
