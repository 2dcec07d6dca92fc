// Wrong keys and wrong passwords: never garbage, never a write, always a typed error (or, for a
// raw key, an empty vault: a key *is* the vault's identity, so a wrong key finds no vault).
import { beforeAll, describe, expect, test } from 'vitest';
import { AuthenticationError, Database, InvalidHmacError, Keys, ProfileNotFoundError, type ProfileTokens } from '../../src/index';
import { figure, freshDirectory, Rng, scale, seedFor, snapshot, TIMEOUT } from './helpers';

const KDF = { kb: 64, cpu: 1, unsafeLowCostsForTests: true };

describe('wrong keys', { timeout: TIMEOUT }, () => {
  const directory = freshDirectory('wrong-key');
  const key = Keys.csprng();
  let ct: string;
  let mac: string;
  let uuid: string;
  const salt = '00'.repeat(32);

  beforeAll(async () => {
    const db = await Database.open(key, { directory });
    for (let i = 0; i < 20; i++) db.set(`tag${i}`, { i, secret: `value ${i}` });
    (await db.metatag('child')).set('inner', 'secret');
    await db.save();
    ct = await db.jsonEncrypt({ top: 'secret' }, { filename: 'f' });
    mac = await db.hmac({ data: 1 });
    uuid = await (await db.uuids('cat', { salt }))('value');
  });

  test('a wrong key (random, one bit off, as hex) opens an empty vault and writes nothing', async () => {
    const rng = new Rng(seedFor(6101));
    const before = await snapshot(directory);
    const trials = scale(60, 600);
    let empty = 0;
    for (let i = 0; i < trials; i++) {
      let wrong: Uint8Array | string;
      if (i % 3 === 0) wrong = Keys.csprng();
      else {
        const k = new Uint8Array(key);
        const bit = rng.int(0, 511);
        k[bit >> 3]! ^= 1 << (bit & 7);
        wrong = i % 3 === 1 ? k : Array.from(k, (b) => b.toString(16).padStart(2, '0')).join('');
      }
      const db = await Database.open(wrong, { directory });
      if (db.size === 0 && db.metatags.length === 0 && db.corrupted.length === 0) empty++;
      expect(db.tags).toEqual([]);
      // Using it without writing (reads, public crypto) still writes nothing.
      expect(await db.query('tag1')).toBeUndefined();
      await db.save(); // nothing dirty: nothing to write
      await db.close();
    }
    expect(await snapshot(directory)).toBe(before);
    figure('wrongkeys.open', { trials, emptyVault: empty, garbage: trials - empty, writes: 0 });
    expect(empty).toBe(trials);
  });

  test('public ciphertexts, HMACs and UUIDs of another key: AuthenticationError / InvalidHmacError / different', async () => {
    const before = await snapshot(directory);
    const trials = scale(30, 300);
    let refused = 0;
    for (let i = 0; i < trials; i++) {
      const other = await Database.open(Keys.csprng(), { directory });
      const target = i % 2 ? other : await other.metatag('child');
      const decrypted = await target.jsonDecrypt(ct, { filename: 'f' }).catch((e: unknown) => e);
      expect(decrypted).toBeInstanceOf(AuthenticationError);
      const checked = await target.testHmac({ data: 1 }, mac).catch((e: unknown) => e);
      expect(checked).toBeInstanceOf(InvalidHmacError);
      expect(await (await target.uuids('cat', { salt }))('value')).not.toBe(uuid);
      refused++;
      await other.close();
    }
    expect(await snapshot(directory)).toBe(before);
    figure('wrongkeys.publicCrypto', { trials, refused, accepted: trials - refused });
  });

  test("a metatag's key cannot open its parent, and a parent's sibling metatag cannot read another's records", async () => {
    const db = await Database.open(key, { directory });
    const child = await db.metatag('child');
    const sibling = await db.metatag('sibling-not-saved');
    expect(child.get('inner')).toBe('secret');
    expect(sibling.tags).toEqual([]);
    expect(child.tags).not.toContain('tag0');
    const ctChild = await child.jsonEncrypt(1);
    expect(await db.jsonDecrypt(ctChild).catch((e: unknown) => e)).toBeInstanceOf(AuthenticationError);
    expect(await sibling.jsonDecrypt(ctChild).catch((e: unknown) => e)).toBeInstanceOf(AuthenticationError);
    await db.close();
  });
});

