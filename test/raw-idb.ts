// Raw IndexedDB access for the tests, without tagvault: reading a directory's records, byte-exact
// snapshots, and writing records straight into storage (to tamper with them the way an attacker
// with the device's storage would). Plain DOM code: the browser tests (test/helpers.ts,
// test/reliability/helpers.ts) and the e2e fixture page (e2e/fixtures/reliability.ts) share it.

export interface RawRecord {
  store: string;
  key: IDBValidKey;
  value: unknown;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Resolves when a transaction commits; rejects when it fails or aborts. */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Opens the IndexedDB database of a directory (creating it, empty, when it does not exist). */
function openRaw(directory: string): Promise<IDBDatabase> {
  return request(indexedDB.open(directory));
}

/** Every raw record of a directory, read straight from IndexedDB in one transaction (not through tagvault). */
export async function rawDirectory(directory: string): Promise<RawRecord[]> {
  const db = await openRaw(directory);
  try {
    const out: RawRecord[] = [];
    const names = Array.from(db.objectStoreNames);
    if (names.length === 0) return out;
    const tx = db.transaction(names, 'readonly');
    for (const name of names) {
      const store = tx.objectStore(name);
      const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
      keys.forEach((key, i) => {
        out.push({ store: name, key, value: values[i] });
      });
    }
    return out;
  } finally {
    db.close();
  }
}

/** Records serialised so that two serialisations are equal exactly when the records are, byte for byte. */
export function serialise(records: RawRecord[]): string {
  return JSON.stringify(records, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes:${Array.from(v).join(',')}` : v));
}

/** Two raw values are the same: byte arrays byte for byte, anything else by its JSON. */
export function sameBytes(a: unknown, b: unknown): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) return JSON.stringify(a) === JSON.stringify(b);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A snapshot of a directory that compares byte for byte. */
export async function snapshot(directory: string): Promise<string> {
  return serialise(await rawDirectory(directory));
}

/**
 * How many records the IndexedDB database of `directory` holds, read raw; -1 when there is no such
 * database (it is not created).
 */
export async function rawCount(directory: string): Promise<number> {
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes(directory)) return -1;
  const db = await openRaw(directory);
  try {
    let count = 0;
    for (const name of Array.from(db.objectStoreNames)) count += await request(db.transaction(name).objectStore(name).count());
    return count;
  } finally {
    db.close();
  }
}

/** Applies raw puts and deletes to a directory in one transaction (to tamper with it). */
export async function rawWrite(directory: string, ops: ({ put: RawRecord } | { del: { store: string; key: IDBValidKey } })[]): Promise<void> {
  if (ops.length === 0) return;
  const db = await openRaw(directory);
  try {
    const stores = [...new Set(ops.map((op) => ('put' in op ? op.put.store : op.del.store)))];
    const tx = db.transaction(stores, 'readwrite');
    for (const op of ops) {
      if ('put' in op) tx.objectStore(op.put.store).put(op.put.value, op.put.key);
      else tx.objectStore(op.del.store).delete(op.del.key);
    }
    await committed(tx);
  } finally {
    db.close();
  }
}

/** Replaces the whole content of a directory with `records` (a whole-directory rollback). */
export async function rawRestore(directory: string, records: RawRecord[]): Promise<void> {
  const db = await openRaw(directory);
  try {
    const names = Array.from(db.objectStoreNames);
    const tx = db.transaction(names, 'readwrite');
    for (const name of names) tx.objectStore(name).clear();
    for (const r of records) tx.objectStore(r.store).put(r.value, r.key);
    await committed(tx);
  } finally {
    db.close();
  }
}
