// Committing a save: records sealed outside the lock, then under the directory's write lock the
// headers and name blocks merged with what other tabs stored, one IndexedDB transaction, and a
// broadcast of what changed.
import { randomBytes, toBase64Url } from '../bytes';
import type { VaultCrypto } from '../crypto/vault-crypto';
import { encodeHeader } from '../format/header';
import { blockId, blockLevel, decodeNameBlock, encodeNameBlock, encodeTagRecords, levelOf, type NameEntry } from '../format/records';
import type { ChangeMessage, CommitResult, VaultChange } from '../wire/protocol';
import { readHeader } from './open';
import { emptyBatch, type Store, type WriteBatch } from './store';
import { withWriteLock } from './write-lock';

/** The vault ids of a vault and all its metatags, recursively, read from storage. */
async function treeIds(vault: VaultCrypto, store: Store, seen: Set<string>): Promise<string[]> {
  if (seen.has(vault.vaultId)) return [];
  seen.add(vault.vaultId);
  const [env] = await store.readHeaders([vault.vaultId]);
  let metatags: string[] = [];
  try {
    metatags = (await readHeader(vault, env)).metatags;
  } catch {
    // A corrupt header: its children cannot be found, but the vault itself is still removed.
  }
  const ids = [vault.vaultId];
  for (const name of metatags) ids.push(...(await treeIds(await vault.child(name), store, seen)));
  return ids;
}

/**
 * Adds to `batch` (and `message`) the removal of the vaults at `paths` below `vault` (`[]` is
 * `vault` itself) and of everything their stored headers list below them, each vault once.
 */
export async function dropTrees(vault: VaultCrypto, store: Store, paths: string[][], batch: WriteBatch, message: ChangeMessage): Promise<void> {
  const seen = new Set<string>();
  for (const path of paths) {
    let target = vault;
    for (const name of path) target = await target.child(name);
    for (const vaultId of await treeIds(target, store, seen)) {
      batch.dropVaults.push(vaultId);
      message.vaults.push({ vaultId, upserted: [], deleted: [], header: true, dropped: true });
    }
  }
}

/**
 * Adds to `batch` a name block with `created`, merged with the stored blocks of its level, and of
 * the level the merge reaches, and so on (format/records.ts). Merging drops the names of tags that
 * no longer exist; `written` and `deleted` are the tag ids this commit writes and deletes.
 */
async function addNames(vault: VaultCrypto, store: Store, created: NameEntry[], written: Set<string>, deleted: Set<string>, batch: WriteBatch): Promise<void> {
  const vaultId = vault.vaultId;
  const byLevel = new Map<number, string[]>();
  for (const id of await store.blockIds(vaultId)) {
    const level = levelOf(id);
    if (!Number.isNaN(level)) byLevel.set(level, [...(byLevel.get(level) ?? []), id]);
  }
  const entries = new Map(created.map((e) => [e[0], e]));
  let level = blockLevel(entries.size);
  for (let ids = byLevel.get(level); ids; ids = byLevel.get(level)) {
    byLevel.delete(level);
    const envelopes = await store.readBlocks(vaultId, ids);
    const blocks = await Promise.all(
      envelopes.map(async (env, k) => {
        try {
          return decodeNameBlock(await vault.openRecord('names', ids![k]!, env!));
        } catch {
          return undefined;
        }
      }),
    );
    // A block that does not open stays as it is (a `preload: false` open reports it; the
    // records name its tags); the others merge.
    const old = blocks.flatMap((b) => b ?? []);
    const others = old.filter((e) => !written.has(e[0]) && !deleted.has(e[0]));
    const exists = await store.hasTags(
      vaultId,
      others.map((e) => e[0]),
    );
    for (const e of [...old.filter((e) => written.has(e[0])), ...others.filter((_, k) => exists[k])]) {
      const seen = entries.get(e[0]);
      if (!seen || e[2] > seen[2]) entries.set(e[0], e);
    }
    ids.forEach((id, k) => {
      if (blocks[k]) batch.deleteNames.push([vaultId, id]);
    });
    level = blockLevel(entries.size);
  }
  const id = blockId(level, toBase64Url(randomBytes(9)));
  const [sealed] = await vault.sealRecords('names', [id], [encodeNameBlock([...entries.values()])]);
  batch.names.push([[vaultId, id], sealed!]);
}

