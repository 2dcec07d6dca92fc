// Helpers for the reliability suite: stress scaling, a seeded PRNG, raw IndexedDB access (to
// tamper with stored records the way an attacker with the device's storage would), byte-exact
// snapshots, and the one-line figures each test prints.
import { expect } from 'vitest';
import type { Database } from '../../src/index';

/**
 * True under `npm run stress`. Browser-mode tests do not see `process.env`: Vite exposes only
 * variables prefixed `VITE_` on `import.meta.env`. `STRESS=1` alone therefore does not reach
 * this code; `VITE_STRESS=1` does (the stress script should set both, or the config can
 * `define` `import.meta.env.STRESS`).
 */
export const STRESS: boolean = ['1', 'true'].includes(String(import.meta.env.VITE_STRESS ?? import.meta.env.STRESS ?? ''));

/** `quick` in the normal run, `stress` under `npm run stress`. */
export function scale(quick: number, stress: number): number {
  return STRESS ? stress : quick;
}

/** Per-test timeout: the config's 60 s in the normal run, much longer under stress. */
export const TIMEOUT = scale(60_000, 1_800_000);

/**
 * The seed of a test's PRNG: fixed in the normal run (reproducible), fresh under stress (more
 * ground covered). Printed in every figure line so a failure can be replayed.
 */
export function seedFor(fixed: number): number {
  const fromEnv = Number(import.meta.env.VITE_SEED);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return STRESS ? crypto.getRandomValues(new Uint32Array(1))[0]! : fixed;
}

export { Rng } from '../rng';

/** Prints one line of figures, e.g. `[figures] tampering.bitflip trials=400 detected=400 accepted=0`. */
export function figure(name: string, counts: Record<string, number | string>): void {
  const parts = Object.entries(counts).map(([k, v]) => `${k}=${v}`);
  console.log(`[figures] ${name} ${parts.join(' ')}${STRESS ? ' (stress)' : ''}`);
}

export { freshDirectory, freshVault } from '../helpers';

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

function openRaw(directory: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(directory);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Every raw record of a directory, read straight from IndexedDB (not through tagvault). */
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
      keys.forEach((key, i) => out.push({ store: name, key, value: values[i] }));
    }
    return out;
  } finally {
    db.close();
  }
}

/** A snapshot of a directory that compares byte for byte. */
export async function snapshot(directory: string): Promise<string> {
  const records = await rawDirectory(directory);
  return JSON.stringify(records, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes:${Array.from(v).join(',')}` : v));
}

/** Applies raw puts and deletes to a directory in one transaction (to tamper with it). */
export async function rawWrite(
  directory: string,
  ops: ({ put: RawRecord } | { del: { store: string; key: IDBValidKey } })[],
): Promise<void> {
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

export function keyOf(r: { store: string; key: IDBValidKey }): string {
  return `${r.store}:${JSON.stringify(r.key)}`;
}

/**
 * A comparable view of a database's cache: tags (sorted) → values, a tag whose value fails to
 * read → `"<ErrorName>"`. A Map, so tags like `"__proto__"` are plain keys.
 */
export function view(db: Database): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const tag of [...db.tags].sort()) {
    try {
      out.set(tag, db.get(tag));
    } catch (e) {
      out.set(tag, `<${(e as Error).name}>`);
    }
  }
  return out;
}

/**
 * Calls `fn` and returns what it threw (sync or async). Fails the test when it does not throw.
 */
export async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  expect.fail('expected the call to throw');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
