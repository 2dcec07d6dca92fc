// Helpers for the reliability suite: stress scaling, a seeded PRNG, the one-line figures each
// test prints, and (re-exported from ../helpers.ts and ../raw-idb.ts) fresh directories, raw
// IndexedDB access to tamper with stored records, and byte-exact snapshots.
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

/** Everything of ../helpers.ts: fresh directories and vaults, raw IndexedDB access, snapshots, sleep. */
export * from '../helpers';

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
