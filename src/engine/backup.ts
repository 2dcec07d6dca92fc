// Backups in the engine: exporting a vault and all its metatags as the sealed records they are
// (format/backup.ts), and importing such a file: read and verified whole (every record
// authenticates, the sealed trailer matches) before one transaction writes it.
import { checkArgon2Cost } from '../crypto/argon2-cost';
import { openSlot, sealSlot } from '../crypto/slot-keys';
import { VaultCrypto } from '../crypto/vault-crypto';
import { AuthenticationError, BackupFormatError, ValidationError, VaultExistsError } from '../errors';
import {
  type BackupHeader,
  type BackupRecord,
  checkTrailer,
  encodeHeader,
  encodeRecordPrefix,
  encodeTrailer,
  newBackupId,
  parseBackup,
  trailerPlaintext,
} from '../format/backup';
import type { ProfileRecordV2 } from '../format/profile-record';
import type { BackupProgress, ChangedVault, KdfSettings, SkippedRecord } from '../wire/protocol';
import { BackupFileWriter } from './backup-file-writer';
import { readHeader } from './open';
import { emptyBatch, type Store } from './store';
import { withWriteLock } from './write-lock';

/** Calls `onProgress` at the start, about every 1% and at the end (never per record). */
function throttled(total: number, onProgress?: (p: BackupProgress) => void): (done: number) => void {
  if (!onProgress) return () => undefined;
  const step = Math.max(1, Math.floor(total / 100));
  let last = -1;
  return (done) => {
    if (done === last || (done !== 0 && done !== total && done - last < step)) return;
    last = done;
    void Promise.resolve(onProgress({ done, total })).catch(() => undefined);
  };
}

/** A vault of the tree being exported or imported: its keys and its path of metatag names. */
interface TreeVault {
  crypto: VaultCrypto;
  path: string[];
}

/**
 * Grows `tree` (the root alone, at first) into the whole vault tree: each vault's metatags read
 * from its header (`envelopeOf`), a child's keys derived from its parent's. A header that fails
 * authentication ends the walk below it (`onCorrupt`, which may throw). Every child's keys are in
 * `tree` as soon as they are made, so that the caller can destroy them on any path.
 */
async function walkTree(
  tree: TreeVault[],
  envelopeOf: (vaultId: string) => Promise<Uint8Array | undefined>,
  onCorrupt: (vault: TreeVault, cause: unknown) => void,
): Promise<void> {
  const seen = new Set(tree.map((v) => v.crypto.vaultId));
  for (let i = 0; i < tree.length; i++) {
    const vault = tree[i]!;
    let metatags: string[];
    try {
      metatags = (await readHeader(vault.crypto, await envelopeOf(vault.crypto.vaultId))).metatags;
    } catch (cause) {
      onCorrupt(vault, cause);
      continue;
    }
    for (const name of metatags) {
      const child = await vault.crypto.child(name);
      if (seen.has(child.vaultId)) {
        child.destroy();
        continue;
      }
      seen.add(child.vaultId);
      tree.push({ crypto: child, path: [...vault.path, name] });
    }
  }
}

/** The vault tree below `root` as stored now (see {@link walkTree}). */
async function storedTree(store: Store, root: VaultCrypto, onCorrupt: (vault: TreeVault) => void): Promise<TreeVault[]> {
  const tree: TreeVault[] = [{ crypto: root, path: [] }];
  try {
    await walkTree(tree, async (vaultId) => (await store.readHeaders([vaultId]))[0], onCorrupt);
  } catch (error) {
    destroyTree(tree, root);
    throw error;
  }
  return tree;
}

function destroyTree(tree: TreeVault[], keep: VaultCrypto): void {
  for (const v of tree) if (v.crypto !== keep) v.crypto.destroy();
}

/** Authenticates records of one vault; the indexes of those that fail. */
async function failing(vault: VaultCrypto, records: BackupRecord[]): Promise<Set<number>> {
  const bad = new Set<number>();
  const groups: Record<'tags' | 'names', number[]> = { tags: [], names: [] };
  records.forEach((r, i) => {
    if (r.store === 'headers') return;
    groups[r.store].push(i);
  });
  for (const [store, kind] of [
    ['tags', 'tag'],
    ['names', 'names'],
  ] as const) {
    const indexes = groups[store];
    const opened = await vault.openRecords(
      kind,
      indexes.map((i) => records[i]!.id),
      indexes.map((i) => records[i]!.value),
    );
    opened.forEach((plaintext, j) => {
      if (plaintext === null) bad.add(indexes[j]!);
      else plaintext.fill(0);
    });
  }
  for (const [i, r] of records.entries()) {
    if (r.store !== 'headers') continue;
    try {
      (await vault.openHeader(r.value)).fill(0);
    } catch {
      bad.add(i);
    }
  }
  return bad;
}

