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

describe('wrong key-slot secrets', { timeout: TIMEOUT }, () => {
  const directory = freshDirectory('wrong-slot');
  let tokens: ProfileTokens;
  let db: Database;
  let code: string;

  beforeAll(async () => {
    tokens = await Database.generateProfileTokens('example.com', { username: 'ann', password: 'right password' });
    db = await Database.generateProfile(tokens, { directory, ...KDF });
    db.set('diary', 'dear diary');
    await db.save();
    code = await db.addRecoveryCode({ unlock: { password: 'right password' } });
    await db.addPassword('second password', { unlock: { password: 'right password' }, ...KDF });
  });

  /** A recovery code of another profile: well formed, its checksum right, its secret opening nothing here. */
  async function foreignCodes(n: number): Promise<string[]> {
    const other = await Database.generateProfile(await Database.generateProfileTokens({ username: 'x', password: 'p' }), {
      directory: freshDirectory('wrong-slot-other'),
      ...KDF,
    });
    const codes: string[] = [];
    for (let i = 0; i < n; i++) codes.push(await other.addRecoveryCode({ unlock: { password: 'p' } }));
    await other.close();
    return codes;
  }

  test('every slot call with a wrong password or recovery code: AuthenticationError, no write, no secret in the message', async () => {
    const rng = new Rng(seedFor(6103));
    const trials = scale(6, 60);
    const codes = await foreignCodes(Math.min(trials, 8));
    const before = await snapshot(directory);
    const [, recovery] = await db.keySlots();
    let refused = 0;
    let calls = 0;
    for (let i = 0; i < trials; i++) {
      const password = ['right passwor', 'second password ', 'Right password', `x${rng.int(0, 1e9)}`][i % 4]!;
      const wrongCode = codes[i % codes.length]!;
      const cases: [string, () => Promise<unknown>][] = [
        ['loadProfile by code', () => Database.loadProfile(tokens, { directory, recoveryCode: wrongCode })],
        ['addPassword by password', () => db.addPassword('new password', { unlock: { password }, ...KDF })],
        ['addRecoveryCode by code', () => db.addRecoveryCode({ unlock: { recoveryCode: wrongCode } })],
        ['removeKeySlot by password', () => db.removeKeySlot(recovery!.id, { unlock: { password } })],
        ['rotateProfileKey keeping a code', () => Database.rotateProfileKey(tokens, 'new password', { directory, keepRecoveryCodes: [wrongCode] })],
      ];
      for (const [name, call] of cases) {
        calls++;
        const error = await call().then(
          (got) => expect.fail(`${name} with a wrong secret returned ${String(got)}`),
          (e: unknown) => e,
        );
        expect(error, name).toBeInstanceOf(AuthenticationError);
        expect((error as Error).message).not.toMatch(/right passwor|second password|new password/);
        expect((error as Error).message).not.toContain(wrongCode.slice(0, 9));
        refused++;
      }
    }
    expect(await snapshot(directory), 'wrong slot secrets wrote nothing').toBe(before);
    // Every way in still opens it.
    for (const open of [
      () => Database.loadProfile(tokens, { directory }),
      () => Database.loadProfile(tokens, { directory, recoveryCode: code }),
      async () => Database.loadProfile(await Database.generateProfileTokens('example.com', { username: 'ann', password: 'second password' }), { directory }),
    ]) {
      const opened = await open();
      expect(opened.get('diary')).toBe('dear diary');
      await opened.close();
    }
    figure('wrongkeys.slots', { trials: calls, refused, accepted: calls - refused, writes: 0 });
  });

  test('mistyped recovery codes are caught by their checksum before any work', async () => {
    const rng = new Rng(seedFor(6104));
    const trials = scale(200, 2000);
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    const before = await snapshot(directory);
    let caught = 0;
    for (let i = 0; i < trials; i++) {
      const chars = code.replaceAll('-', '').split('');
      const at = rng.int(0, chars.length - 1);
      if (i % 2 === 0) {
        // One character changed to another of the alphabet.
        let next = chars[at]!;
        while (next === chars[at]) next = alphabet[rng.int(0, alphabet.length - 1)]!;
        chars[at] = next;
      } else {
        // Two neighbours swapped (where they differ).
        const j = at === chars.length - 1 ? at - 1 : at + 1;
        if (chars[at] === chars[j]) chars[at] = chars[at] === '0' ? '1' : '0';
        else [chars[at], chars[j]] = [chars[j]!, chars[at]!];
      }
      const mistyped = chars.join('');
      const error = await Database.loadProfile(tokens, { directory, recoveryCode: mistyped }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ValidationError', argument: 'options.recoveryCode' });
      caught++;
    }
    expect(await snapshot(directory)).toBe(before);
    figure('wrongkeys.recoveryTypos', { trials, caughtByChecksum: caught, missed: trials - caught });
  });
});
