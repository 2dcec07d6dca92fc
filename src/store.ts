// IndexedDB storage through idb. One IndexedDB database per directory, with a fixed schema, so
// opening a new vault or metatag never needs a version upgrade (upgrades block on other tabs).
//
//   names    [vaultId, tagId] → envelope of the tag's name
//   values   [vaultId, tagId] → envelope of the tag's JSON value
//   headers  vaultId          → envelope of the vault's header (format version, metatag names)
//   profiles profileId        → a profile's secret salt, KDF settings and wrapped root key
//
// Names and values are separate stores so a vault opened with `preload: false` reads only names.
// Never await anything but IndexedDB inside a transaction: it auto-commits when idle.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { storageError } from './errors';

export type RecordKey = [vaultId: string, tagId: string];

export interface ProfileRecord {
  version: 1;
  /** 32 random bytes, stored on this device only: with the tokens, the Argon2id salt. */
  secretSalt: Uint8Array;
  memoryKiB: number;
  iterations: number;
  /** The vault's 64-byte root key, sealed under the password-derived key. */
  wrapped: Uint8Array;
}

interface Schema extends DBSchema {
  names: { key: RecordKey; value: Uint8Array };
  values: { key: RecordKey; value: Uint8Array };
  headers: { key: string; value: Uint8Array };
  profiles: { key: string; value: ProfileRecord };
}

const STORES = ['names', 'values', 'headers', 'profiles'] as const;
const SCHEMA_VERSION = 1;

/** Every key of one vault in `names`/`values`: arrays sort after strings, so [id, []] is past all [id, tagId]. */
function vaultRange(vaultId: string): IDBKeyRange {
  return IDBKeyRange.bound([vaultId], [vaultId, []]);
}

export interface StoredVault {
  header: Uint8Array | undefined;
  names: [tagId: string, envelope: Uint8Array][];
  /** Only when values were asked for. */
  values: Map<string, Uint8Array> | undefined;
}

/** Everything one `commit` writes, in one transaction. */
export interface WriteBatch {
  names: [RecordKey, Uint8Array][];
  values: [RecordKey, Uint8Array][];
  deleteTags: RecordKey[];
  headers: [vaultId: string, envelope: Uint8Array][];
  /** Vaults whose every record (names, values, header) is removed. */
  dropVaults: string[];
  profiles: [profileId: string, record: ProfileRecord][];
  deleteProfiles: string[];
}

export function emptyBatch(): WriteBatch {
  return { names: [], values: [], deleteTags: [], headers: [], dropVaults: [], profiles: [], deleteProfiles: [] };
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

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (db) (await db.catch(() => undefined))?.close();
  }

  /** A vault's header, names and (optionally) values, read in one transaction. */
  async readVault(vaultId: string, withValues: boolean): Promise<StoredVault> {
    const db = await this.#open();
    try {
      const tx = db.transaction(withValues ? ['headers', 'names', 'values'] : ['headers', 'names'], 'readonly');
      const range = vaultRange(vaultId);
      const names = tx.objectStore('names');
      const [header, nameKeys, nameValues, valueKeys, valueValues] = await Promise.all([
        tx.objectStore('headers').get(vaultId),
        names.getAllKeys(range),
        names.getAll(range),
        withValues ? tx.objectStore('values').getAllKeys(range) : undefined,
        withValues ? tx.objectStore('values').getAll(range) : undefined,
        tx.done,
      ]);
      let values: Map<string, Uint8Array> | undefined;
      if (valueKeys && valueValues) {
        values = new Map();
        for (let i = 0; i < valueKeys.length; i++) values.set(valueKeys[i]![1], valueValues[i]!);
      }
      return { header, names: nameKeys.map((k, i) => [k[1], nameValues[i]!]), values };
    } catch (error) {
      throw storageError(error, 'reading a vault');
    }
  }

  /** Names and values of some tags of a vault (missing ones are undefined). */
  async readTags(vaultId: string, tagIds: string[]): Promise<{ name: Uint8Array | undefined; value: Uint8Array | undefined }[]> {
    const db = await this.#open();
    try {
      const tx = db.transaction(['names', 'values'], 'readonly');
      const names = tx.objectStore('names');
      const values = tx.objectStore('values');
      const out = await Promise.all(
        tagIds.map(async (id) => {
          const [name, value] = await Promise.all([names.get([vaultId, id]), values.get([vaultId, id])]);
          return { name, value };
        }),
      );
      await tx.done;
      return out;
    } catch (error) {
      throw storageError(error, 'reading tags');
    }
  }

  async readHeaders(vaultIds: string[]): Promise<(Uint8Array | undefined)[]> {
    const db = await this.#open();
    try {
      const tx = db.transaction('headers', 'readonly');
      const out = await Promise.all(vaultIds.map((id) => tx.store.get(id)));
      await tx.done;
      return out;
    } catch (error) {
      throw storageError(error, 'reading vault headers');
    }
  }

  async readProfile(profileId: string): Promise<ProfileRecord | undefined> {
    const db = await this.#open();
    try {
      return await db.get('profiles', profileId);
    } catch (error) {
      throw storageError(error, 'reading a profile');
    }
  }

  /**
   * Writes a whole batch in one readwrite transaction: all of it, or nothing (whatever the
   * durability: that only decides whether the browser flushes to disk before it reports success).
   */
  async write(batch: WriteBatch, durability: IDBTransactionDurability = 'strict'): Promise<void> {
    const db = await this.#open();
    try {
      const tx = db.transaction(STORES, 'readwrite', { durability });
      const names = tx.objectStore('names');
      const values = tx.objectStore('values');
      const headers = tx.objectStore('headers');
      const profiles = tx.objectStore('profiles');
      const pending: Promise<unknown>[] = [];
      for (const id of batch.dropVaults) {
        pending.push(names.delete(vaultRange(id)), values.delete(vaultRange(id)), headers.delete(id));
      }
      for (const key of batch.deleteTags) pending.push(names.delete(key), values.delete(key));
      for (const [key, env] of batch.names) pending.push(names.put(env, key));
      for (const [key, env] of batch.values) pending.push(values.put(env, key));
      for (const [id, env] of batch.headers) pending.push(headers.put(env, id));
      for (const id of batch.deleteProfiles) pending.push(profiles.delete(id));
      for (const [id, record] of batch.profiles) pending.push(profiles.put(record, id));
      // A failed request aborts the transaction; tx.done then rejects with the cause.
      await Promise.all([...pending.map((p) => p.catch(() => undefined)), tx.done]);
    } catch (error) {
      throw storageError(error, 'writing to IndexedDB');
    }
  }

  /** Every raw record of the directory, for inspection (the demo's "under the hood" view, tests). */
  async dump(): Promise<{ store: string; key: IDBValidKey; value: unknown }[]> {
    const db = await this.#open();
    const out: { store: string; key: IDBValidKey; value: unknown }[] = [];
    const tx = db.transaction(STORES, 'readonly');
    for (const name of STORES) {
      const store = tx.objectStore(name);
      const [keys, vals] = await Promise.all([store.getAllKeys(), store.getAll()]);
      keys.forEach((key, i) => out.push({ store: name, key, value: vals[i] }));
    }
    await tx.done;
    return out;
  }
}