/**
 * Authenticates a vault's records a chunk at a time (so progress moves within a big vault); the
 * indexes of those that fail.
 */
async function failingInChunks(vault: VaultCrypto, records: BackupRecord[], chunk: number, onChunk: (count: number) => void): Promise<Set<number>> {
  const bad = new Set<number>();
  for (let start = 0; start < records.length; start += chunk) {
    const part = records.slice(start, start + chunk);
    for (const i of await failing(vault, part)) bad.add(start + i);
    onChunk(part.length);
  }
  return bad;
}

/** Records authenticated between two progress calls: about 1% of the file, at least 100. */
function chunkOf(total: number): number {
  return Math.max(100, Math.ceil(total / 100));
}

/** What to put in an export besides the records: a passphrase slot holding the root. */
export interface ExportKey {
  passphrase: string;
  kdf: KdfSettings;
  /** The raw root (zero-filled here once sealed). */
  root: Uint8Array<ArrayBuffer>;
}

/** The passphrase slot's profile id: the slot is bound to the file it is in. */
function slotOwner(fileId: string): string {
  return `backup:${fileId}`;
}

/**
 * Exports `root`'s vault and all its metatags: under the directory's write lock (no save of this
 * origin interleaves), the tree's records read in one transaction, each authenticated, framed
 * into Blob parts with a streaming SHA-256, and a sealed trailer. A record that fails
 * authentication refuses the export (nothing is made) or, with `skipCorrupted`, is left out and
 * reported.
 */
export async function exportBackup(
  store: Store,
  directory: string,
  root: VaultCrypto,
  options: { key?: ExportKey; skipCorrupted: boolean; onProgress?: (p: BackupProgress) => void },
): Promise<{ file: Blob; skipped: SkippedRecord[] }> {
  const skipped: SkippedRecord[] = [];
  const id = newBackupId();
  let passphrase: BackupHeader['passphrase'];
  if (options.key) {
    const secretSalt = crypto.getRandomValues(new Uint8Array(32));
    try {
      const slot = await sealSlot(
        slotOwner(id),
        secretSalt,
        { kind: 'password', password: options.key.passphrase },
        { label: 'backup', kdf: options.key.kdf },
        options.key.root,
      );
      passphrase = { secretSalt, slot };
    } finally {
      options.key.root.fill(0);
    }
  }
  // The lock only while the tree is found and read (one read transaction): a consistent snapshot,
  // and other tabs' saves wait no longer than that.
  const corruptHeaders: TreeVault[] = [];
  const { tree, records } = await withWriteLock(directory, async () => {
    const tree = await storedTree(store, root, (v) => corruptHeaders.push(v));
    try {
      return { tree, records: await store.readVaultRecords(tree.map((v) => v.crypto.vaultId)) };
    } catch (error) {
      destroyTree(tree, root);
      throw error;
    }
  });
  try {
    if (corruptHeaders.length > 0 && !options.skipCorrupted) {
      throw new AuthenticationError(
        `cannot export: the header of vault /${corruptHeaders[0]!.path.join('/')} fails authentication (pass skipCorrupted to leave it out)`,
      );
    }
    const progress = throttled(records.length, options.onProgress);
    progress(0);
    const byVault = new Map(tree.map((v) => [v.crypto.vaultId, v]));
    const kept: BackupRecord[] = [];
    let done = 0;
    for (const vault of tree) {
      const own = records.filter((r) => r.vaultId === vault.crypto.vaultId);
      const bad = await failingInChunks(vault.crypto, own, chunkOf(records.length), (n) => {
        done += n;
        progress(done);
      });
      own.forEach((r, i) => {
        if (!bad.has(i)) kept.push(r);
        else skipped.push({ store: r.store, path: byVault.get(r.vaultId)!.path, id: r.id });
      });
    }
    if (skipped.length > 0 && !options.skipCorrupted) {
      const first = skipped[0]!;
      throw new AuthenticationError(
        `cannot export: ${skipped.length} record(s) fail authentication, the first in the ${first.store} of vault /${first.path.join('/')} (pass skipCorrupted to leave them out)`,
      );
    }
    // Only `kept` refers to the records from here; each is let go once its Blob part holds it.
    records.length = 0;
    const count = kept.length;
    const header: BackupHeader = {
      id,
      created: Date.now(),
      records: count,
      vaults: tree.length,
      skipped: skipped.length,
      ...(passphrase ? { passphrase } : {}),
    };
    const file = await BackupFileWriter.create();
    file.write(encodeHeader(header));
    kept.reverse();
    for (let record = kept.pop(); record; record = kept.pop()) {
      file.write(encodeRecordPrefix(record));
      file.write(record.value);
    }
    const [sealed] = await root.sealRecords('backup', [id], [trailerPlaintext(count, file.digest())]);
    const blob = file.finish(encodeTrailer(sealed!));
    progress(done);
    return { file: blob, skipped };
  } finally {
    destroyTree(tree, root);
  }
}

