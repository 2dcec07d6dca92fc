// Shared helpers for the browser tests (test/reliability/helpers.ts re-exports them).
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

/** Raw IndexedDB access (reading, snapshots, tampering), shared with the reliability suite and the e2e fixture page. */
export * from './raw-idb';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
