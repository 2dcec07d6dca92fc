// IndexedDB storage through idb. One IndexedDB database per directory, with a fixed schema, so
// opening a new vault or metatag never needs a version upgrade (upgrades block on other tabs).
//
//   tags     [vaultId, tagId]   → envelope of one tag: its name, creation order and JSON value
//   names    [vaultId, blockId] → envelope of a block of tag names, for `preload: false`
//   headers  vaultId            → envelope of the vault's header (format version, metatag names)
//   profiles profileId          → a profile's secret salt, KDF settings and wrapped root key
// (the plaintexts' formats: src/format/)
//
// Never await anything but IndexedDB inside a transaction: it auto-commits when idle.
import { type DBSchema, type IDBPDatabase, type IDBPObjectStore, openDB, type StoreNames, unwrap } from 'idb';
import { storageError } from '../errors';
import type { ProfileRecord } from '../format/profile-record';
import type { RawRecord } from '../wire/protocol';

export type RecordKey = [vaultId: string, tagId: string];

interface Schema extends DBSchema {
  tags: { key: RecordKey; value: Uint8Array };
  names: { key: RecordKey; value: Uint8Array };
  headers: { key: string; value: Uint8Array };
  profiles: { key: string; value: ProfileRecord };
}

const STORES = ['tags', 'names', 'headers', 'profiles'] as const;
/** The IndexedDB schema version: 2, one record per tag (1 was never released). */
const SCHEMA_VERSION = 2;

/** Every key of one vault in `tags`/`names`: arrays sort after strings, so [id, []] is past all [id, x]. */
function vaultRange(vaultId: string): IDBKeyRange {
  return IDBKeyRange.bound([vaultId], [vaultId, []]);
}

/** IDBObjectStore.getAllRecords (Chromium 141+): keys and values in one request. */
type WithGetAllRecords = IDBObjectStore & {
  getAllRecords?(options: { query: IDBKeyRange; count: number }): IDBRequest<{ primaryKey: IDBValidKey; value: unknown }[]>;
};

/** What a record holding `undefined` is read as: bytes that fail authentication like any junk. */
const NOT_AN_ENVELOPE = new Uint8Array(0);

/** Records read per request when scanning a vault. */
const SCAN_CHUNK = 4096;

/**
 * Scans the records of `range` in chunks, calling `onChunk` with each chunk's keys and values as
 * it arrives, so the caller can start decrypting one chunk while IndexedDB reads the next. The
 * next request is made inside the success callback (never after an await), which keeps the
 * transaction alive. Resolves when the scan is done.
 */
function scan(store: IDBObjectStore, range: IDBKeyRange, onChunk: (keys: RecordKey[], values: Uint8Array[]) => void): Promise<void> {
  const native = store as WithGetAllRecords;
  const upper = range.upper as IDBValidKey;
  return new Promise((resolve, reject) => {
    const next = (query: IDBKeyRange): void => {
      const done = (keys: RecordKey[], values: Uint8Array[]): void => {
        try {
          onChunk(keys, values);
        } catch (error) {
          reject(error);
          return;
        }
        if (keys.length < SCAN_CHUNK) resolve();
        else next(IDBKeyRange.bound(keys[keys.length - 1]!, upper, true, range.upperOpen));
      };
      if (typeof native.getAllRecords === 'function') {
        const request = native.getAllRecords({ query, count: SCAN_CHUNK });
        request.onsuccess = () => {
          const records = request.result;
          done(
            records.map((r) => r.primaryKey as RecordKey),
            records.map((r) => r.value as Uint8Array),
          );
        };
        request.onerror = () => reject(request.error);
      } else {
        const keys = store.getAllKeys(query, SCAN_CHUNK);
        const values = store.getAll(query, SCAN_CHUNK);
        keys.onerror = () => reject(keys.error);
        values.onerror = () => reject(values.error);
        // Requests of one transaction complete in order: the values come last.
        values.onsuccess = () => done(keys.result as RecordKey[], values.result as Uint8Array[]);
      }
    };
    next(range);
  });
}

