import { describe, expect, test } from 'vitest';
import { concat, fromBase64Url, fromHex, lengthPrefixed, toBase64Url, toHex, utf8 } from '../src/bytes';
import { argon2id } from '../src/crypto/argon2';
import { openEnvelope, openEnvelopes, SubkeyCache, sealEnvelope, sealEnvelopes } from '../src/crypto/envelope';
import { hkdfInfo, KeySchedule, Purpose } from '../src/crypto/key-schedule';
import { VaultCrypto } from '../src/crypto/vault-crypto';
import { XaesKey } from '../src/crypto/xaes';
import { ENVELOPE_VERSION, HEADER_LENGTH } from '../src/format/envelope-layout';
import { AuthenticationError, Database, InvalidHmacError, Keys, TagvaultError, TimeoutError, ValidationError } from '../src/index';
import { freshVault } from './helpers';
import argonVectors from './vectors/argon2id.json';

describe('Keys', () => {
  test('csprng gives 64 fresh random bytes', () => {
    const a = Keys.csprng();
    const b = Keys.csprng();
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a.length).toBe(64);
    expect(toHex(a)).not.toBe(toHex(b));
  });

  test('a key is accepted as bytes or 128 hex characters, and the two open the same vault', async () => {
    const key = Keys.csprng();
    const { db, directory } = await freshVault({});
    void db;
    const a = await Database.open(key, { directory });
    const b = await Database.open(toHex(key), { directory });
    expect(a.vaultId).toBe(b.vaultId);
  });

  test.each([
    ['31 bytes', new Uint8Array(31)],
    ['65 bytes', new Uint8Array(65)],
    ['127 hex chars', 'a'.repeat(127)],
    ['non-hex', 'z'.repeat(128)],
    ['a number', 42],
    ['null', null],
    ['an ArrayBuffer', new ArrayBuffer(64)],
  ])('Database.open refuses a key that is %s', async (_label, key) => {
    const error = await Database.open(key as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).argument).toBe('key');
    expect((error as Error).message).toMatch(/"key" expected a Uint8Array of length 64 or 128 hex characters, got/);
  });

  test('the caller’s key bytes are not detached or changed by open', async () => {
    const key = Keys.csprng();
    const copy = key.slice();
    await Database.open(key, { directory: `test-${crypto.randomUUID()}` });
    expect(key.byteLength).toBe(64);
    expect(toHex(key)).toBe(toHex(copy));
  });
});

describe('key schedule', () => {
  test('info is "tagvault/v1/" ‖ purpose ‖ 0x00 ‖ length-prefixed context', () => {
    const info = hkdfInfo(Purpose.uuids, ['emails']);
    expect(toHex(info)).toBe(toHex(new Uint8Array([...utf8('tagvault/v1/uuids'), 0, 0, 0, 0, 6, ...utf8('emails')])));
  });

  test('purposes and contexts give independent keys; a child cannot derive its parent', async () => {
    const schedule = await KeySchedule.fromRoot(Keys.csprng());
    const [a, b, c] = await Promise.all([schedule.bits(Purpose.vaultId, 32), schedule.bits(Purpose.passcrypt, 32), schedule.bits(Purpose.vaultId, 32, 'x')]);
    expect(new Set([toHex(a), toHex(b), toHex(c)]).size).toBe(3);

    const parent = await VaultCrypto.fromRoot(Keys.csprng());
    const child = await parent.child('molly');
    const sibling = await parent.child('clients');
    expect(new Set([parent.vaultId, child.vaultId, sibling.vaultId]).size).toBe(3);
    // Records sealed by the parent do not open under the child's keys, and the other way round.
    const tagId = await parent.tagId('t');
    const [sealed] = await parent.sealRecords('tag', [tagId], [utf8('1')]);
    await expect(child.openRecord('tag', tagId, sealed!)).rejects.toBeInstanceOf(AuthenticationError);
    const [childSealed] = await child.sealRecords('tag', [tagId], [utf8('1')]);
    await expect(parent.openRecord('tag', tagId, childSealed!)).rejects.toBeInstanceOf(AuthenticationError);
    // Batch and single paths build the same context, for any id (ids read from storage may be anything).
    const odd = ['é', 'x'.repeat(500), '\u{1F511}', '\uD800', 'a\u0000b', ''];
    const batch = await parent.sealRecords(
      'tag',
      odd,
      odd.map((_, i) => utf8(`for #${i}`)),
    );
    for (const [i, id] of odd.entries()) {
      expect(new TextDecoder().decode(await parent.openRecord('tag', id, batch[i]!))).toBe(`for #${i}`);
      await expect(parent.openRecord('names', id, batch[i]!)).rejects.toBeInstanceOf(AuthenticationError);
    }
    expect((await parent.openRecords('tag', odd, batch)).map((p) => new TextDecoder().decode(p!))).toEqual(odd.map((_, i) => `for #${i}`));
    expect(await parent.openRecords('tag', [...odd.slice(1), odd[0]!], batch)).toEqual(odd.map(() => null));
    // The same key derives the same child (deterministic), so a metatag reopens.
    expect((await parent.child('molly')).vaultId).toBe(child.vaultId);
  });

  test('derived keys are non-extractable', async () => {
    const schedule = await KeySchedule.fromRoot(Keys.csprng());
    const key = await schedule.hmac(Purpose.hmac);
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });
});

