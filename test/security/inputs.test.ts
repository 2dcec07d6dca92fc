// Findings of a security review about the public boundary, each kept as a regression test: what
// an argument, a ciphertext or an error message may carry, and what is refused. Real browsers,
// real vaults, no mocks.
import { describe, expect, test } from 'vitest';
import { lengthPrefixed, utf8 } from '../../src/bytes';
import { openEnvelope, SubkeyCache, sealEnvelope } from '../../src/crypto/envelope';
import { XaesKey } from '../../src/crypto/xaes';
import { Database, FutureTimestampError, Keys, TagvaultError, TimeoutError } from '../../src/index';

/** What `fn` threw (sync or async); fails the test when it does not throw. */
async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  return expect.fail('expected the call to throw');
}

// ---- 2. A ciphertext dated in the future passed any ttl -------------------------------------

/** Ciphertexts sealed under `key` in a worker whose clock runs `aheadMs` ahead (one per entry). */
async function sealedAhead(key: Uint8Array, aheadMs: number[]): Promise<{ json: string[]; bytes: Uint8Array[]; sealedAt: number }> {
  const worker = new Worker(new URL('./fixtures/clock-ahead.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({ key, aheadMs });
    });
  } finally {
    worker.terminate();
  }
}

describe('2. a ciphertext dated in the future', () => {
  test('sealed 10 minutes ahead: any ttl refuses it with FutureTimestampError (.value = seconds ahead), across the worker', async () => {
    const key = Keys.csprng();
    const { json, bytes, sealedAt } = await sealedAhead(key, [600_000]);
    const db = await Database.open(key, { directory: `future-${crypto.randomUUID()}` });
    for (const call of [() => db.jsonDecrypt(json[0]!, { filename: 'f', ttl: 3600 }), () => db.bytesDecrypt(bytes[0]!, { ttl: 3600 })]) {
      const error = await thrown(call);
      expect(error).toBeInstanceOf(FutureTimestampError);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toBeInstanceOf(TagvaultError);
      expect(error.name).toBe('FutureTimestampError');
      const value = (error as FutureTimestampError).value;
      const elapsed = Math.ceil((Date.now() - sealedAt) / 1000);
      expect(value).toBeLessThanOrEqual(600);
      expect(value).toBeGreaterThanOrEqual(599 - elapsed);
      expect(error.message).toContain(`${value}`);
    }
    // Without a ttl there is no clock to check against: it opens.
    expect(await db.jsonDecrypt(json[0]!, { filename: 'f' })).toEqual({ sealed: 'ahead' });
    expect(await db.bytesDecrypt(bytes[0]!)).toEqual(new Uint8Array([1, 2, 3]));
    await db.deleteDatabase();
  });

  test('sealed 30 s ahead (a clock a little fast): within the 60 s allowance, it opens under a ttl', async () => {
    const key = Keys.csprng();
    const { json } = await sealedAhead(key, [30_000]);
    const db = await Database.open(key, { directory: `future-${crypto.randomUUID()}` });
    expect(await db.jsonDecrypt(json[0]!, { filename: 'f', ttl: 1 })).toEqual({ sealed: 'ahead' });
    await db.deleteDatabase();
  });

  test('openEnvelope: 60 s ahead passes, 61 s ahead is FutureTimestampError.value 61; a forged one stays AuthenticationError', async () => {
    const key = await XaesKey.fromRaw(crypto.getRandomValues(new Uint8Array(32)));
    const sub = await key.subkey(crypto.getRandomValues(new Uint8Array(12)));
    const cache = new SubkeyCache(key);
    const ctx = lengthPrefixed('ctx');
    const now = Date.now();
    const atLimit = await sealEnvelope(sub, utf8('x'), ctx, now + 60_000);
    await expect(openEnvelope(cache, atLimit, ctx, 5, now)).resolves.toBeTruthy();
    const beyond = await sealEnvelope(sub, utf8('x'), ctx, now + 61_000);
    const error = await thrown(() => openEnvelope(cache, beyond, ctx, 5, now));
    expect(error).toBeInstanceOf(FutureTimestampError);
    expect((error as FutureTimestampError).value).toBe(61);
    // Without a ttl the timestamp is not checked.
    await expect(openEnvelope(cache, beyond, ctx, undefined, now)).resolves.toBeTruthy();
    const forged = beyond.slice();
    forged[2]! ^= 1;
    expect((await thrown(() => openEnvelope(cache, forged, ctx, 5, now))).name).toBe('AuthenticationError');
  });
});
