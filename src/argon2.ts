// Argon2id from hash-wasm, with bounds. hash-wasm runs lanes one after another in wasm, so we
// use parallelism 1; it has no associated-data input, and we do not pretend it has.
import { argon2id as wasmArgon2id } from 'hash-wasm';
import { anInteger } from './assert';

/** Argon2's minimum memory is 8 KiB per lane (RFC 9106 §3.1). */
export const MIN_MEMORY_KIB = 8;
/** The most memory we will ever ask for: 1 GiB. A hostile stored setting cannot freeze the tab. */
export const MAX_MEMORY_KIB = 1024 * 1024;
export const MIN_ITERATIONS = 1;
/** The most passes we will ever run. */
export const MAX_ITERATIONS = 64;

export interface Argon2Params {
  password: Uint8Array;
  salt: Uint8Array;
  secret?: Uint8Array;
  memoryKiB: number;
  iterations: number;
  parallelism?: number;
  hashLength: number;
}

/** Checks memory and passes against Argon2's minimums and our caps, naming the arguments. */
export function checkArgon2Cost(memoryKiB: unknown, iterations: unknown, names: { memory: string; iterations: string }): void {
  anInteger(memoryKiB, names.memory, MIN_MEMORY_KIB, MAX_MEMORY_KIB);
  anInteger(iterations, names.iterations, MIN_ITERATIONS, MAX_ITERATIONS);
}

/** Raw Argon2id (version 0x13). */
export async function argon2id(params: Argon2Params): Promise<Uint8Array<ArrayBuffer>> {
  checkArgon2Cost(params.memoryKiB, params.iterations, { memory: 'memoryKiB', iterations: 'iterations' });
  if (params.salt.length < 8) throw new RangeError('Argon2 salt must be at least 8 bytes');
  const out = await wasmArgon2id({
    password: params.password,
    salt: params.salt,
    ...(params.secret ? { secret: params.secret } : {}),
    memorySize: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism ?? 1,
    hashLength: params.hashLength,
    outputType: 'binary',
  });
  return new Uint8Array(out);
}
