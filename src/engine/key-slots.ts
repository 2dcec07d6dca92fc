// Key slots in the engine: finding the slot a secret opens, and adding or removing a slot of a
// profile (one profile record written, no data re-encrypted). A version-1 record is read as one
// legacy password slot and written as version 2 by the first change (format/profile-record.ts).

import { describeKind, openLegacy, openSlot, type SlotFields, type SlotSecret, sealSlot } from '../crypto/slot-keys';
import { AuthenticationError, ProfileNotFoundError, ValidationError } from '../errors';
import { MAX_SLOTS, type ProfileRecord, type ProfileRecordV2, parseProfileRecord, type StoredSlot } from '../format/profile-record';
import type { KdfSettings, KeySlotInfo, NewKeySlot } from '../wire/protocol';
import { emptyBatch, type Store } from './store';
import { withWriteLock } from './write-lock';

/** Where a profile is, and (opened by its tokens) its identity, which a version-1 record needs. */
export interface ProfileRef {
  directory: string;
  profileId: string;
  identity?: Uint8Array<ArrayBuffer>;
}

/** The id a version-1 record's one password slot is listed under (it has none stored). */
export const LEGACY_SLOT_ID = 'legacy';

/** The slots, as listed (nothing secret). */
export function listSlots(record: ProfileRecord): KeySlotInfo[] {
  if (record.version === 1) return [{ id: LEGACY_SLOT_ID, kind: 'password', label: 'Password' }];
  return record.slots.map((s) => ({
    id: s.id,
    kind: s.kind,
    label: s.label,
    created: s.created,
    ...(s.credentialId ? { credentialId: new Uint8Array(s.credentialId), rpId: s.rpId } : {}),
  }));
}

/** What unlocking a record gave: the root (the caller zero-fills it) and the slot that opened. */
export interface Unlocked {
  root: Uint8Array<ArrayBuffer>;
  slotId: string;
}

/**
 * Opens the record with one secret: each slot of its kind is tried (for a passkey, the slot of its
 * credential), one Argon2id per password slot.
 * @throws {AuthenticationError} when no slot opens (a wrong secret, or an altered slot).
 */
