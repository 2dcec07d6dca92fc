// Key slots' keys: each slot of a profile holds the root wrapped (XAES-256-GCM envelope) under a
// key derived from that slot's secret, and bound (the envelope's context) to the profile id and
// every stored field of the slot, so a slot cannot be moved to another profile or altered.
//
// - password: Argon2id(password, secret salt ‖ slot salt), stored costs, capped here;
// - recovery code (128 random bits) and passkey (the 32-byte WebAuthn PRF result): high-entropy
//   secrets, so HKDF-SHA-256(secret, salt = secret salt ‖ slot salt, info = kind);
// - legacy (a version-1 record): Argon2id(password, identity ‖ secret salt), as it was written.
//
// Every raw key and password byte array made here is zero-filled once used, and the XAES key
// destroyed, on every path.
import { concat, lengthPrefixed, ownBytes, randomBytes, toBase64Url, utf8 } from '../bytes';
import { AuthenticationError } from '../errors';
import type { ProfileRecordV1, StoredSlot } from '../format/profile-record';
import { argon2id } from './argon2';
import { checkArgon2Cost } from './argon2-cost';
import { openEnvelope, SubkeyCache, sealEnvelope } from './envelope';
import { XaesKey } from './xaes';

/** A slot's secret, as the engine receives it. */
export type SlotSecret =
  | { kind: 'password'; password: string }
  | { kind: 'recovery'; code: Uint8Array<ArrayBuffer> }
  | { kind: 'passkey'; credentialId: Uint8Array<ArrayBuffer>; prf: Uint8Array<ArrayBuffer> };

/** What a wrapped root authenticates besides itself, for a slot: the profile and the slot. */
function slotContext(profileId: string, slot: Omit<StoredSlot, 'wrapped'>): Uint8Array<ArrayBuffer> {
  return lengthPrefixed(
    'tagvault/v1/profile-slot',
    profileId,
    slot.id,
    slot.kind,
    slot.label,
    String(slot.created),
    slot.salt,
    String(slot.memoryKiB ?? ''),
    String(slot.iterations ?? ''),
    slot.credentialId ?? new Uint8Array(0),
    slot.rpId ?? '',
  );
}

/** A stored cost is data an attacker may have written: out of range, the record is damaged. */
function checkStoredCost(memoryKiB: unknown, iterations: unknown): void {
  try {
    checkArgon2Cost(memoryKiB, iterations, { memory: 'profile memoryKiB', iterations: 'profile iterations' });
  } catch (cause) {
    throw new AuthenticationError('the stored profile record is damaged (Argon2 settings out of the accepted range): nothing was written', { cause });
  }
}

async function argon2Key(password: string, salt: Uint8Array, memoryKiB: number, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = utf8(password);
  try {
    return await argon2id({ password: bytes, salt, memoryKiB, iterations, hashLength: 32 });
  } finally {
    bytes.fill(0);
  }
}

async function hkdfKey(secret: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, kind: string): Promise<Uint8Array<ArrayBuffer>> {
  const ikm = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveBits']);
  const info = lengthPrefixed('tagvault/v1/slot-key', kind);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, ikm, 256));
}

/** The raw 32-byte key of a slot, from its secret (which must be of the slot's kind). */
async function slotKeyBytes(secretSalt: Uint8Array, slot: Omit<StoredSlot, 'wrapped'>, secret: SlotSecret): Promise<Uint8Array<ArrayBuffer>> {
  const salt = concat(secretSalt, slot.salt);
  switch (secret.kind) {
    case 'password':
      checkStoredCost(slot.memoryKiB, slot.iterations);
      return argon2Key(secret.password, salt, slot.memoryKiB!, slot.iterations!);
    case 'recovery':
      return hkdfKey(secret.code, salt, 'recovery');
    case 'passkey':
      return hkdfKey(secret.prf, salt, 'passkey');
  }
}

/** Runs `use` with an XAES key made from `raw` (zero-filled at once), destroyed after. */
async function withKey<T>(raw: Uint8Array<ArrayBuffer>, use: (cache: SubkeyCache) => Promise<T>): Promise<T> {
  let key: XaesKey;
  try {
    key = await XaesKey.fromRaw(raw);
  } finally {
    raw.fill(0);
  }
  try {
    return await use(new SubkeyCache(key));
  } finally {
    key.destroy();
  }
}

