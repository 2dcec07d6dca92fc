// Profiles in the engine: a random root key held in key slots (engine/key-slots.ts), stored in
// the `profiles` store (format/profile-record.ts); creating, opening, re-passwording, rotating and
// deleting them. Every raw root made here is zero-filled once used, on every path (`finally`).
import { randomBytes, toBase64Url } from '../bytes';
import { type SlotSecret, sealSlot } from '../crypto/slot-keys';
import { VaultCrypto } from '../crypto/vault-crypto';
import { AuthenticationError, ProfileNotFoundError } from '../errors';
import { encodeHeader } from '../format/header';
import { type ProfileRecord, type ProfileRecordV2, parseProfileRecord } from '../format/profile-record';
import { blockId, blockLevel, decodeTagRecord, encodeNameBlock, type NameEntry } from '../format/records';
import type { ChangeMessage, KdfSettings, ProfileLocation, ProfileOpening, ProfileRequest, RotatedProfile } from '../wire/protocol';
import { dropTrees } from './commit';
import { type ProfileRef, rotatedSlots, unlockRecord } from './key-slots';
import { readHeader } from './open';
import { emptyBatch, type Store } from './store';
import { withWriteLock } from './write-lock';

/** The tokens' password, as a slot secret. */
function passwordOf(req: ProfileRequest): SlotSecret {
  return { kind: 'password', password: req.password };
}

/** The profile's record, parsed (AuthenticationError when damaged), or ProfileNotFoundError. */
export async function readRecord(store: Store, location: ProfileLocation): Promise<ProfileRecord> {
  const stored = await store.readProfile(location.profileId);
  if (!stored) throw notFound();
  return parseProfileRecord(stored.stored);
}

/** A new profile's record: a new secret salt, and one password slot holding `root`. */
async function newRecord(req: ProfileRequest, password: string, root: Uint8Array<ArrayBuffer>, kdf: KdfSettings): Promise<ProfileRecordV2> {
  const secretSalt = randomBytes(32);
  const slot = await sealSlot(req.profileId, secretSalt, { kind: 'password', password }, { label: 'Password', kdf }, root);
  return { version: 2, secretSalt, slots: [slot] };
}

function notFound(): ProfileNotFoundError {
  return new ProfileNotFoundError('no profile exists for these credentials in this directory');
}

/** Whether a record is stored under this profile id (damaged or not: one definition of "exists"). */
export async function profileExists(store: Store, profileId: string): Promise<boolean> {
  return (await store.readProfile(profileId)) !== undefined;
}

/** The root a secret unlocks (the caller zero-fills it). */
export async function unlockRoot(store: Store, ref: ProfileRef, secret: SlotSecret): Promise<Uint8Array<ArrayBuffer>> {
  return (await unlockRecord(ref, await readRecord(store, ref), secret)).root;
}

/** The profile's root key: unlocked, or (creating) a new random one, stored in a password slot. */
export async function profileRoot(store: Store, req: ProfileRequest, opening: ProfileOpening): Promise<Uint8Array<ArrayBuffer>> {
  if (opening.mode === 'unlock') return unlockRoot(store, req, opening.secret);
  const stored = await store.readProfile(req.profileId);
  if (stored) return (await unlockRecord(req, parseProfileRecord(stored.stored), passwordOf(req))).root;
  if (opening.mode === 'load') throw notFound();
  const root = randomBytes(64);
  let winner: { stored: unknown } | undefined;
  try {
    const record = await newRecord(req, req.password, root, opening.kdf);
    // Another tab may have created the same profile meanwhile: the first one wins.
    winner = await withWriteLock(req.directory, async () => {
      const again = await store.readProfile(req.profileId);
      if (again) return again;
      const batch = emptyBatch();
      batch.profiles.push([req.profileId, record]);
      await store.write(batch);
      return undefined;
    });
  } catch (error) {
    root.fill(0);
    throw error;
  }
  if (!winner) return root;
  // The root this call made is never used: wipe it, and open the winner's.
  root.fill(0);
  return (await unlockRecord(req, parseProfileRecord(winner.stored), passwordOf(req))).root;
}

