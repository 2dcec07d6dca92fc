// Shared helpers for the browser tests.
import { Database, Keys, type OpenOptions } from '../src/index';

/** A fresh IndexedDB database name, so tests never see each other's data. */
export function freshDirectory(prefix = 'test'): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/** A vault with a new key in a fresh directory. */
export async function freshVault(options: OpenOptions = {}): Promise<{ db: Database; key: Uint8Array; directory: string }> {
  const key = Keys.csprng();
  const directory = options.directory ?? freshDirectory();
  const db = await Database.open(key, { ...options, directory });
  return { db, key, directory };
}

/** Every raw record of a directory, read straight from IndexedDB (not through tagvault). */
export async function rawDirectory(directory: string): Promise<{ store: string; key: IDBValidKey; value: unknown }[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(directory);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const out: { store: string; key: IDBValidKey; value: unknown }[] = [];
  for (const name of Array.from(db.objectStoreNames)) {
    const tx = db.transaction(name, 'readonly');
    const store = tx.objectStore(name);
    const [keys, values] = await Promise.all([
      new Promise<IDBValidKey[]>((res, rej) => {
        const r = store.getAllKeys();
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      }),
      new Promise<unknown[]>((res, rej) => {
        const r = store.getAll();
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      }),
    ]);
    keys.forEach((key, i) => out.push({ store: name, key, value: values[i] }));
  }
  db.close();
  return out;
}

/** A snapshot of a directory that compares byte for byte. */
export async function snapshot(directory: string): Promise<string> {
  const records = await rawDirectory(directory);
  return JSON.stringify(records, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes:${Array.from(v).join(',')}` : v));
}

/** Writes a raw record straight into IndexedDB (to tamper with stored data). */
export async function putRaw(directory: string, store: string, key: IDBValidKey, value: unknown): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(directory);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(store, 'readwrite');
    tx.objectStore(store).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