/** A slot's fields besides its secret: a new slot's id and date are made, a re-sealed one keeps them. */
export interface SlotFields {
  label: string;
  /** Password slots: the Argon2id costs. */
  kdf?: { memoryKiB: number; iterations: number };
  /** Passkey slots: the relying-party id the credential was made for. */
  rpId?: string;
  id?: string;
  created?: number;
}

/**
 * A new slot holding `root`: a fresh slot salt and id, the key derived from `secret`, the root
 * sealed under it and bound to the profile and every field of the slot.
 */
export async function sealSlot(
  profileId: string,
  secretSalt: Uint8Array,
  secret: SlotSecret,
  fields: SlotFields,
  root: Uint8Array<ArrayBuffer>,
): Promise<StoredSlot> {
  const slot: Omit<StoredSlot, 'wrapped'> = {
    id: fields.id ?? newSlotId(),
    kind: secret.kind,
    label: fields.label,
    created: fields.created ?? Date.now(),
    salt: randomBytes(16),
    ...(secret.kind === 'password' ? { memoryKiB: fields.kdf!.memoryKiB, iterations: fields.kdf!.iterations } : {}),
    ...(secret.kind === 'passkey' ? { credentialId: secret.credentialId.slice(), rpId: fields.rpId! } : {}),
  };
  const wrapped = await withKey(await slotKeyBytes(secretSalt, slot, secret), async (cache) =>
    sealEnvelope(await cache.get(randomBytes(12)), root, slotContext(profileId, slot)),
  );
  return { ...slot, wrapped };
}

/** A slot id: 9 random bytes as 12 characters of base64url. */
function newSlotId(): string {
  return toBase64Url(randomBytes(9));
}

/** The root a slot holds, or AuthenticationError when the secret is not this slot's (or the slot was altered). */
export async function openSlot(profileId: string, secretSalt: Uint8Array, slot: StoredSlot, secret: SlotSecret): Promise<Uint8Array<ArrayBuffer>> {
  const root = await withKey(await slotKeyBytes(secretSalt, slot, secret), async (cache) => {
    try {
      return (await openEnvelope(cache, ownBytes(slot.wrapped), slotContext(profileId, slot))).plaintext;
    } catch (cause) {
      throw new AuthenticationError(`wrong ${describeKind(slot.kind)} for this profile (or its key slot was altered)`, { cause });
    }
  });
  return checkedRoot(root);
}

/** The root of a version-1 record: Argon2id(password, identity ‖ secret salt), context ("profile", id). */
export async function openLegacy(profileId: string, identity: Uint8Array, record: ProfileRecordV1, password: string): Promise<Uint8Array<ArrayBuffer>> {
  checkStoredCost(record.memoryKiB, record.iterations);
  const raw = await argon2Key(password, concat(identity, record.secretSalt), record.memoryKiB, record.iterations);
  const root = await withKey(raw, async (cache) => {
    try {
      return (await openEnvelope(cache, ownBytes(record.wrapped), lengthPrefixed('profile', profileId))).plaintext;
    } catch (cause) {
      throw new AuthenticationError('wrong password for this profile (or its record was altered)', { cause });
    }
  });
  return checkedRoot(root);
}

function checkedRoot(root: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  if (root.length === 64) return root;
  root.fill(0);
  throw new AuthenticationError('the stored profile record is damaged (root key length): it cannot be opened, and nothing was written');
}

/** Zero-fills a secret's bytes (a recovery code's, a PRF result; a password string cannot be). */
export function wipeSecret(secret: SlotSecret): void {
  if (secret.kind === 'recovery') secret.code.fill(0);
  if (secret.kind === 'passkey') secret.prf.fill(0);
}

/** How errors name a slot's secret. */
export function describeKind(kind: StoredSlot['kind']): string {
  return kind === 'password' ? 'password' : kind === 'recovery' ? 'recovery code' : 'passkey';
}
