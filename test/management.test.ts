import { describe, expect, test } from 'vitest';
import { AuthenticationError, Database, Keys, Namespace, ProfileNotFoundError } from '../src/index';
import { freshDirectory, freshVault, rawDirectory, rawWrite, snapshot } from './helpers';

describe('management', () => {
  test('directory defaults to "tagvault" and is settable', async () => {
    const db = await Database.open(Keys.csprng());
    expect(db.directory).toBe('tagvault');
    const directory = freshDirectory();
    expect((await Database.open(Keys.csprng(), { directory })).directory).toBe(directory);
  });

  test('await using saves on dispose', async () => {
    const key = Keys.csprng();
    const directory = freshDirectory();
    {
      await using db = await Database.open(key, { directory });
      db.set('saved by dispose', true);
    }
    expect((await Database.open(key, { directory })).get('saved by dispose')).toBe(true);
  });

  test('async iteration yields [tag, value] pairs, loading what is not cached', async () => {
    const { db, key, directory } = await freshVault();
    db.set('a', 1).set('b', [2]);
    await db.save();
    const lazy = await Database.open(key, { directory, preload: false });
    const pairs: [string, unknown][] = [];
    for await (const pair of lazy) pairs.push(pair);
    pairs.sort(([x], [y]) => x.localeCompare(y));
    expect(pairs).toEqual([
      ['a', 1],
      ['b', [2]],
    ]);
  });

  test('deleteDatabase removes this vault and its metatags, and leaves other vaults intact', async () => {
    const directory = freshDirectory();
    const keyA = Keys.csprng();
    const a = await Database.open(keyA, { directory });
    const keyB = Keys.csprng();
    const b = await Database.open(keyB, { directory });
    a.set('x', 1);
    (await (await a.metatag('child')).metatag('grandchild')).set('deep', true);
    b.set('y', 2);
    await Promise.all([a.save(), b.save()]);
    const bRecords = (await rawDirectory(directory)).filter((r) => JSON.stringify(r.key).includes(b.vaultId));
    expect(bRecords.length).toBe(2);
    await a.deleteDatabase();
    const left = await rawDirectory(directory);
    expect(left).toEqual(bRecords);
    expect(a.tags).toEqual([]);
    expect(a.metatags).toEqual([]);
    const reopened = await Database.open(keyA, { directory });
    expect(reopened.tags).toEqual([]);
    expect(reopened.metatags).toEqual([]);
    expect((await Database.open(keyB, { directory })).get('y')).toBe(2);
  });

  test('deleteMetatag removes the child and all its records, now', async () => {
    const { db, directory } = await freshVault();
    const child = await db.metatag('child');
    child.set('c', 1);
    (await child.metatag('inner')).set('i', 2);
    db.set('keep', 3);
    await db.save();
    expect((await rawDirectory(directory)).length).toBe(3 * 2 + 2); // 3 vaults × (1 tag + 1 name block) + 2 headers
    await db.deleteMetatag('child');
    const left = await rawDirectory(directory);
    expect(left.filter((r) => r.store === 'tags').length).toBe(1);
    expect(left.filter((r) => r.store === 'names').length).toBe(1);
    expect(left.filter((r) => r.store === 'headers').length).toBe(1); // the parent's, now empty
    expect(db.metatags).toEqual([]);
  });

  test('mirrorDatabase copies tags and metatags recursively under new keys (key rotation)', async () => {
    const { db, directory } = await freshVault();
    db.set('favorite_foods', ['justice', 'community']);
    const routines = await db.metatag('exercise_routines');
    routines.set('monday', ['push-ups']);
    (await routines.metatag('deeper')).set('x', { y: 1 });
    await db.save();

    const newKey = Keys.csprng();
    const newDb = await Database.open(newKey, { directory });
    await newDb.mirrorDatabase(db);
    expect(newDb.get('favorite_foods')).toEqual(db.get('favorite_foods'));
    expect(newDb.get('favorite_foods')).not.toBe(db.get('favorite_foods')); // copied, not shared
    await db.deleteDatabase();
    await newDb.save();

    const reopened = await Database.open(newKey, { directory });
    expect(reopened.get('favorite_foods')).toEqual(['justice', 'community']);
    const r = await reopened.metatag('exercise_routines');
    expect(r.get('monday')).toEqual(['push-ups']);
    expect((await r.metatag('deeper')).get('x')).toEqual({ y: 1 });
    // Nothing of the old vault is left.
    const ids = new Set((await rawDirectory(directory)).map((rec) => (Array.isArray(rec.key) ? rec.key[0] : rec.key)));
    expect(ids.has(db.vaultId)).toBe(false);
  });

  test('intoNamespace: frozen, ns[tag], keys(), values(), iteration, even for tags like "keys"', async () => {
    const { db } = await freshVault();
    db.set('favorite_foods', ['justice', 'community']);
    db.set('keys', 'a tag named keys');
    db.set('__proto__', { polluted: false });
    db.set('constructor', 1);
    const ns = db.intoNamespace();
    expect(ns).toBeInstanceOf(Namespace);
    expect(Object.isFrozen(ns)).toBe(true);
    expect(ns.favorite_foods).toBe(db.get('favorite_foods'));
    expect(ns.keys).toBe('a tag named keys');
    expect(Object.getOwnPropertyDescriptor(ns, '__proto__')?.value).toEqual({ polluted: false });
    expect(ns.constructor).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([...Namespace.prototype.keys.call(ns)]).toEqual(['favorite_foods', 'keys', '__proto__', 'constructor']);
    expect([...Namespace.prototype.values.call(ns)][0]).toEqual(['justice', 'community']);
    expect([...ns].map(([t]) => t)).toEqual(['favorite_foods', 'keys', '__proto__', 'constructor']);
    const plain = (await freshVault()).db.set('a', 1).intoNamespace();
    expect([...plain.keys()]).toEqual(['a']);
    expect([...plain.values()]).toEqual([1]);
    expect(() => {
      (plain as Record<string, unknown>).a = 2;
    }).toThrow(TypeError);
  });

  test('"__proto__" and "constructor" tags persist as ordinary tags', async () => {
    const { db, key, directory } = await freshVault();
    db.set('__proto__', { a: 1 });
    db.set('constructor', 'c');
    await db.save();
    const again = await Database.open(key, { directory });
    expect(again.get('__proto__')).toEqual({ a: 1 });
    expect(again.get('constructor')).toBe('c');
    expect(again.tags.sort()).toEqual(['__proto__', 'constructor']);
  });
});