/** The name blocks of a key range of the `names` store. */
async function blocksOf(names: IDBPObjectStore<Schema, ArrayLike<StoreNames<Schema>>, 'names'>, range: IDBKeyRange): Promise<[string, Uint8Array][]> {
  const [keys, blocks] = await Promise.all([names.getAllKeys(range), names.getAll(range)]);
  return keys.map((k, i) => [k[1], blocks[i]!]);
}

export interface StoredVault {
  header: Uint8Array | undefined;
  /** The vault's name blocks (none when the records were read). */
  blocks: [blockId: string, envelope: Uint8Array][];
  /** The ids of the vault's tags (when the records were read, `onRecords` had them). */
  tagIds: string[];
}

/** Everything one `commit` writes, in one transaction. */
export interface WriteBatch {
  tags: [RecordKey, Uint8Array][];
  deleteTags: RecordKey[];
  names: [RecordKey, Uint8Array][];
  deleteNames: RecordKey[];
  headers: [vaultId: string, envelope: Uint8Array][];
  /** Vaults whose every record (names, values, header) is removed. */
  dropVaults: string[];
  profiles: [profileId: string, record: ProfileRecord][];
  deleteProfiles: string[];
}

export function emptyBatch(): WriteBatch {
  return { tags: [], deleteTags: [], names: [], deleteNames: [], headers: [], dropVaults: [], profiles: [], deleteProfiles: [] };
}

export class Store {
  readonly directory: string;
  #db: Promise<IDBPDatabase<Schema>> | undefined;

  constructor(directory: string) {
    this.directory = directory;
  }