/** Where a record of a backup goes: its store, vault and id. */
type RecordKey = Pick<BackupRecord, 'store' | 'vaultId' | 'id'>;

/**
 * What an import changed, as other tabs hear it: in each vault of the file, its tags written and
 * those it had that the file lacks deleted, its header rewritten; each vault the directory held
 * that the file lacks, dropped.
 */
function importedChanges(records: RecordKey[], ids: Set<string>, before: Map<string, string[]>): ChangedVault[] {
  const upserted = new Map<string, string[]>([...ids].map((id) => [id, []]));
  for (const r of records) if (r.store === 'tags') upserted.get(r.vaultId)!.push(r.id);
  const changes: ChangedVault[] = [...upserted].map(([vaultId, tags]) => {
    const kept = new Set(tags);
    const deleted = (before.get(vaultId) ?? []).filter((id) => !kept.has(id));
    return { vaultId, upserted: tags, deleted, header: true, dropped: false };
  });
  for (const vaultId of before.keys()) {
    if (!ids.has(vaultId)) changes.push({ vaultId, upserted: [], deleted: [], header: true, dropped: true });
  }
  return changes;
}

/** How an import gets its root: the vault's key, or the passphrase of the file's slot. */
export type ImportKey = { root: Uint8Array<ArrayBuffer> } | { passphrase: string };

/** A profile to make in the directory for the imported root: its id, and its password slot. */
export interface ImportProfile {
  profileId: string;
  password: string;
  kdf: KdfSettings;
}

/**
 * Imports a backup file into `directory`: the whole file read and verified (its trailer's seal and
 * digest, every record's own seal, every record in the tree of vaults its headers name) before
 * one transaction writes every record (and, carrying a profile, its new profile record). A
 * directory that holds the vault (or the profile) already is refused unless `replace`, which
 * makes the vault tree exactly the file's in that same transaction. Returns the root's keys.
 */