/** The Argon2 costs of the password slot that opened the record (a version-1 record's own). */
function costsOf(record: ProfileRecord, slotId: string): KdfSettings {
  if (record.version === 1) return { memoryKiB: record.memoryKiB, iterations: record.iterations };
  const slot = record.slots.find((s) => s.id === slotId)!;
  return { memoryKiB: slot.memoryKiB!, iterations: slot.iterations! };
}

/**
 * Replaces the password slot the tokens' password opens by one for `newPassword` (its id and
 * label kept): one record written, no data re-encrypted. A version-1 record is written as
 * version 2.
 */
export async function changePassword(store: Store, req: ProfileRequest, newPassword: string, kdf: KdfSettings | undefined): Promise<void> {
  await withWriteLock(req.directory, async () => {
    const record = await readRecord(store, req);
    const opened = await unlockRecord(req, record, passwordOf(req));
    try {
      const old = record.version === 2 ? record.slots.find((s) => s.id === opened.slotId)! : undefined;
      const costs = kdf ?? costsOf(record, opened.slotId);
      const fields = old ? { label: old.label, id: old.id, kdf: costs } : { label: 'Password', kdf: costs };
      const slot = await sealSlot(req.profileId, record.secretSalt, { kind: 'password', password: newPassword }, fields, opened.root);
      const slots = record.version === 2 ? record.slots.map((s) => (s.id === opened.slotId ? slot : s)) : [slot];
      const batch = emptyBatch();
      batch.profiles.push([req.profileId, { version: 2, secretSalt: record.secretSalt, slots }]);
      await store.write(batch);
    } finally {
      opened.root.fill(0);
    }
  });
}

/** One vault of a tree being carried to a new root: its path and what it stores. */
interface CarriedVault {
  path: string[];
  header: Uint8Array | undefined;
  metatags: string[];
  /** Tag records' plaintexts (the record format carries the name and order). */
  records: Uint8Array<ArrayBuffer>[];
}

/** Reads and opens every record of the tree below `vault`; anything that fails authentication refuses the rotation. */
async function readTree(vault: VaultCrypto, store: Store, path: string[], out: CarriedVault[], seen: Set<string>): Promise<void> {
  if (seen.has(vault.vaultId)) return;
  seen.add(vault.vaultId);
  const chunks: Promise<(Uint8Array<ArrayBuffer> | null)[]>[] = [];
  const stored = await store.readVault(vault.vaultId, (ids, envelopes) => void chunks.push(vault.openRecords('tag', ids, envelopes)));
  const records = (await Promise.all(chunks)).flat();
  const failed = records.filter((r) => r === null).length;
  let metatags: string[];
  try {
    metatags = (await readHeader(vault, stored.header)).metatags;
  } catch (cause) {
    throw new AuthenticationError(`cannot rotate: a vault header of this profile fails authentication (nothing was written)`, { cause });
  }
  if (failed > 0) throw new AuthenticationError(`cannot rotate: ${failed} record(s) of this profile fail authentication (nothing was written)`);
  out.push({ path, header: stored.header, metatags, records: records as Uint8Array<ArrayBuffer>[] });
  for (const name of metatags) {
    const child = await vault.child(name);
    try {
      await readTree(child, store, [...path, name], out, seen);
    } finally {
      child.destroy();
    }
  }
}