describe('envelope', () => {
  async function setup() {
    const key = await XaesKey.fromRaw(crypto.getRandomValues(new Uint8Array(32)));
    const sub = await key.subkey(crypto.getRandomValues(new Uint8Array(12)));
    return { key, sub, cache: new SubkeyCache(key) };
  }

  test('layout: version ‖ timestamp ‖ nonce ‖ ciphertext ‖ tag', async () => {
    const { sub } = await setup();
    const before = Date.now();
    const env = await sealEnvelope(sub, utf8('hello'), lengthPrefixed('ctx'));
    expect(env.length).toBe(HEADER_LENGTH + 5 + 16);
    expect(env[0]).toBe(ENVELOPE_VERSION);
    const ts = Number(new DataView(env.buffer).getBigUint64(1));
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now());
    expect(toHex(env.slice(9, 21))).toBe(toHex(sub.prefix));
  });

  test('every flipped bit of header or body, a wrong context, or truncation fails authentication', async () => {
    const { sub, cache } = await setup();
    const ctx = lengthPrefixed('ctx');
    const env = await sealEnvelope(sub, utf8('hello world'), ctx);
    expect(new TextDecoder().decode((await openEnvelope(cache, env, ctx)).plaintext)).toBe('hello world');
    for (let byte = 0; byte < env.length; byte++) {
      const bad = env.slice();
      bad[byte]! ^= 1 << (byte % 8);
      await expect(openEnvelope(cache, bad, ctx)).rejects.toBeInstanceOf(AuthenticationError);
    }
    await expect(openEnvelope(cache, env, lengthPrefixed('other'))).rejects.toBeInstanceOf(AuthenticationError);
    await expect(openEnvelope(cache, env.slice(0, 40), ctx)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(openEnvelope(cache, new Uint8Array(), ctx)).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('a sealed batch: standard envelopes, one nonce prefix, a fresh suffix each; a batch opens record by record', async () => {
    const { key, sub, cache } = await setup();
    const texts = Array.from({ length: 50 }, (_, i) => `record ${i} ${'é'.repeat(i)}`);
    const ctx = (i: number) => lengthPrefixed('ctx', String(i));
    // A batch's additional data: the envelope's header, then its context.
    const aad = (i: number, header: Uint8Array) => concat(header, ctx(i));
    const sealed = await sealEnvelopes(sub, texts.map(utf8), aad);
    expect(new Set(sealed.map((e) => toHex(e.slice(9, 21))))).toEqual(new Set([toHex(sub.prefix)]));
    expect(new Set(sealed.map((e) => toHex(e.slice(21, 33)))).size).toBe(texts.length);
    // Each is an ordinary envelope: openEnvelope opens it, bound to its own context only.
    expect(new TextDecoder().decode((await openEnvelope(cache, sealed[7]!, ctx(7))).plaintext)).toBe(texts[7]);
    await expect(openEnvelope(cache, sealed[7]!, ctx(8))).rejects.toBeInstanceOf(AuthenticationError);
    // A batch with a flipped bit, a swapped record, junk, and a record of another subkey.
    const other = await sealEnvelope(await key.subkey(crypto.getRandomValues(new Uint8Array(12))), utf8('other batch'), ctx(3));
    const batch = sealed.slice();
    batch[1] = batch[1]!.slice();
    batch[1]![40]! ^= 1;
    [batch[4], batch[5]] = [batch[5]!, batch[4]!];
    batch[6] = new Uint8Array(10);
    batch[3] = other;
    const opened = await openEnvelopes(new SubkeyCache(key), batch, aad);
    const expected = texts.map((t, i) => ([1, 4, 5, 6].includes(i) ? null : i === 3 ? 'other batch' : t));
    expect(opened.map((p) => (p ? new TextDecoder().decode(p) : null))).toEqual(expected);
  });

  test('the subkey cache keeps at most its limit, and an evicted prefix still opens', async () => {
    const { key } = await setup();
    const ctx = lengthPrefixed('ctx');
    const envelopes = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => sealEnvelope(await key.subkey(crypto.getRandomValues(new Uint8Array(12))), utf8(`m${i}`), ctx)),
    );
    // Count subkey derivations: a cached prefix derives nothing, an evicted one derives again.
    let derived = 0;
    const subkey = key.subkey.bind(key);
    key.subkey = (prefix) => {
      derived++;
      return subkey(prefix);
    };
    const cache = new SubkeyCache(key, 4);
    const open = async (i: number) => new TextDecoder().decode((await openEnvelope(cache, envelopes[i]!, ctx)).plaintext);
    for (let i = 0; i < 6; i++) expect(await open(i)).toBe(`m${i}`);
    expect(derived).toBe(6);
    for (const i of [2, 3, 4, 5]) expect(await open(i)).toBe(`m${i}`); // the 4 newest stay
    expect(derived).toBe(6);
    expect(await open(0)).toBe('m0'); // evicted: derived again, and still opens
    expect(derived).toBe(7);
  });

  test('ttl is checked after authentication: 6 s old with ttl 2 → TimeoutError.value 4', async () => {
    const { sub, cache } = await setup();
    const ctx = lengthPrefixed('ctx');
    const sealedAt = Date.now();
    const env = await sealEnvelope(sub, utf8('x'), ctx, sealedAt);
    const error = await openEnvelope(cache, env, ctx, 2, sealedAt + 6000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).value).toBe(4);
    expect((error as Error).message).toBe('Timestamp expired by <4> seconds.');
    // Within the ttl it opens.
    await expect(openEnvelope(cache, env, ctx, 7, sealedAt + 6000)).resolves.toBeTruthy();
    // A forged (altered) envelope is an AuthenticationError even when it would be expired.
    const bad = env.slice();
    bad[2]! ^= 1;
    await expect(openEnvelope(cache, bad, ctx, 2, sealedAt + 6000)).rejects.toBeInstanceOf(AuthenticationError);
  });
});

