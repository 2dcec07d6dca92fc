// Findings of a security review about the public boundary, each kept as a regression test: what
// an argument, a ciphertext or an error message may carry, and what is refused. Real browsers,
// real vaults, no mocks.
import { describe, expect, test } from 'vitest';
import { fromBase64Url, lengthPrefixed, toBase64Url, utf8 } from '../../src/bytes';
import { openEnvelope, SubkeyCache, sealEnvelope } from '../../src/crypto/envelope';
import { XaesKey } from '../../src/crypto/xaes';
import { AuthenticationError, Database, FutureTimestampError, Keys, TagvaultError, TimeoutError, ValidationError } from '../../src/index';
import { freshVault } from '../helpers';

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

// ---- 5. Error messages carried content -------------------------------------------------------

describe('5. error messages name positions, never content', () => {
  const KEY = 'alice@example.com secret';
  const LEAKS = ['alice', 'example', 'secret', 'hunter2', 'deep'];
  const noLeak = (error: Error) => {
    for (const word of LEAKS) expect(error.message, error.message).not.toContain(word);
  };
  /** A value refused three levels down, under a secret-looking key (3rd of 3) and a key "deep". */
  const hostile = () => ({ a: 1, b: 2, [KEY]: [0, { deep: undefined }] });
  const POSITION = `value{key #3 of 3, ${KEY.length} chars}[1]{key #1 of 1, 4 chars} (depth 3) is undefined`;

  test("a refused value: the message gives the key's position and length and the depth, not the key", async () => {
    const { db } = await freshVault();
    const error = await thrown(() => db.set('t', hostile()));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).argument).toBe('value');
    noLeak(error);
    expect(error.message).toBe(`"value" is not JSON-serialisable: ${POSITION}`);
    // The same position from every method that takes JSON.
    const uuid = await db.uuids('c');
    for (const [argument, call] of [
      ['value', () => db.jsonEncrypt(hostile())],
      ['data', () => db.hmac(hostile())],
      ['data', () => db.testHmac(hostile(), '00'.repeat(32))],
      ['value', () => uuid(hostile())],
    ] as const) {
      const e = await thrown(call);
      expect((e as ValidationError).argument).toBe(argument);
      noLeak(e);
      expect(e.message).toContain(POSITION.replace(/^value/, argument));
    }
    await db.deleteDatabase();
  });

  test('a value made invalid after set(): save names the position, not the key', async () => {
    const { db } = await freshVault();
    const value: Record<string, unknown> = { ok: true };
    db.set('t', value);
    value['password=hunter2'] = 10n;
    const error = await thrown(() => db.save());
    expect(error).toBeInstanceOf(ValidationError);
    noLeak(error);
    expect(error.message).toContain('{key #2 of 2, 16 chars} (depth 1) is a bigint');
    await db.deleteDatabase();
  });

  test('array indices are kept, and a deep path is shortened with its depth', async () => {
    const { db } = await freshVault();
    let v: unknown = [undefined];
    for (let i = 0; i < 20; i++) v = i % 2 ? [0, v] : { [`secret${i}`]: v };
    const error = await thrown(() => db.set('t', v));
    noLeak(error);
    expect(error.message).toContain('[1]');
    expect(error.message).toContain('(depth 21) is undefined');
    await db.deleteDatabase();
  });

  test('a number where a string (a tag, a password, a key) was expected: "a number", not its digits', async () => {
    const { db } = await freshVault();
    for (const call of [
      () => db.set(314159265 as never, 1),
      () => db.metatag(314159265 as never),
      () => Database.generateProfileTokens({ username: 'u', password: 314159265 as never }),
      () => Database.generateProfileTokens(314159265 as never, { username: 'u', password: 'p' }),
      () => Database.open(314159265 as never),
      () => db.jsonEncrypt(1, { filename: 314159265 as never }),
      () => db.passcrypt(314159265 as never, 'salt1234'),
    ]) {
      const error = await thrown(call);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).not.toContain('314159265');
      expect(error.message).toContain('got a number');
    }
    // A misspelt option is named; data passed where options go is not.
    expect((await thrown(() => db.jsonEncrypt(1, { fileName: 'x' } as never))).message).toContain('"options.fileName"');
    const misplaced = await thrown(() => db.jsonEncrypt(1, { filename: 'x', [KEY]: 1 } as never));
    expect((misplaced as ValidationError).argument).toBe(`options{key #2 of 2, ${KEY.length} chars}`);
    noLeak(misplaced);
    // Numeric options are settings, not content: their value is still shown.
    expect((await thrown(() => db.uuids('c', { size: 65 }))).message).toContain('got the number 65');
    await db.deleteDatabase();
  });
});

