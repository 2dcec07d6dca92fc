// The Argon2id baseline: raw hash-wasm in a bare module worker, no Comlink, no tagvault.
import { argon2id } from 'hash-wasm';

export interface Argon2Job {
  password: string;
  salt: string;
  memoryKiB: number;
  iterations: number;
}

self.onmessage = async (event: MessageEvent<Argon2Job>) => {
  const job = event.data;
  try {
    const hex = await argon2id({
      password: job.password,
      salt: job.salt,
      memorySize: job.memoryKiB,
      iterations: job.iterations,
      parallelism: 1,
      hashLength: 64,
      outputType: 'hex',
    });
    self.postMessage({ hex });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