/** Adds to `batch` the vault `carried` re-sealed under `vault`: its records, one name block, its header. */
async function reseal(vault: VaultCrypto, carried: CarriedVault, batch: ReturnType<typeof emptyBatch>): Promise<void> {
  const decoded = carried.records.map((r) => decodeTagRecord(r));
  const ids = await vault.tagIds(decoded.map((r) => r.tag));
  const sealed = await vault.sealRecords('tag', ids, carried.records);
  ids.forEach((id, i) => {
    batch.tags.push([[vault.vaultId, id], sealed[i]!]);
  });
  if (ids.length > 0) {
    const entries: NameEntry[] = decoded.map((r, i) => [ids[i]!, r.tag, r.order]);
    const id = blockId(blockLevel(entries.length), toBase64Url(randomBytes(9)));
    const [block] = await vault.sealRecords('names', [id], [encodeNameBlock(entries)]);
    batch.names.push([[vault.vaultId, id], block!]);
  }
  if (carried.header !== undefined) batch.headers.push([vault.vaultId, await vault.sealHeader(encodeHeader(carried.metatags))]);
}

/**
 * Rotates a profile's root: a new random root; every saved record of the vault tree opened and
 * sealed again under it (new vault ids); the new root wrapped under `newPassword`; the old
 * records and the old wrap deleted. All of it in one IndexedDB transaction, written only after
 * everything was read and sealed: a crash at any point leaves the old profile or the new one,
 * never a mix. Held under the directory's write lock, so no save of this origin interleaves.
 */
export async function rotate(
  store: Store,
  req: ProfileRequest,
  newPassword: string,
  kdf: KdfSettings | undefined,
  keep: SlotSecret[],
  source: string,
  announce: (message: ChangeMessage) => void,
): Promise<RotatedProfile> {
  return withWriteLock(req.directory, async () => {
    const record = await readRecord(store, req);
    const opened = await unlockRecord(req, record, passwordOf(req));
    const old = await VaultCrypto.fromRoot(opened.root);
    const tree: CarriedVault[] = [];
    const root = randomBytes(64);
    let fresh: VaultCrypto | undefined;
    try {
      await readTree(old, store, [], tree, new Set());
      const costs = kdf ?? costsOf(record, opened.slotId);
      const secretSalt = randomBytes(32);
      const { slots, dropped } = await rotatedSlots(req, record, opened, { password: newPassword, kdf: costs }, keep, { root, secretSalt });
      const next: ProfileRecordV2 = { version: 2, secretSalt, slots };
      fresh = await VaultCrypto.fromRoot(root.slice());
      const batch = emptyBatch();
      for (const carried of tree) {
        let vault: VaultCrypto = fresh;
        for (const name of carried.path) {
          const child = await vault.child(name);
          if (vault !== fresh) vault.destroy();
          vault = child;
        }
        await reseal(vault, carried, batch);
        if (vault !== fresh) vault.destroy();
      }
      const message: ChangeMessage = { type: 'tagvault:change', source, directory: req.directory, vaults: [] };
      await dropTrees(old, store, [[]], batch, message);
      batch.profiles.push([req.profileId, next]);
      await store.write(batch);
      announce(message);
      return { dropped, vaultId: fresh.vaultId, tags: tree.reduce((n, v) => n + v.records.length, 0), metatags: tree.length - 1 };
    } finally {
      root.fill(0);
      for (const carried of tree) for (const r of carried.records) r.fill(0);
      old.destroy();
      fresh?.destroy();
    }
  });
}

/** Deletes the profile and its whole vault tree, and tells other tabs. */
export async function deleteProfile(store: Store, req: ProfileRequest, source: string, announce: (message: ChangeMessage) => void): Promise<void> {
  const vault = await VaultCrypto.fromRoot(await unlockRoot(store, req, passwordOf(req)));
  try {
    await deleteTree(store, req, vault, source, announce);
  } finally {
    vault.destroy();
  }
}

async function deleteTree(store: Store, req: ProfileRequest, vault: VaultCrypto, source: string, announce: (message: ChangeMessage) => void): Promise<void> {
  await withWriteLock(req.directory, async () => {
    const batch = emptyBatch();
    const message: ChangeMessage = { type: 'tagvault:change', source, directory: req.directory, vaults: [] };
    await dropTrees(vault, store, [[]], batch, message);
    batch.deleteProfiles.push(req.profileId);
    await store.write(batch);
    announce(message);
  });
}