// ---- 7. UUIDs down to 32 bits ----------------------------------------------------------------

describe('7. keyed UUIDs of at least 96 bits', () => {
  test('size below 24 hex characters is refused naming options.size; 24 to 64 work', async () => {
    const { db } = await freshVault();
    for (const size of [8, 16, 20, 23]) {
      const error = await thrown(() => db.uuids('c', { size }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).argument).toBe('options.size');
      expect(error.message).toContain('from 24 to 64');
    }
    for (const size of [24, 32, 64]) {
      const u = await db.uuids('c', { size });
      expect(await u('value')).toMatch(new RegExp(`^[0-9a-f]{${size}}$`));
    }
    await db.deleteDatabase();
  });
});

// ---- 9a. Non-canonical base64 ----------------------------------------------------------------

/** `text` with one of the unused low bits of its last character set (the same bytes, before). */
function flipUnusedBit(text: string): string {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = ALPHABET.indexOf(text.at(-1)!);
  return text.slice(0, -1) + ALPHABET[last ^ 1];
}

describe('9a. only canonical url-safe base64 decodes', () => {
  test('fromBase64Url: unused bits must be zero, no padding, no length ≡ 1 (mod 4)', () => {
    expect(fromBase64Url('AA')).toEqual(new Uint8Array([0]));
    expect(fromBase64Url('AAA')).toEqual(new Uint8Array([0, 0]));
    expect(fromBase64Url('')).toEqual(new Uint8Array(0));
    for (const text of ['AB', 'AP', 'AAB', 'AAD', 'AA=', 'AA==', 'AAA=', 'A', 'AAAAA', 'AA AA', 'A+/A', 'AA=A']) {
      expect(fromBase64Url(text), text).toBeUndefined();
    }
    // Every canonical text still decodes, at every length of the last group.
    for (let length = 0; length < 40; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = toBase64Url(bytes);
      expect(fromBase64Url(text)).toEqual(bytes);
      if (length % 3) expect(fromBase64Url(flipUnusedBit(text)), `length ${length}`).toBeUndefined();
    }
  });

  test('a text ciphertext with an unused bit set is altered: it does not decrypt', async () => {
    const { db } = await freshVault();
    // 49 bytes of envelope + 4 of JSON ("ab"): 53 bytes, 2 unused bits in the last character.
    const ct = await db.jsonEncrypt('ab');
    expect(ct.length % 4).not.toBe(0);
    expect(await db.jsonDecrypt(ct)).toBe('ab');
    await expect(db.jsonDecrypt(flipUnusedBit(ct))).rejects.toBeInstanceOf(AuthenticationError);
    await db.deleteDatabase();
  });

  test('Database.base64Decode: standard or url-safe, with or without padding, canonical only', () => {
    expect(Database.base64Decode('-_8')).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(Database.base64Decode('+/8')).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(Database.base64Decode('+/8=')).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(Database.base64Decode('AA==')).toEqual(new Uint8Array([0]));
    expect(Database.base64Decode(btoa('fash smasher'))).toEqual(utf8('fash smasher'));
    for (const text of ['AB', 'AB==', 'AA=', 'AA===', 'A===', '+/9', 'AAAA=', '=']) {
      expect(() => Database.base64Decode(text), text).toThrow(ValidationError);
    }
  });
});

// ---- 9b. toJSON ------------------------------------------------------------------------------