export async function unlockRecord(ref: ProfileRef, record: ProfileRecord, secret: SlotSecret): Promise<Unlocked> {
  if (record.version === 1) {
    if (secret.kind !== 'password') throw new AuthenticationError(`this profile has no ${describeKind(secret.kind)}: it opens by password only`);
    if (!ref.identity) throw new AuthenticationError('this profile opens by its tokens (it has a password only)');
    return { root: await openLegacy(ref.profileId, ref.identity, record, secret.password), slotId: LEGACY_SLOT_ID };
  }
  const candidates = record.slots.filter((s) => s.kind === secret.kind && (secret.kind !== 'passkey' || sameBytes(s.credentialId!, secret.credentialId)));
  if (candidates.length === 0) {
    throw new AuthenticationError(
      secret.kind === 'passkey'
        ? 'this passkey does not open this profile (its key slot was removed, or it was made for another profile)'
        : `this profile has no ${describeKind(secret.kind)} slot`,
    );
  }
  let failure: unknown;
  for (const slot of candidates) {
    try {
      return { root: await openSlot(ref.profileId, record.secretSalt, slot, secret), slotId: slot.id };
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The record as version 2, for a change of its slots: a version-1 record's one password slot is
 * sealed again as a version-2 password slot (the unlocking secret is that password), with its costs.
 */
async function asVersion2(ref: ProfileRef, record: ProfileRecord, secret: SlotSecret, root: Uint8Array<ArrayBuffer>): Promise<ProfileRecordV2> {
  if (record.version === 2) return record;
  if (secret.kind !== 'password') throw new AuthenticationError('this profile opens by password only');
  const slot = await sealSlot(ref.profileId, record.secretSalt, secret, { label: 'Password', kdf: record }, root);
  return { version: 2, secretSalt: record.secretSalt, slots: [slot] };
}

/**
 * Reads the profile, opens it with `secret`, checks its root (`checkRoot`: the open vault's, not
 * one rotated in since), and writes what `change` makes of its slots: one profile record, under the
 * directory's write lock. Nothing is written when any step fails.
 */
async function changeSlots(
  store: Store,
  ref: ProfileRef,
  secret: SlotSecret,
  checkRoot: (root: Uint8Array<ArrayBuffer>) => Promise<void>,
  change: (record: ProfileRecordV2, root: Uint8Array<ArrayBuffer>) => Promise<ProfileRecordV2>,
): Promise<ProfileRecordV2> {
  return withWriteLock(ref.directory, async () => {
    const stored = await store.readProfile(ref.profileId);
    if (!stored) throw new ProfileNotFoundError('this profile no longer exists in this directory (it was deleted)');
    const record = parseProfileRecord(stored.stored);
    const { root } = await unlockRecord(ref, record, secret);
    try {
      await checkRoot(root);
      const next = await change(await asVersion2(ref, record, secret, root), root);
      const batch = emptyBatch();
      batch.profiles.push([ref.profileId, next]);
      await store.write(batch);
      return next;
    } finally {
      root.fill(0);
    }
  });
}

/** Adds a slot for `slot.secret`, unlocked by `unlock`: returns the new slot, as listed. */
export async function addSlot(
  store: Store,
  ref: ProfileRef,
  unlock: SlotSecret,
  slot: NewKeySlot,
  checkRoot: (root: Uint8Array<ArrayBuffer>) => Promise<void>,
): Promise<KeySlotInfo> {
  let added: StoredSlot | undefined;
  await changeSlots(store, ref, unlock, checkRoot, async (record, root) => {
    if (record.slots.length >= MAX_SLOTS) throw new ValidationError('slot', `this profile already holds ${MAX_SLOTS} key slots: remove one first`);
    if (slot.secret.kind === 'passkey') {
      const id = slot.secret.credentialId;
      if (record.slots.some((s) => s.credentialId && sameBytes(s.credentialId, id))) throw new ValidationError('slot', 'this passkey already has a key slot');
    }
    added = await sealSlot(ref.profileId, record.secretSalt, slot.secret, slot, root);
    return { ...record, slots: [...record.slots, added] };
  });
  return listSlots({ version: 2, secretSalt: new Uint8Array(32), slots: [added!] })[0]!;
}

/** Removes slot `id`, unlocked by `unlock` (never the last slot). */
export async function removeSlot(
  store: Store,
  ref: ProfileRef,
  unlock: SlotSecret,
  id: string,
  checkRoot: (root: Uint8Array<ArrayBuffer>) => Promise<void>,
): Promise<void> {
  await changeSlots(store, ref, unlock, checkRoot, async (record) => {
    const slots = record.slots.filter((s) => s.id !== id);
    if (slots.length === record.slots.length) throw new ValidationError('id', 'names no key slot of this profile');
    if (slots.length === 0) throw new ValidationError('id', 'is the last key slot of this profile: add another way in first');
    return { ...record, slots };
  });
}

/**
 * The slots of a rotated profile, around its new root and secret salt: the slot that `opened` the
 * old root becomes a password slot for `newPassword` (keeping its id and label), each slot that a
 * secret of `keep` opens is sealed again (keeping its id, label and date), and every other slot is
 * dropped and reported.
 */
export async function rotatedSlots(
  ref: ProfileRef,
  record: ProfileRecord,
  opened: Unlocked,
  replacement: { password: string; kdf: KdfSettings },
  keep: SlotSecret[],
  next: { root: Uint8Array<ArrayBuffer>; secretSalt: Uint8Array },
): Promise<{ slots: StoredSlot[]; dropped: KeySlotInfo[] }> {
  const reseal = (secret: SlotSecret, fields: SlotFields) => sealSlot(ref.profileId, next.secretSalt, secret, fields, next.root);
  const old = record.version === 2 ? record.slots.find((s) => s.id === opened.slotId) : undefined;
  const slots = [
    await reseal(
      { kind: 'password', password: replacement.password },
      { label: old?.label ?? 'Password', kdf: replacement.kdf, ...(old ? { id: old.id } : {}) },
    ),
  ];
  const kept = new Set([opened.slotId]);
  for (const secret of keep) {
    // A secret that opens no slot refuses the rotation (a version-1 record has only its password).
    const { root, slotId } = await unlockRecord(ref, record, secret);
    root.fill(0);
    if (kept.has(slotId) || record.version === 1) continue;
    kept.add(slotId);
    const slot = record.slots.find((s) => s.id === slotId)!;
    const kdf = slot.kind === 'password' ? { kdf: { memoryKiB: slot.memoryKiB!, iterations: slot.iterations! } } : {};
    slots.push(await reseal(secret, { label: slot.label, id: slot.id, created: slot.created, ...kdf, ...(slot.rpId ? { rpId: slot.rpId } : {}) }));
  }
  if (record.version === 1) return { slots, dropped: [] };
  return { slots, dropped: listSlots({ ...record, slots: record.slots.filter((s) => !kept.has(s.id)) }) };
}