describe('profiles', () => {
  const kdf = { kb: 256, cpu: 1, unsafeLowCostsForTests: true };

  test('same credentials and password open the same vault; wrong password is typed and changes nothing', async () => {
    const directory = freshDirectory();
    const tokens = await Database.generateProfileTokens('server-url.com', 'address@email.net', {
      username: 'username',
      password: 'password',
      salt: 'optional salt keyword argument',
    });
    expect(JSON.stringify(tokens)).not.toContain('password');
    expect(await Database.profileExists(tokens, { directory })).toBe(false);
    await expect(Database.loadProfile(tokens, { directory })).rejects.toBeInstanceOf(ProfileNotFoundError);
    const db = await Database.generateProfile(tokens, { directory, ...kdf });
    db.set('secret', 'profile data');
    await db.save();
    expect(await Database.profileExists(tokens, { directory })).toBe(true);

    const same = await Database.generateProfileTokens('server-url.com', 'address@email.net', {
      username: 'username',
      password: 'password',
      salt: 'optional salt keyword argument',
    });
    expect((await Database.loadProfile(same, { directory })).get('secret')).toBe('profile data');
    expect((await Database.generateProfile(same, { directory, ...kdf })).get('secret')).toBe('profile data');

    const before = await snapshot(directory);
    const wrong = await Database.generateProfileTokens('server-url.com', 'address@email.net', {
      username: 'username',
      password: 'passw0rd',
      salt: 'optional salt keyword argument',
    });
    await expect(Database.loadProfile(wrong, { directory })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(Database.generateProfile(wrong, { directory, ...kdf })).rejects.toBeInstanceOf(AuthenticationError);
    expect(await snapshot(directory)).toBe(before);

    // Other credentials are another profile.
    const otherUser = await Database.generateProfileTokens('server-url.com', { username: 'username', password: 'password' });
    expect(otherUser.profileId).not.toBe(tokens.profileId);
    expect(await Database.profileExists(otherUser, { directory })).toBe(false);
  });

  test('changeProfilePassword re-wraps one record and re-encrypts nothing', async () => {
    const directory = freshDirectory();
    const tokens = await Database.generateProfileTokens({ username: 'u', password: 'old password' });
    const db = await Database.generateProfile(tokens, { directory, ...kdf });
    for (let i = 0; i < 5; i++) db.set(`t${i}`, i);
    await db.save();
    const before = await rawDirectory(directory);
    const newTokens = await Database.changeProfilePassword(tokens, 'new password', { directory });
    const after = await rawDirectory(directory);
    const changed = after.filter(
      (r, i) =>
        JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)) !==
        JSON.stringify(before[i], (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)),
    );
    expect(changed.map((r) => r.store)).toEqual(['profiles']);
    await expect(Database.loadProfile(tokens, { directory })).rejects.toBeInstanceOf(AuthenticationError);
    expect((await Database.loadProfile(newTokens, { directory })).get('t4')).toBe(4);
    const typed = await Database.generateProfileTokens({ username: 'u', password: 'new password' });
    expect((await Database.loadProfile(typed, { directory })).get('t0')).toBe(0);
  });

  test('deleteProfile removes the profile and its vault', async () => {
    const directory = freshDirectory();
    const tokens = await Database.generateProfileTokens({ username: 'u', password: 'p' });
    const db = await Database.generateProfile(tokens, { directory, ...kdf });
    db.set('a', 1);
    (await db.metatag('m')).set('b', 2);
    await db.save();
    const other = await Database.open(Keys.csprng(), { directory });
    other.set('keep', 1);
    await other.save();
    await Database.deleteProfile(tokens, { directory });
    expect(await Database.profileExists(tokens, { directory })).toBe(false);
    const left = await rawDirectory(directory);
    expect(left.every((r) => JSON.stringify(r.key).includes(other.vaultId))).toBe(true);
    await expect(Database.deleteProfile(tokens, { directory })).rejects.toBeInstanceOf(ProfileNotFoundError);
  });

  test('a hostile stored Argon2 cost is refused, not run', async () => {
    const directory = freshDirectory();
    const tokens = await Database.generateProfileTokens({ username: 'u', password: 'p' });
    await Database.generateProfile(tokens, { directory, ...kdf });
    const [record] = (await rawDirectory(directory)).filter((r) => r.store === 'profiles');
    const value = structuredClone(record!.value) as { slots: { memoryKiB: number }[] };
    value.slots[0]!.memoryKiB = 2 ** 30;
    await rawWrite(directory, [{ put: { store: 'profiles', key: record!.key, value } }]);
    await expect(Database.loadProfile(tokens, { directory })).rejects.toThrow(/out of the accepted range/);
  });
});