  #open(): Promise<IDBPDatabase<Schema>> {
    if (!this.#db) {
      const opening = openDB<Schema>(this.directory, SCHEMA_VERSION, {
        upgrade(db) {
          for (const name of STORES) if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
        },
        blocking: () => {
          // Another tab wants to upgrade or delete this database: let it, and reopen on next use.
          void this.close();
        },
        terminated: () => {
          this.#db = undefined;
        },
      });
      this.#db = opening.catch((error: unknown) => {
        this.#db = undefined;
        throw storageError(error, `opening IndexedDB database "${this.directory}"`);
      });
    }
    return this.#db;
  }

  /** Runs `fn` on the open database; a failure becomes a StorageError saying what was being done. */
  async #use<T>(doing: string, fn: (db: IDBPDatabase<Schema>) => Promise<T>): Promise<T> {
    const db = await this.#open();
    try {
      return await fn(db);
    } catch (error) {
      throw storageError(error, doing);
    }
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (db) (await db.catch(() => undefined))?.close();
  }

  /**
   * A vault's header and tag ids, read in one transaction, and either its name blocks or (with
   * `onRecords`) its tag records, handed over a chunk at a time (tag ids and envelopes,
   * index-aligned) as they come.
   */
  async readVault(vaultId: string, onRecords?: (tagIds: string[], envelopes: Uint8Array[]) => void): Promise<StoredVault> {
    return this.#use('reading a vault', async (db) => {
      const tx = db.transaction(['headers', 'names', 'tags'], 'readonly');
      const range = vaultRange(vaultId);
      const tags = tx.objectStore('tags');
      const tagIds: string[] = [];
      const [header, blocks] = await Promise.all([
        tx.objectStore('headers').get(vaultId),
        onRecords ? [] : blocksOf(tx.objectStore('names'), range),
        onRecords
          ? scan(unwrap(tags), range, (keys, envelopes) => {
              const ids = keys.map((k) => k[1]);
              for (const id of ids) tagIds.push(id);
              // A stored `undefined` is a record (corrupt), not a missing one.
              onRecords(
                ids,
                envelopes.map((e) => e ?? NOT_AN_ENVELOPE),
              );
            })
          : tags.getAllKeys(range).then((keys) => {
              for (const k of keys) tagIds.push(k[1]);
            }),
        tx.done,
      ]);
      return { header, blocks, tagIds };
    });
  }

  /**
   * Every record (tags, name blocks, header) of some vaults, in one read transaction: a
   * consistent snapshot of what is saved (a backup's). Keys in store order, as `[store, vaultId,
   * id, value]` (id '' for a header).
   */
  async readVaultRecords(vaultIds: string[]): Promise<{ store: 'tags' | 'names' | 'headers'; vaultId: string; id: string; value: Uint8Array }[]> {
    return this.#use('reading vaults', async (db) => {
      const tx = db.transaction(['headers', 'names', 'tags'], 'readonly');
      const out: { store: 'tags' | 'names' | 'headers'; vaultId: string; id: string; value: Uint8Array }[] = [];
      const reads = vaultIds.flatMap((vaultId) => [
        tx
          .objectStore('headers')
          .get(vaultId)
          .then((value) => value && out.push({ store: 'headers', vaultId, id: '', value })),
        ...(['names', 'tags'] as const).map(async (name) => {
          const store = tx.objectStore(name);
          const [keys, values] = await Promise.all([store.getAllKeys(vaultRange(vaultId)), store.getAll(vaultRange(vaultId))]);
          keys.forEach((key, i) => {
            out.push({ store: name, vaultId, id: key[1], value: values[i] ?? NOT_AN_ENVELOPE });
          });
        }),
      ]);
      await Promise.all([...reads, tx.done]);
      return out;
    });
  }

  /** Whether any record (tag, name block or header) is stored under one of these vault ids. */
  async holdsAny(vaultIds: string[]): Promise<boolean> {
    return this.#use('reading vaults', async (db) => {
      const tx = db.transaction(['headers', 'names', 'tags'], 'readonly');
      const counts = await Promise.all(
        vaultIds.flatMap((id) => [
          tx.objectStore('headers').count(id),
          tx.objectStore('names').count(vaultRange(id)),
          tx.objectStore('tags').count(vaultRange(id)),
        ]),
      );
      await tx.done;
      return counts.some((n) => n > 0);
    });
  }

  /** All the name blocks of a vault. */
  async allBlocks(vaultId: string): Promise<[blockId: string, envelope: Uint8Array][]> {
    return this.#use('reading name blocks', (db) => blocksOf(db.transaction('names', 'readonly').store, vaultRange(vaultId)));
  }

  /** The records of some tags of a vault (missing ones are undefined). */
  async readTags(vaultId: string, tagIds: string[]): Promise<(Uint8Array | undefined)[]> {
    return this.#use('reading tags', async (db) => {
      const tx = db.transaction('tags', 'readonly');
      const out = await Promise.all(
        tagIds.map(async (id) => {
          const value = await tx.store.get([vaultId, id]);
          if (value !== undefined) return value;
          // No record, or one whose stored value is `undefined` (which no save writes): corrupt.
          return (await tx.store.getKey([vaultId, id])) === undefined ? undefined : NOT_AN_ENVELOPE;
        }),
      );
      await tx.done;
      return out;
    });
  }

  /** Which of `tagIds` have a record in the vault. */
  async hasTags(vaultId: string, tagIds: string[]): Promise<boolean[]> {
    return this.#use('reading tags', async (db) => {
      const tx = db.transaction('tags', 'readonly');
      const out = await Promise.all(tagIds.map((id) => tx.store.getKey([vaultId, id])));
      await tx.done;
      return out.map((k) => k !== undefined);
    });
  }

  /** The tag ids stored under each of some vaults (one read transaction, keys only). */
  async tagIds(vaultIds: string[]): Promise<Map<string, string[]>> {
    return this.#use('reading tags', async (db) => {
      const tx = db.transaction('tags', 'readonly');
      const keys = await Promise.all(vaultIds.map((id) => tx.store.getAllKeys(vaultRange(id))));
      await tx.done;
      return new Map(vaultIds.map((id, i) => [id, keys[i]!.map((k) => k[1])]));
    });
  }

  /** The ids of a vault's name blocks. */
  async blockIds(vaultId: string): Promise<string[]> {
    return this.#use('reading name blocks', async (db) => (await db.getAllKeys('names', vaultRange(vaultId))).map((k) => k[1]));
  }

  /** Some name blocks of a vault (missing ones are undefined). */
  async readBlocks(vaultId: string, ids: string[]): Promise<(Uint8Array | undefined)[]> {
    return this.#use('reading name blocks', async (db) => {
      const tx = db.transaction('names', 'readonly');
      const out = await Promise.all(ids.map((id) => tx.store.get([vaultId, id])));
      await tx.done;
      return out;
    });
  }

  async readHeaders(vaultIds: string[]): Promise<(Uint8Array | undefined)[]> {
    return this.#use('reading vault headers', async (db) => {
      const tx = db.transaction('headers', 'readonly');
      const out = await Promise.all(vaultIds.map((id) => tx.store.get(id)));
      await tx.done;
      return out;
    });
  }

  /**
   * A stored profile, as stored (unchecked: format/profile-record.ts parses it), or undefined when
   * no record has this key. A record whose value is `null`, `0` or `undefined` exists.
   */
  async readProfile(profileId: string): Promise<{ stored: unknown } | undefined> {
    return this.#use('reading a profile', async (db) => {
      const tx = db.transaction('profiles', 'readonly');
      const [key, stored] = await Promise.all([tx.store.getKey(profileId), tx.store.get(profileId), tx.done]);
      return key === undefined ? undefined : { stored };
    });
  }

  /**
   * Writes a whole batch in one readwrite transaction: all of it, or nothing (whatever the
   * durability: that only decides whether the browser flushes to disk before it reports success).
   */
  async write(batch: WriteBatch, durability: IDBTransactionDurability = 'strict'): Promise<void> {
    return this.#use('writing to IndexedDB', async (db) => {
      const tx = db.transaction(STORES, 'readwrite', { durability });
      // The native stores: a request per record without a promise per request (a failed request
      // aborts the transaction, and tx.done rejects with its cause).
      const tags = unwrap(tx.objectStore('tags'));
      const names = unwrap(tx.objectStore('names'));
      const headers = unwrap(tx.objectStore('headers'));
      const profiles = unwrap(tx.objectStore('profiles'));
      try {
        for (const id of batch.dropVaults) {
          tags.delete(vaultRange(id));
          names.delete(vaultRange(id));
          headers.delete(id);
        }
        for (const key of batch.deleteTags) tags.delete(key);
        for (const key of batch.deleteNames) names.delete(key);
        for (const [key, env] of batch.tags) tags.put(env, key);
        for (const [key, env] of batch.names) names.put(env, key);
        for (const [id, env] of batch.headers) headers.put(env, id);
        for (const id of batch.deleteProfiles) profiles.delete(id);
        for (const [id, record] of batch.profiles) profiles.put(record, id);
      } catch (error) {
        // A request refused at once (a bad key, an uncloneable value): write none of the batch.
        tx.done.catch(() => undefined);
        tx.abort();
        throw error;
      }
      await tx.done;
    });
  }

  /** Every raw record of the directory, for inspection (the demo's "under the hood" view, tests). */
  async dump(): Promise<RawRecord[]> {
    const db = await this.#open();
    const out: RawRecord[] = [];
    const tx = db.transaction(STORES, 'readonly');
    for (const name of STORES) {
      const store = tx.objectStore(name);
      const [keys, vals] = await Promise.all([store.getAllKeys(), store.getAll()]);
      keys.forEach((key, i) => {
        out.push({ store: name, key, value: vals[i] });
      });
    }
    await tx.done;
    return out;
  }
}