test('url-safe base64 matches btoa at every length, both ways', () => {
  for (const length of [...Array.from({ length: 70 }, (_, i) => i), 1023, 1024, 1025, 5000]) {
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    const expected = btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(toBase64Url(bytes)).toBe(expected);
    expect(toHex(fromBase64Url(expected)!)).toBe(toHex(bytes));
  }
});

describe('Argon2id (hash-wasm) against phc-winner-argon2 vectors', () => {
  for (const v of argonVectors.vectors) {
    test(`m=${v.m} t=${v.t} p=${v.p} ${v.password}/${v.salt}`, async () => {
      const out = await argon2id({
        password: utf8(v.password),
        salt: utf8(v.salt),
        memoryKiB: v.m,
        iterations: v.t,
        parallelism: v.p,
        hashLength: 32,
      });
      expect(toHex(out)).toBe(v.hash);
    });
  }
});

describe('public cryptography on a Database', () => {
  test('json and bytes round trip, bound to filename and kind', async () => {
    const { db } = await freshVault();
    const groceries = ['carrots', 'taytoes', 'rice', 'beans'];
    const ct = await db.jsonEncrypt(groceries, { filename: 'grocery list' });
    expect(typeof ct).toBe('string');
    expect(ct).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await db.jsonDecrypt(ct, { filename: 'grocery list' })).toEqual(groceries);
    await expect(db.jsonDecrypt(ct)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(db.jsonDecrypt(ct, { filename: 'grocery lisT' })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(db.bytesDecrypt(ct, { filename: 'grocery list' })).rejects.toBeInstanceOf(AuthenticationError);

    const plaintext = utf8('some bytes plaintext goes here');
    const bct = await db.bytesEncrypt(plaintext);
    expect(plaintext.byteLength).toBe(30); // not detached by the transfer to the worker
    expect(toHex(await db.bytesDecrypt(bct))).toBe(toHex(plaintext));
    const flipped = bct.slice();
    flipped[flipped.length - 1]! ^= 0x80;
    await expect(db.bytesDecrypt(flipped)).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('bytes with { transfer: true } are moved to the worker, not copied; a view into a larger buffer is copied', async () => {
    const { db } = await freshVault();
    const message = crypto.getRandomValues(new Uint8Array(60_000));
    const plaintext = message.slice();
    const envelope = await db.bytesEncrypt(plaintext, { transfer: true });
    expect(plaintext.byteLength).toBe(0); // its buffer went to the worker
    const kept = envelope.slice();
    expect(toHex(await db.bytesDecrypt(envelope, { transfer: true }))).toBe(toHex(message));
    expect(envelope.byteLength).toBe(0);
    // A view that does not span its buffer is copied: the caller's buffer stays whole.
    const big = new Uint8Array(kept.length + 10);
    big.set(kept, 5);
    const view = big.subarray(5, 5 + kept.length);
    expect(toHex(await db.bytesDecrypt(view, { transfer: true }))).toBe(toHex(message));
    expect(view.byteLength).toBe(kept.length);
    // Bad options are refused before anything is moved.
    const again = message.slice();
    await expect(db.bytesEncrypt(again, { transfer: 'yes' as never })).rejects.toMatchObject({ argument: 'options.transfer' });
    await expect(db.bytesEncrypt(again, { transfer: true, filename: 5 as never })).rejects.toMatchObject({ argument: 'options.filename' });
    expect(again.byteLength).toBe(message.length);
    await expect(db.jsonDecrypt('AAAA', { transfer: true } as never)).rejects.toMatchObject({ argument: 'options.transfer' });
    await expect(db.bytesDecrypt('AAAA', { transfer: 1 as never })).rejects.toMatchObject({ argument: 'options.transfer' });
    await expect(db.bytesDecrypt(again, { transfer: 'yes' as never })).rejects.toMatchObject({ argument: 'options.transfer' });
    expect(again.byteLength).toBe(message.length);
  });

  test('another key cannot decrypt', async () => {
    const { db } = await freshVault();
    const { db: other } = await freshVault();
    const ct = await db.jsonEncrypt({ some: 'json data can go here' });
    await expect(other.jsonDecrypt(ct)).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('ttl across the worker: TimeoutError keeps its class and .value', async () => {
    const { db } = await freshVault();
    const ct = await db.bytesEncrypt(utf8('x'));
    await new Promise((r) => setTimeout(r, 1100));
    const error = await db.bytesDecrypt(ct, { ttl: 0.05 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(TagvaultError);
    expect((error as TimeoutError).name).toBe('TimeoutError');
    expect((error as TimeoutError).value).toBe(1);
    expect(await db.bytesDecrypt(ct, { ttl: 60 })).toEqual(utf8('x'));
  });

  test('hmac: hex, verified, order-sensitive like the seed', async () => {
    const { db } = await freshVault();
    const hmac = await db.hmac('validate this data!');
    expect(hmac).toMatch(/^[0-9a-f]{64}$/);
    expect(await db.testHmac('validate this data!', hmac)).toBe(true);
    await expect(db.testHmac('valiZate this data!', hmac)).rejects.toBeInstanceOf(InvalidHmacError);
    const arbitrary = { id: 1234, payload: 'message' };
    const h2 = await db.hmac(arbitrary);
    expect(await db.testHmac(arbitrary, h2)).toBe(true);
    await expect(db.testHmac({ payload: 'message', id: 1234 }, h2)).rejects.toBeInstanceOf(InvalidHmacError);
    const { db: other } = await freshVault();
    await expect(other.testHmac('validate this data!', hmac)).rejects.toBeInstanceOf(InvalidHmacError);
  });

  test('uuids: deterministic per key, category and salt; result({ exit: true }) gives the salt and ends', async () => {
    const { db } = await freshVault();
    const clients = await db.metatag('clients');
    const emails = await clients.uuids('emails', { size: 24 });
    const a = await emails('brittany@email.com');
    const b = await emails('john.doe@email.net');
    expect(a).toMatch(/^[0-9a-f]{24}$/);
    expect(a).not.toBe(b);
    expect(await emails('brittany@email.com')).toBe(a);
    const salt = emails.result({ exit: true });
    expect(salt).toMatch(/^[0-9a-f]{64}$/);
    await expect(emails('x')).rejects.toBeInstanceOf(TagvaultError);
    // Same salt again → same uuid; other category, salt, or vault → different.
    const again = await clients.uuids('emails', { size: 24, salt });
    expect(await again('brittany@email.com')).toBe(a);
    const phones = await clients.uuids('phones', { size: 24, salt });
    expect(await phones('brittany@email.com')).not.toBe(a);
    const parent = await db.uuids('emails', { size: 24, salt });
    expect(await parent('brittany@email.com')).not.toBe(a);
    const otherSalt = await clients.uuids('emails', { size: 24 });
    expect(await otherSalt('brittany@email.com')).not.toBe(a);
    expect(otherSalt.result()).not.toBe(salt);
    const full = await clients.uuids('emails', { salt });
    expect((await full('brittany@email.com')).slice(0, 24)).toBe(a);
  });

  test('generateSalt and url-safe base64', () => {
    expect(Database.generateSalt()).toMatch(/^[0-9a-f]{64}$/);
    expect(Database.generateSalt()).not.toBe(Database.generateSalt());
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x00, 0x3e]);
    const text = Database.base64Encode(bytes);
    expect(text).toBe('-__-AD4');
    expect(Database.base64Decode(text)).toEqual(bytes);
    expect(Database.base64Decode(Database.base64Encode('fash smasher'))).toEqual(utf8('fash smasher'));
    expect(() => Database.base64Decode('not base64!')).toThrow(ValidationError);
  });

  test('passcrypt: Argon2id keyed by the vault, in the worker, 128 hex chars', async () => {
    const { db } = await freshVault();
    const { db: other } = await freshVault();
    const salt = db.generateSalt();
    const settings = { kb: 1024, cpu: 2, hardness: 256 };
    const h1 = await db.passcrypt('password', salt, settings);
    expect(h1).toMatch(/^[0-9a-f]{128}$/);
    expect(await db.passcrypt('password', salt, settings)).toBe(h1);
    expect(await other.passcrypt('password', salt, settings)).not.toBe(h1);
    expect(await db.passcrypt('passwore', salt, settings)).not.toBe(h1);
    expect(await db.passcrypt('password', salt, { ...settings, cpu: 3 })).not.toBe(h1);
    // hardness is a floor on memory: kb below it computes the same as kb = hardness.
    expect(await db.passcrypt('password', salt, { kb: 64, cpu: 2, hardness: 1024 })).toBe(h1);
    const child = await db.metatag('child');
    expect(await child.passcrypt('password', salt, settings)).not.toBe(h1);
  });

  test('the page stays responsive while a 64 MiB passcrypt runs in the worker', async () => {
    const { db } = await freshVault();
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setTimeout(tick, 10);
    };
    setTimeout(tick, 10);
    const started = performance.now();
    await db.passcrypt('password', db.generateSalt(), { kb: 65536, cpu: 3 });
    const elapsed = performance.now() - started;
    running = false;
    // A blocked main thread would fire the timer once or twice at most; a free one ~elapsed/10
    // times. Assert a generous fraction, not a time.
    expect(ticks).toBeGreaterThan(Math.max(5, elapsed / 10 / 4));
  });
});

describe('argument validation (each names the argument)', () => {
  test.each<[string, (db: Database) => unknown, string]>([
    ['set: empty tag', (db) => db.set('', 1), 'tag'],
    ['set: tag not a string', (db) => db.set(5 as never, 1), 'tag'],
    ['set: lone surrogate tag', (db) => db.set('a\ud800', 1), 'tag'],
    ['set: function value', (db) => db.set('a', () => 1), 'value'],
    ['set: undefined value', (db) => db.set('a', undefined), 'value'],
    ['set: BigInt value', (db) => db.set('a', 10n), 'value'],
    ['set: Infinity', (db) => db.set('a', [Infinity]), 'value'],
    ['set: Date', (db) => db.set('a', new Date()), 'value'],
    ['get: empty tag', (db) => db.get(''), 'tag'],
    ['has: number', (db) => db.has(1 as never), 'tag'],
    ['query: empty', (db) => db.query(''), 'tag'],
    ['pop: null', (db) => db.pop(null as never), 'tag'],
    ['saveTag: unknown tag', (db) => db.saveTag('never-set'), 'tag'],
    ['metatag: empty name', (db) => db.metatag(''), 'name'],
    ['metatag: bad option', (db) => db.metatag('x', { preload: 'yes' as never }), 'options.preload'],
    ['deleteMetatag: unknown', (db) => db.deleteMetatag('nope'), 'name'],
    ['mirrorDatabase: not a db', (db) => db.mirrorDatabase({} as never), 'other'],
    ['mirrorDatabase: itself', (db) => db.mirrorDatabase(db), 'other'],
    [
      'jsonEncrypt: cycle',
      (db) => {
        const o: Record<string, unknown> = {};
        o.o = o;
        return db.jsonEncrypt(o);
      },
      'value',
    ],
    ['jsonEncrypt: filename number', (db) => db.jsonEncrypt(1, { filename: 1 as never }), 'options.filename'],
    ['jsonEncrypt: unknown option', (db) => db.jsonEncrypt(1, { fileName: 'x' } as never), 'options.fileName'],
    ['jsonDecrypt: not a string', (db) => db.jsonDecrypt(5 as never), 'ciphertext'],
    ['jsonDecrypt: ttl 0', (db) => db.jsonDecrypt('AAAA', { ttl: 0 }), 'options.ttl'],
    ['jsonDecrypt: ttl negative', (db) => db.jsonDecrypt('AAAA', { ttl: -1 }), 'options.ttl'],
    ['jsonDecrypt: ttl NaN', (db) => db.jsonDecrypt('AAAA', { ttl: NaN }), 'options.ttl'],
    ['bytesEncrypt: string', (db) => db.bytesEncrypt('abc' as never), 'plaintext'],
    ['bytesDecrypt: number', (db) => db.bytesDecrypt(5 as never), 'ciphertext'],
    ['hmac: undefined', (db) => db.hmac(undefined), 'data'],
    ['testHmac: short hmac', (db) => db.testHmac('x', 'abcd'), 'hmac'],
    ['testHmac: not a string', (db) => db.testHmac('x', 5 as never), 'hmac'],
    ['uuids: empty category', (db) => db.uuids(''), 'category'],
    ['uuids: size 23 (below 96 bits)', (db) => db.uuids('c', { size: 23 }), 'options.size'],
    ['uuids: size 8', (db) => db.uuids('c', { size: 8 }), 'options.size'],
    ['uuids: size 65', (db) => db.uuids('c', { size: 65 }), 'options.size'],
    ['uuids: size 24.5', (db) => db.uuids('c', { size: 24.5 }), 'options.size'],
    ['uuids: bad salt', (db) => db.uuids('c', { salt: 'xyz' }), 'options.salt'],
    ['passcrypt: empty password', (db) => db.passcrypt('', 'saltsaltsalt'), 'password'],
    ['passcrypt: short salt', (db) => db.passcrypt('pw', 'short'), 'salt'],
    ['passcrypt: kb below minimum', (db) => db.passcrypt('pw', 'saltsaltsalt', { kb: 7 }), 'options.kb'],
    ['passcrypt: kb absurd', (db) => db.passcrypt('pw', 'saltsaltsalt', { kb: 2 ** 31 }), 'options.kb'],
    ['passcrypt: cpu 0', (db) => db.passcrypt('pw', 'saltsaltsalt', { cpu: 0 }), 'options.cpu'],
    ['passcrypt: cpu absurd', (db) => db.passcrypt('pw', 'saltsaltsalt', { cpu: 1e6 }), 'options.cpu'],
    ['passcrypt: hardness NaN', (db) => db.passcrypt('pw', 'saltsaltsalt', { hardness: NaN }), 'options.hardness'],
  ])('%s', async (_label, call, argument) => {
    const { db } = await freshVault();
    let error: unknown;
    try {
      await call(db);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).name).toBe('ValidationError');
    expect((error as ValidationError).argument).toBe(argument);
    expect((error as Error).message).toContain(`"${argument}"`);
  });

  test('static functions validate too', async () => {
    await expect(Database.open(Keys.csprng(), { directory: '' })).rejects.toMatchObject({ argument: 'options.directory' });
    await expect(Database.open(Keys.csprng(), { preload: 1 as never })).rejects.toMatchObject({ argument: 'options.preload' });
    await expect(Database.generateProfileTokens({ username: '', password: 'p' })).rejects.toMatchObject({ argument: 'options.username' });
    await expect(Database.generateProfileTokens({ username: 'u', password: '' })).rejects.toMatchObject({ argument: 'options.password' });
    await expect(Database.generateProfileTokens(5 as never, { username: 'u', password: 'p' })).rejects.toMatchObject({ argument: 'credentials[0]' });
    await expect((Database.generateProfileTokens as (...a: unknown[]) => Promise<unknown>)('x')).rejects.toMatchObject({ argument: 'options' });
    await expect(Database.generateProfile({} as never)).rejects.toMatchObject({ argument: 'tokens' });
    const tokens = await Database.generateProfileTokens({ username: 'u', password: 'p' });
    await expect(Database.generateProfile(tokens, { kb: 4 })).rejects.toMatchObject({ argument: 'options.kb' });
    await expect(Database.generateProfile(tokens, { cpu: 0 })).rejects.toMatchObject({ argument: 'options.cpu' });
    await expect(Database.changeProfilePassword(tokens, '')).rejects.toMatchObject({ argument: 'newPassword' });
    expect(() => Database.base64Encode(5 as never)).toThrow(ValidationError);
    // Messages never contain the secret itself.
    const error = (await Database.open(`${'s3cr3t'.repeat(21)}xx`).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).not.toContain('s3cr3t');
  });

  test('fromHex helper rejects odd input', () => {
    expect(fromHex('abc')).toBeUndefined();
    expect(fromHex('zz')).toBeUndefined();
  });
});
