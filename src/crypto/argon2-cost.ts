// Argon2 cost bounds, apart from the Argon2 code itself so the main thread can validate settings
// without loading the wasm.
import { anInteger } from '../assert';

/** Argon2's minimum memory is 8 KiB per lane (RFC 9106 §3.1). */
export const MIN_MEMORY_KIB = 8;
/** The most memory we will ever ask for: 1 GiB, so a hostile stored setting costs at most this (and {@link MAX_ITERATIONS} passes). */
export const MAX_MEMORY_KIB = 1024 * 1024;
export const MIN_ITERATIONS = 1;
/**
 * The floor for every password-derived key tagvault stores (profiles now; password slots and
 * backup passphrases too): OWASP's Argon2id minimum, 19 MiB and 2 passes. Tests may go below it
 * only through `unsafeLowCostsForTests`; `passcrypt()` keeps Argon2's own minimums.
 */
export const STORED_KEY_MIN_MEMORY_KIB = 19 * 1024;
/** The floor on passes of a stored password-derived key (see {@link STORED_KEY_MIN_MEMORY_KIB}). */
export const STORED_KEY_MIN_ITERATIONS = 2;
/** The most passes we will ever run. */
export const MAX_ITERATIONS = 64;

/** Checks memory and passes against Argon2's minimums and our caps, naming the arguments. */
export function checkArgon2Cost(memoryKiB: unknown, iterations: unknown, names: { memory: string; iterations: string }): void {
  anInteger(memoryKiB, names.memory, MIN_MEMORY_KIB, MAX_MEMORY_KIB);
  anInteger(iterations, names.iterations, MIN_ITERATIONS, MAX_ITERATIONS);
}
