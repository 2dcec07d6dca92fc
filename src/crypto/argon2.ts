// Argon2id from hash-wasm. hash-wasm runs lanes one after another in wasm, so we use parallelism
// 1; it has no associated-data input, and we do not pretend it has. Costs are checked before they
// get here: at the public boundary (database/options.ts), and where a stored profile is read
// (engine/profiles.ts caps them, crypto/argon2-cost.ts).
import { argon2id as wasmArgon2id } from 'hash-wasm';

export interface Argon2Params {
  password: Uint8Array;
  salt: Uint8Array;
  secret?: Uint8Array;
  memoryKiB: number;
  iterations: number;
  parallelism?: number;
  hashLength: number;
}

/**
 * Raw Argon2id (version 0x13). The result is hash-wasm's own array, handed on, not copied: the
 * caller zero-fills it once used. hash-wasm's wasm memory (and what it computed on the way) is
 * not wiped: it is not ours to reach.
 */
export async function argon2id(params: Argon2Params): Promise<Uint8Array<ArrayBuffer>> {
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
  // hash-wasm returns an array of its own (a copy out of its wasm memory): pass it on as is,
  // rather than copy it and leave the original unwiped. Were it ever a view, copy and wipe it.
  if (out.buffer instanceof ArrayBuffer && out.byteOffset === 0 && out.byteLength === out.buffer.byteLength) return out as Uint8Array<ArrayBuffer>;
  const copy = new Uint8Array(out);
  out.fill(0);
  return copy;
}
