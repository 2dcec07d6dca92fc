// Password profiles in the engine: a random root key wrapped under Argon2id(password, identity ‖
// secret salt), stored in the `profiles` store (format/profile-record.ts). Every raw root and
// password byte array made here is zero-filled once used, on every path (`finally`).
import { concat, lengthPrefixed, randomBytes, toBase64Url, utf8 } from '../bytes';
import { argon2id } from '../crypto/argon2';
import { checkArgon2Cost } from '../crypto/argon2-cost';
import { openEnvelope, SubkeyCache, sealEnvelope } from '../crypto/envelope';
import { VaultCrypto } from '../crypto/vault-crypto';
import { XaesKey } from '../crypto/xaes';
import { AuthenticationError, ProfileNotFoundError } from '../errors';
import { encodeHeader } from '../format/header';
import { damagedProfile, PROFILE_RECORD_VERSION, type ProfileRecord, parseProfileRecord } from '../format/profile-record';
import { blockId, blockLevel, decodeTagRecord, encodeNameBlock, type NameEntry } from '../format/records';
import type { ChangeMessage, KdfSettings, ProfileOpening, ProfileRequest, RotatedProfile } from '../wire/protocol';
import { dropTrees } from './commit';
import { readHeader } from './open';
import { emptyBatch, type Store } from './store';
import { withWriteLock } from './write-lock';

/** The key that wraps a profile's root: Argon2id(password, identity ‖ secret salt). */
async function kek(req: ProfileRequest, record: Pick<ProfileRecord, 'secretSalt' | 'memoryKiB' | 'iterations'>): Promise<SubkeyCache> {
  // A stored cost is read from data an attacker may have written: cap it here (crypto/argon2-cost.ts)
  // so a hostile record cannot make this tab allocate gigabytes or spin for minutes.
  try {
    checkArgon2Cost(record.memoryKiB, record.iterations, { memory: 'profile memoryKiB', iterations: 'profile iterations' });
  } catch (cause) {
    throw new AuthenticationError('the stored profile record is damaged (Argon2 settings out of the accepted range): nothing was written', { cause });
  }
  const password = utf8(req.password);
  let raw: Uint8Array<ArrayBuffer> | undefined;
  try {
    raw = await argon2id({
      password,
      salt: concat(req.identity, record.secretSalt),
      memoryKiB: record.memoryKiB,
      iterations: record.iterations,
      hashLength: 32,
    });
    return new SubkeyCache(await XaesKey.fromRaw(raw));
  } finally {
    password.fill(0);
    raw?.fill(0);
  }
}

/** What a wrapped root authenticates besides itself: the profile it belongs to. */
function wrapContext(profileId: string): Uint8Array<ArrayBuffer> {
  return lengthPrefixed('profile', profileId);
}

async function wrap(req: ProfileRequest, password: string, root: Uint8Array<ArrayBuffer>, kdf: KdfSettings): Promise<ProfileRecord> {
  const secretSalt = randomBytes(32);
  const settings = { secretSalt, memoryKiB: kdf.memoryKiB, iterations: kdf.iterations };
  const wrapping = await kek({ ...req, password }, settings);
  const subkey = await wrapping.get(randomBytes(12));
  const wrapped = await sealEnvelope(subkey, root, wrapContext(req.profileId));
  return { version: PROFILE_RECORD_VERSION, ...settings, wrapped };
}

async function unwrap(req: ProfileRequest, stored: { stored: unknown }): Promise<Uint8Array<ArrayBuffer>> {
  const record = parseProfileRecord(stored.stored);
  const wrapping = await kek(req, record);
  let root: Uint8Array<ArrayBuffer>;
  try {
    root = (await openEnvelope(wrapping, record.wrapped, wrapContext(req.profileId))).plaintext;
  } catch (cause) {
    throw new AuthenticationError('wrong password for this profile (or its record was altered)', { cause });
  }
  if (root.length !== 64) {
    root.fill(0);
    throw damagedProfile('root key length');
  }
  return root;
}

function notFound(): ProfileNotFoundError {
  return new ProfileNotFoundError('no profile exists for these credentials in this directory');
}

/** Whether a record is stored under this profile id (damaged or not: one definition of "exists"). */
export async function profileExists(store: Store, profileId: string): Promise<boolean> {
  return (await store.readProfile(profileId)) !== undefined;
}

/** The profile's stored record, or ProfileNotFoundError. */
async function existing(store: Store, req: ProfileRequest): Promise<{ stored: unknown }> {
  const stored = await store.readProfile(req.profileId);
  if (!stored) throw notFound();
  return stored;
}

/** The profile's root key: unwrapped, or (creating) a new random one, stored wrapped. */
export async function profileRoot(store: Store, req: ProfileRequest, opening: ProfileOpening): Promise<Uint8Array<ArrayBuffer>> {
  const stored = await store.readProfile(req.profileId);
  if (stored) return unwrap(req, stored);
  if (opening.mode === 'load') throw notFound();
  const root = randomBytes(64);
  let winner: { stored: unknown } | undefined;
  try {
    const record = await wrap(req, req.password, root, opening.kdf);
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
  return unwrap(req, winner);
}

/** Re-wraps the profile's root under a new password (one record written; no data re-encrypted). */
export async function changePassword(store: Store, req: ProfileRequest, newPassword: string, kdf: KdfSettings | undefined): Promise<void> {
  await withWriteLock(req.directory, async () => {
    const stored = await existing(store, req);
    const record = parseProfileRecord(stored.stored);
    const root = await unwrap(req, stored);
    try {
      const next = await wrap(req, newPassword, root, kdf ?? { memoryKiB: record.memoryKiB, iterations: record.iterations });
      const batch = emptyBatch();
      batch.profiles.push([req.profileId, next]);
      await store.write(batch);
    } finally {
      root.fill(0);
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
  source: string,
  announce: (message: ChangeMessage) => void,
): Promise<RotatedProfile> {
  return withWriteLock(req.directory, async () => {
    const stored = await existing(store, req);
    const record = parseProfileRecord(stored.stored);
    const old = await VaultCrypto.fromRoot(await unwrap(req, stored));
    const tree: CarriedVault[] = [];
    const root = randomBytes(64);
    let fresh: VaultCrypto | undefined;
    try {
      await readTree(old, store, [], tree, new Set());
      const next = await wrap(req, newPassword, root, kdf ?? { memoryKiB: record.memoryKiB, iterations: record.iterations });
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
      return { vaultId: fresh.vaultId, tags: tree.reduce((n, v) => n + v.records.length, 0), metatags: tree.length - 1 };
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
  const vault = await VaultCrypto.fromRoot(await unwrap(req, await existing(store, req)));
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
