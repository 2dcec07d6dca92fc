// Password profiles in the engine: a random root key wrapped under Argon2id(password, identity ‖
// secret salt), stored in the `profiles` store (format/profile-record.ts).
import { concat, lengthPrefixed, randomBytes, utf8 } from '../bytes';
import { argon2id } from '../crypto/argon2';
import { checkArgon2Cost } from '../crypto/argon2-cost';
import { openEnvelope, SubkeyCache, sealEnvelope } from '../crypto/envelope';
import { VaultCrypto } from '../crypto/vault-crypto';
import { XaesKey } from '../crypto/xaes';
import { AuthenticationError, ProfileNotFoundError, TagvaultError } from '../errors';
import { PROFILE_RECORD_VERSION, type ProfileRecord } from '../format/profile-record';
import type { ChangeMessage, KdfSettings, ProfileOpening, ProfileRequest } from '../wire/protocol';
import { dropTrees } from './commit';
import { emptyBatch, type Store } from './store';
import { withWriteLock } from './write-lock';

/** The key that wraps a profile's root: Argon2id(password, identity ‖ secret salt). */
async function kek(req: ProfileRequest, record: Pick<ProfileRecord, 'secretSalt' | 'memoryKiB' | 'iterations'>): Promise<SubkeyCache> {
  // A stored cost is read from data an attacker may have written: cap it here (crypto/argon2-cost.ts)
  // so a hostile record cannot make this tab allocate gigabytes or spin for minutes.
  try {
    checkArgon2Cost(record.memoryKiB, record.iterations, { memory: 'profile memoryKiB', iterations: 'profile iterations' });
  } catch (cause) {
    throw new TagvaultError('the stored profile has Argon2 settings out of the accepted range', { cause });
  }
  const raw = await argon2id({
    password: utf8(req.password),
    salt: concat(req.identity, record.secretSalt),
    memoryKiB: record.memoryKiB,
    iterations: record.iterations,
    hashLength: 32,
  });
  const key = await XaesKey.fromRaw(raw);
  raw.fill(0);
  return new SubkeyCache(key);
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

async function unwrap(req: ProfileRequest, record: ProfileRecord): Promise<Uint8Array<ArrayBuffer>> {
  const wrapping = await kek(req, record);
  try {
    return (await openEnvelope(wrapping, record.wrapped, wrapContext(req.profileId))).plaintext;
  } catch (cause) {
    throw new AuthenticationError('wrong password for this profile (or its record was altered)', { cause });
  }
}

function notFound(): ProfileNotFoundError {
  return new ProfileNotFoundError('no profile exists for these credentials in this directory');
}

/** Whether a profile is stored under this id. */
export async function profileExists(store: Store, profileId: string): Promise<boolean> {
  return (await store.readProfile(profileId)) !== undefined;
}

/** The profile's root key: unwrapped, or (creating) a new random one, stored wrapped. */
export async function profileRoot(store: Store, req: ProfileRequest, opening: ProfileOpening): Promise<Uint8Array<ArrayBuffer>> {
  const existing = await store.readProfile(req.profileId);
  if (existing) return unwrap(req, existing);
  if (opening.mode === 'load') throw notFound();
  const root = randomBytes(64);
  const record = await wrap(req, req.password, root, opening.kdf);
  // Another tab may have created the same profile meanwhile: the first one wins.
  const winner = await withWriteLock(req.directory, async () => {
    const again = await store.readProfile(req.profileId);
    if (again) return again;
    const batch = emptyBatch();
    batch.profiles.push([req.profileId, record]);
    await store.write(batch);
    return undefined;
  });
  return winner ? unwrap(req, winner) : root;
}

/** Re-wraps the profile's root under a new password (one record written; no data re-encrypted). */
export async function changePassword(store: Store, req: ProfileRequest, newPassword: string, kdf: KdfSettings | undefined): Promise<void> {
  await withWriteLock(req.directory, async () => {
    const record = await store.readProfile(req.profileId);
    if (!record) throw notFound();
    const root = await unwrap(req, record);
    const next = await wrap(req, newPassword, root, kdf ?? { memoryKiB: record.memoryKiB, iterations: record.iterations });
    root.fill(0);
    const batch = emptyBatch();
    batch.profiles.push([req.profileId, next]);
    await store.write(batch);
  });
}

/** Deletes the profile and its whole vault tree, and tells other tabs. */
export async function deleteProfile(store: Store, req: ProfileRequest, source: string, announce: (message: ChangeMessage) => void): Promise<void> {
  const record = await store.readProfile(req.profileId);
  if (!record) throw notFound();
  const vault = await VaultCrypto.fromRoot(await unwrap(req, record));
  await withWriteLock(req.directory, async () => {
    const batch = emptyBatch();
    const message: ChangeMessage = { type: 'tagvault:change', source, directory: req.directory, vaults: [] };
    await dropTrees(vault, store, [[]], batch, message);
    batch.deleteProfiles.push(req.profileId);
    await store.write(batch);
    announce(message);
  });
}