export async function importBackup(
  store: Store,
  directory: string,
  file: Blob,
  key: ImportKey,
  options: {
    replace: boolean;
    profile?: ImportProfile;
    onProgress?: (p: BackupProgress) => void;
    /** Told, once written, what changed in each vault, for other tabs to hear. */
    announce?: (vaults: ChangedVault[]) => void;
  },
): Promise<VaultCrypto> {
  let bytes: Uint8Array<ArrayBuffer>;
  let parsed: ReturnType<typeof parseBackup>;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
    parsed = parseBackup(bytes);
  } catch (error) {
    if ('root' in key) key.root.fill(0);
    throw error;
  }
  const progress = throttled(parsed.records.length * 2, options.onProgress);
  progress(0);
  let rootBytes: Uint8Array<ArrayBuffer>;
  if ('root' in key) rootBytes = key.root;
  else {
    const slot = parsed.header.passphrase;
    if (!slot) throw new ValidationError('passphrase', 'is of no use here: this backup carries no key (import it with its vault key)');
    // The header's costs are the file's word: refused beyond the caps before any Argon2 work.
    try {
      checkArgon2Cost(slot.slot.memoryKiB, slot.slot.iterations, { memory: 'memoryKiB', iterations: 'iterations' });
    } catch (cause) {
      throw new BackupFormatError("this is not a readable tagvault backup (its passphrase slot's Argon2 costs are out of range): nothing was written", {
        cause,
      });
    }
    try {
      rootBytes = await openSlot(slotOwner(parsed.header.id), slot.secretSalt, slot.slot, { kind: 'password', password: key.passphrase });
    } catch (cause) {
      throw cause instanceof AuthenticationError && /^wrong/.test(cause.message)
        ? new AuthenticationError('wrong passphrase for this backup (or its passphrase slot was altered)', { cause })
        : cause;
    }
  }
  let profileRecord: ProfileRecordV2 | undefined;
  let root: VaultCrypto;
  try {
    if (options.profile) {
      const secretSalt = crypto.getRandomValues(new Uint8Array(32));
      const slot = await sealSlot(
        options.profile.profileId,
        secretSalt,
        { kind: 'password', password: options.profile.password },
        { label: 'Password', kdf: options.profile.kdf },
        rootBytes,
      );
      profileRecord = { version: 2, secretSalt, slots: [slot] };
    }
    root = await VaultCrypto.fromRoot(rootBytes.slice());
  } finally {
    rootBytes.fill(0);
  }
  const tree: TreeVault[] = [{ crypto: root, path: [] }];
  try {
    // The trailer: sealed by this vault, bound to this file's id, over every byte before it.
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.subarray(0, parsed.trailerAt)));
    let plaintext: Uint8Array;
    try {
      plaintext = await root.openRecord('backup', parsed.header.id, parsed.trailer);
    } catch (cause) {
      throw new AuthenticationError("wrong key for this backup (or its trailer was altered): it is not this vault's", { cause });
    }
    checkTrailer(plaintext, parsed.records.length, digest);

    // The tree its headers name, from the root down; every record must belong to one of its vaults.
    const seen = new Set<string>();
    for (const r of parsed.records) {
      const k = `${r.store} ${r.vaultId} ${r.id}`;
      if (seen.has(k)) throw new AuthenticationError('the backup holds one record twice');
      seen.add(k);
    }
    const headers = new Map(parsed.records.filter((r) => r.store === 'headers').map((r) => [r.vaultId, r.value]));
    await walkTree(
      tree,
      async (vaultId) => headers.get(vaultId),
      (vault, cause) => {
        throw new AuthenticationError(`the backup's header of vault /${vault.path.join('/')} fails authentication: nothing was written`, { cause });
      },
    );
    const ids = new Set(tree.map((v) => v.crypto.vaultId));
    if (parsed.records.some((r) => !ids.has(r.vaultId)))
      throw new AuthenticationError('the backup holds records of a vault outside its tree: nothing was written');
    let done = 0;
    for (const vault of tree) {
      const own = parsed.records.filter((r) => r.vaultId === vault.crypto.vaultId);
      const bad = await failingInChunks(vault.crypto, own, chunkOf(parsed.records.length), (n) => {
        done += n;
        progress(done);
      });
      if (bad.size > 0) {
        const first = own[[...bad][0]!]!;
        throw new AuthenticationError(
          `the backup's ${first.store} record ${[...bad][0]} of vault /${vault.path.join('/')} fails authentication: nothing was written`,
        );
      }
    }

    // Verified: now one transaction, under the write lock. Every value in its own buffer (a view
    // into the file would store the whole file with each record).
    const batch = emptyBatch();
    const written: RecordKey[] = [];
    for (const r of parsed.records) {
      const value = r.value.slice();
      if (r.store === 'headers') batch.headers.push([r.vaultId, value]);
      else batch[r.store].push([[r.vaultId, r.id], value]);
      written.push({ store: r.store, vaultId: r.vaultId, id: r.id });
    }
    // Nothing refers to the file's bytes from here: the browser may free them while it writes.
    const total = parsed.records.length;
    headers.clear();
    parsed.records.length = 0;
    parsed.trailer = new Uint8Array(0);
    bytes = new Uint8Array(0);
    await withWriteLock(directory, async () => {
      const existing = await storedTree(store, root, () => undefined);
      try {
        const present = await store.holdsAny(existing.map((v) => v.crypto.vaultId));
        const profileThere = options.profile ? (await store.readProfile(options.profile.profileId)) !== undefined : false;
        if ((present || profileThere) && !options.replace) {
          throw new VaultExistsError(
            profileThere
              ? 'this directory already holds a profile for these tokens: pass { replace: true } to replace it (nothing was written)'
              : 'this directory already holds this vault: pass { replace: true } to make it exactly the backup (nothing was written)',
          );
        }
        const before = await store.tagIds(existing.map((v) => v.crypto.vaultId));
        batch.dropVaults.push(...new Set([...existing.map((v) => v.crypto.vaultId), ...ids]));
        if (options.profile && profileRecord) batch.profiles.push([options.profile.profileId, profileRecord]);
        await store.write(batch);
        options.announce?.(importedChanges(written, ids, before));
      } finally {
        destroyTree(existing, root);
      }
    });
    progress(total * 2);
    return root;
  } catch (error) {
    root.destroy();
    throw error;
  } finally {
    destroyTree(tree, root);
  }
}
