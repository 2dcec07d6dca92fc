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

/** Raw Argon2id (version 0x13). */
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
  return new Uint8Array(out);
}