describe('9b. a value with toJSON is refused by every method that takes JSON', () => {
  /** An array whose own toJSON would make JSON.stringify return something else (or nothing). */
  const withToJson = (result: unknown) => Object.assign([1, 2], { toJSON: () => result });

  test('an own toJSON on an array, at the top or nested: set, save, jsonEncrypt, hmac, testHmac, uuids agree', async () => {
    const { db } = await freshVault();
    const uuid = await db.uuids('c');
    const getter = Object.defineProperty({}, 'toJSON', { get: () => undefined, enumerable: true });
    for (const value of [withToJson(undefined), withToJson('other'), { nested: [withToJson(() => 1)] }, { toJSON: () => 'x' }, getter]) {
      for (const [argument, call] of [
        ['value', () => db.set('t', value)],
        ['value', () => db.jsonEncrypt(value)],
        ['data', () => db.hmac(value)],
        ['data', () => db.testHmac(value, '00'.repeat(32))],
        ['value', () => uuid(value)],
      ] as const) {
        const error = await thrown(call);
        expect(error, argument).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).argument).toBe(argument);
        expect(error.message).toContain('toJSON');
      }
    }
    expect(db.has('t')).toBe(false);
    // Added after set(): save and saveTag refuse it, and write nothing.
    const later: unknown[] = [1];
    db.set('t', later);
    Object.assign(later, { toJSON: () => undefined });
    expect(await thrown(() => db.save())).toBeInstanceOf(ValidationError);
    expect(await thrown(() => db.saveTag('t'))).toBeInstanceOf(ValidationError);
    await db.deleteDatabase();
  });

  test('a "toJSON" key holding data (as JSON.parse makes it) is data: it round-trips', async () => {
    const { db, key, directory } = await freshVault();
    const value = JSON.parse('{"toJSON": 1, "list": [{"toJSON": "text"}]}') as unknown;
    db.set('t', value);
    await db.save();
    expect((await Database.open(key, { directory })).get('t')).toEqual(value);
    expect(await db.jsonDecrypt(await db.jsonEncrypt(value))).toEqual(value);
    await db.deleteDatabase();
  });

  test('an inherited toJSON (a polluted Array.prototype) is refused too', async () => {
    const { db } = await freshVault();
    Object.defineProperty(Array.prototype, 'toJSON', { value: () => 'polluted', configurable: true, writable: true });
    let set: unknown;
    let encrypted: Promise<unknown>;
    try {
      // Both check synchronously, and nothing is awaited here: the prototype is restored before
      // anything else runs.
      try {
        db.set('t', [1]);
      } catch (error) {
        set = error;
      }
      encrypted = db.jsonEncrypt([1]);
    } finally {
      delete (Array.prototype as { toJSON?: unknown }).toJSON;
    }
    expect(set).toBeInstanceOf(ValidationError);
    await expect(encrypted!).rejects.toBeInstanceOf(ValidationError);
    await db.deleteDatabase();
  });
});

// ---- 9c. An altered text ciphertext is an AuthenticationError --------------------------------

describe('9c. any string ciphertext that does not open is an AuthenticationError', () => {
  test('bad base64, a wrong length, a stray character: AuthenticationError; a non-string stays ValidationError', async () => {
    const { db } = await freshVault();
    const ct = await db.jsonEncrypt({ x: 1 });
    const altered = [
      ct.slice(0, -1),
      `${ct}A`,
      `${ct.slice(0, 10)}*${ct.slice(11)}`,
      `${ct.slice(0, 10)}+${ct.slice(11)}`,
      `${ct} `,
      `${ct}=`,
      '***',
      '\uD800',
      'A',
    ];
    for (const text of altered) {
      expect(await thrown(() => db.jsonDecrypt(text)), JSON.stringify(text.slice(-3))).toBeInstanceOf(AuthenticationError);
      expect(await thrown(() => db.bytesDecrypt(text))).toBeInstanceOf(AuthenticationError);
    }
    for (const notText of [42, null, [1, 2], new ArrayBuffer(60)]) {
      const error = await thrown(() => db.jsonDecrypt(notText as never));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).argument).toBe('ciphertext');
    }
    // The options are checked before the ciphertext is: a bad one is still named.
    const error = await thrown(() => db.jsonDecrypt('***', { ttl: 0 }));
    expect((error as ValidationError).argument).toBe('options.ttl');
    expect(await db.jsonDecrypt(ct)).toEqual({ x: 1 });
    await db.deleteDatabase();
  });
});

// ---- 9d. An empty profile salt ---------------------------------------------------------------

describe('9d. profile tokens: an empty salt is refused, not taken as none', () => {
  test("salt '' is a ValidationError naming options.salt; no salt and a salt give different profiles", async () => {
    const error = await thrown(() => Database.generateProfileTokens('site', { username: 'u', password: 'p', salt: '' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).argument).toBe('options.salt');
    expect(error.message).toContain('omit it instead');
    const none = await Database.generateProfileTokens('site', { username: 'u', password: 'p' });
    const salted = await Database.generateProfileTokens('site', { username: 'u', password: 'p', salt: 's' });
    expect(salted.profileId).not.toBe(none.profileId);
    const again = await Database.generateProfileTokens('site', { username: 'u', password: 'other' });
    expect(again.profileId).toBe(none.profileId);
  });
});