/** What a commit needs from the engine besides its changes. */
export interface CommitContext {
  store: Store;
  /** The id of this engine, the source of its broadcasts. */
  source: string;
  durability: IDBTransactionDurability;
  /** The next creation order (strictly increasing in this engine). */
  nextOrder(): number;
  /** Tells other tabs, while the write lock is still held (so messages come in write order). */
  announce(message: ChangeMessage): void;
}

/** Writes every change in one transaction: all of it, or nothing. */
export async function commit(context: CommitContext, changes: { vault: VaultCrypto; change: VaultChange }[]): Promise<CommitResult> {
  const { store, durability } = context;
  const directory = store.directory;
  // 1. Everything that does not depend on what is stored: ids and sealed records, outside the lock.
  const prepared = await Promise.all(
    changes.map(async ({ vault, change }) => {
      if (change.kind === 'drop') return { ids: [], deleteIds: [], sealed: [], orders: [], created: [] };
      const [ids, deleteIds] = await Promise.all([vault.tagIds(change.upserts.map((u) => u.tag)), vault.tagIds(change.deletes)]);
      const orders = change.upserts.map((u) => u.order ?? context.nextOrder());
      const texts = change.upserts.length > 0 ? change.values.split('\0') : [];
      if (texts.length !== change.upserts.length) throw new TypeError('upsert values do not match the upserts');
      const sealed = await vault.sealRecords(
        'tag',
        ids,
        encodeTagRecords(
          orders,
          change.upserts.map((u) => u.tag),
          texts,
        ),
      );
      // Tags saved for the first time: their names go to a new name block.
      const created: NameEntry[] = [];
      change.upserts.forEach((u, j) => {
        if (u.order === undefined) created.push([ids[j]!, u.tag, orders[j]!]);
      });
      return { ids, deleteIds, sealed, orders, created };
    }),
  );
  // 2. Under the lock: merge headers with what other tabs stored, then one transaction.
  return withWriteLock(directory, async () => {
    const batch: WriteBatch = emptyBatch();
    const metatags: (string[] | undefined)[] = [];
    const message: ChangeMessage = { type: 'tagvault:change', source: context.source, directory, vaults: [] };
    for (const [i, { vault, change }] of changes.entries()) {
      if (change.kind === 'drop') {
        await dropTrees(vault, store, [[], ...change.removeTrees], batch, message);
        metatags.push([]);
        continue;
      }
      const { ids, deleteIds, sealed, created } = prepared[i]!;
      for (const id of deleteIds) batch.deleteTags.push([vault.vaultId, id]);
      ids.forEach((id, j) => {
        batch.tags.push([[vault.vaultId, id], sealed[j]!]);
      });
      if (created.length > 0) await addNames(vault, store, created, new Set(ids), new Set(deleteIds), batch);
      let header = false;
      if (change.addMetatags.length || change.removeMetatags.length) {
        const [env] = await store.readHeaders([vault.vaultId]);
        const current = await readHeader(vault, env);
        const removed = new Set(change.removeMetatags);
        const next = current.metatags.filter((m) => !removed.has(m));
        for (const m of change.addMetatags) if (!next.includes(m) && !removed.has(m)) next.push(m);
        // Drop every removed metatag's vault, listed in the stored header or not (it may have
        // been written with saveTag before its parent was saved), and everything below it: what
        // stored headers list, and the paths the page knows of.
        await dropTrees(vault, store, [...change.removeMetatags.map((name) => [name]), ...change.removeTrees], batch, message);
        batch.headers.push([vault.vaultId, await vault.sealHeader(encodeHeader(next))]);
        metatags.push(next);
        header = true;
      } else {
        metatags.push(undefined);
      }
      if (ids.length || deleteIds.length || header) {
        message.vaults.push({ vaultId: vault.vaultId, upserted: ids, deleted: deleteIds, header, dropped: false });
      }
    }
    await store.write(batch, durability);
    context.announce(message);
    return { ids: prepared.map((p) => p.ids), orders: prepared.map((p) => p.orders), metatags };
  });
}
