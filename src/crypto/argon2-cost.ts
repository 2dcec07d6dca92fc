// Argon2 cost bounds, apart from the Argon2 code itself so the main thread can validate settings
// without loading the wasm.
import { anInteger } from '../assert';

/** Argon2's minimum memory is 8 KiB per lane (RFC 9106 §3.1). */
export const MIN_MEMORY_KIB = 8;
/** The most memory we will ever ask for: 1 GiB. A hostile stored setting cannot freeze the tab. */
export const MAX_MEMORY_KIB = 1024 * 1024;
export const MIN_ITERATIONS = 1;
/** The most passes we will ever run. */
export const MAX_ITERATIONS = 64;

/** Checks memory and passes against Argon2's minimums and our caps, naming the arguments. */
export function checkArgon2Cost(memoryKiB: unknown, iterations: unknown, names: { memory: string; iterations: string }): void {
  anInteger(memoryKiB, names.memory, MIN_MEMORY_KIB, MAX_MEMORY_KIB);
  anInteger(iterations, names.iterations, MIN_ITERATIONS, MAX_ITERATIONS);
}