describe('crypto on every database is keyed by that vault', () => {
  test('a metatag gives different hmacs and cannot decrypt its parent’s ciphertexts', async () => {
    const { db } = await freshVault();
    const child = await db.metatag('child');
    expect(await child.hmac('x')).not.toBe(await db.hmac('x'));
    const ct = await db.jsonEncrypt('secret');
    await expect(child.jsonDecrypt(ct)).rejects.toBeInstanceOf(AuthenticationError);
    expect(await child.jsonDecrypt(await child.jsonEncrypt('mine'))).toBe('mine');
  });
});

describe('closing', () => {
  test('a deleted metatag’s instance refuses further use; close() releases a database', async () => {
    const { DatabaseClosedError } = await import('../src/index');
    const { db } = await freshVault();
    const child = await db.metatag('child');
    const grandchild = await child.metatag('grandchild');
    await db.save();
    await db.deleteMetatag('child');
    expect(child.closed).toBe(true);
    expect(grandchild.closed).toBe(true);
    expect(() => child.set('a', 1)).toThrow(DatabaseClosedError);
    await expect(grandchild.save()).rejects.toBeInstanceOf(DatabaseClosedError);
    // A new metatag of the same name is a fresh, empty instance.
    const again = await db.metatag('child');
    expect(again).not.toBe(child);
    expect(again.closed).toBe(false);
    await db.close();
    expect(db.closed).toBe(true);
    expect(again.closed).toBe(true);
    expect(() => db.get('x')).toThrow(DatabaseClosedError);
    await expect(db.hmac('x')).rejects.toBeInstanceOf(DatabaseClosedError);
  });
});

describe('inspection', () => {
  test('tagId names the raw records of a tag; unsaved lists set() changes until saved', async () => {
    const { db, directory } = await freshVault();
    db.set('a', 1).set('b', 2);
    expect(db.unsaved).toEqual(['a', 'b']);
    await db.saveTag('a');
    expect(db.unsaved).toEqual(['b']);
    await db.save();
    expect(db.unsaved).toEqual([]);
    const id = await db.tagId('a');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const keys = (await rawDirectory(directory)).filter((r) => r.store === 'tags').map((r) => r.key as [string, string]);
    expect(keys).toContainEqual([db.vaultId, id]);
    expect(await db.tagId('a')).toBe(id);
    const other = (await freshVault()).db;
    expect(await other.tagId('a')).not.toBe(id);
  });
});

describe('durability', () => {
  test('"strict" and "relaxed" writes persist alike; a bad value is refused', async () => {
    for (const durability of ['strict', 'relaxed', 'default'] as const) {
      const { db, key, directory } = await freshVault({ durability });
      db.set('a', durability);
      (await db.metatag('m')).set('b', 1);
      await db.save();
      expect((await Database.open(key, { directory })).get('a')).toBe(durability);
    }
    await expect(Database.open(Keys.csprng(), { durability: 'eventually' as never })).rejects.toMatchObject({ argument: 'options.durability' });
  });
});