describe('wrong passwords', { timeout: TIMEOUT }, () => {
  const directory = freshDirectory('wrong-pw');
  let tokens: ProfileTokens;

  beforeAll(async () => {
    tokens = await Database.generateProfileTokens('example.com', 'ann@example.com', { username: 'ann', password: 'right password', salt: 'pepper' });
    const db = await Database.generateProfile(tokens, { directory, ...KDF });
    db.set('diary', 'dear diary');
    (await db.metatag('m')).set('x', 1);
    await db.save();
  });

  async function wrongTokens(i: number, rng: Rng): Promise<ProfileTokens> {
    const variants = ['right passwor', 'right password ', 'Right password', 'wrong', 'right password'.repeat(10), '\u0000', `x${rng.int(0, 1e9)}`];
    return Database.generateProfileTokens('example.com', 'ann@example.com', { username: 'ann', password: variants[i % variants.length]!, salt: 'pepper' });
  }

  test('every profile call with a wrong password: AuthenticationError, no write, no secret in the message', async () => {
    const rng = new Rng(seedFor(6102));
    const before = await snapshot(directory);
    const trials = scale(14, 140);
    let refused = 0;
    for (let i = 0; i < trials; i++) {
      const wrong = await wrongTokens(i, rng);
      const calls: [string, () => Promise<unknown>][] = [
        ['loadProfile', () => Database.loadProfile(wrong, { directory })],
        ['generateProfile', () => Database.generateProfile(wrong, { directory, ...KDF })],
        ['deleteProfile', () => Database.deleteProfile(wrong, { directory })],
        ['changeProfilePassword', () => Database.changeProfilePassword(wrong, 'new password', { directory })],
        ['rotateProfileKey', () => Database.rotateProfileKey(wrong, 'new password', { directory })],
      ];
      for (const [name, call] of calls) {
        const error = await call().then(
          (got) => expect.fail(`${name} with a wrong password returned ${String(got)}`),
          (e: unknown) => e,
        );
        expect(error, name).toBeInstanceOf(AuthenticationError);
        expect((error as Error).message).not.toMatch(/right password|new password/);
        refused++;
      }
    }
    expect(await snapshot(directory), 'wrong passwords wrote nothing').toBe(before);
    // The right password still opens it, whole (no lockout, no damage).
    const db = await Database.loadProfile(tokens, { directory });
    expect(db.get('diary')).toBe('dear diary');
    expect((await db.metatag('m')).get('x')).toBe(1);
    figure('wrongkeys.password', { trials: trials * 5, refused, accepted: trials * 5 - refused, writes: 0 });
  });

  test('other credentials, user name or salt: ProfileNotFoundError (load, delete, change) and no write', async () => {
    const before = await snapshot(directory);
    const others = await Promise.all([
      Database.generateProfileTokens('example.org', 'ann@example.com', { username: 'ann', password: 'right password', salt: 'pepper' }),
      Database.generateProfileTokens('example.com', 'ann@example.com', { username: 'Ann', password: 'right password', salt: 'pepper' }),
      Database.generateProfileTokens('example.com', 'ann@example.com', { username: 'ann', password: 'right password' }),
      Database.generateProfileTokens('example.com', { username: 'ann', password: 'right password', salt: 'pepper' }),
      Database.generateProfileTokens('example.comann@example.com', { username: 'ann', password: 'right password', salt: 'pepper' }),
    ]);
    let refused = 0;
    for (const t of others) {
      expect(t.profileId).not.toBe(tokens.profileId);
      expect(await Database.profileExists(t, { directory })).toBe(false);
      for (const call of [
        () => Database.loadProfile(t, { directory }),
        () => Database.deleteProfile(t, { directory }),
        () => Database.changeProfilePassword(t, 'x', { directory }),
        () => Database.rotateProfileKey(t, 'x', { directory }),
      ]) {
        expect(await call().catch((e: unknown) => e)).toBeInstanceOf(ProfileNotFoundError);
        refused++;
      }
    }
    // The right profile, in another directory: not found there either.
    expect(await Database.loadProfile(tokens, { directory: freshDirectory('elsewhere') }).catch((e: unknown) => e)).toBeInstanceOf(ProfileNotFoundError);
    expect(await snapshot(directory)).toBe(before);
    figure('wrongkeys.credentials', { trials: refused, refused });
  });

  test('after a password change, the old password is refused and the new one opens the same data', async () => {
    const dir = freshDirectory('pw-change');
    const t1 = await Database.generateProfileTokens({ username: 'u', password: 'old pw' });
    const db = await Database.generateProfile(t1, { directory: dir, ...KDF });
    db.set('k', 'v');
    await db.save();
    const t2 = await Database.changeProfilePassword(t1, 'new pw', { directory: dir });
    const before = await snapshot(dir);
    expect(await Database.loadProfile(t1, { directory: dir }).catch((e: unknown) => e)).toBeInstanceOf(AuthenticationError);
    expect(await snapshot(dir)).toBe(before);
    expect((await Database.loadProfile(t2, { directory: dir })).get('k')).toBe('v');
  });
});
