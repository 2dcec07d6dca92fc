// Stored-format compatibility: the raw IndexedDB records of a directory written by the format-v2
// code (test/fixtures/format-v2/, never regenerated) must keep opening, through the public API
// only, with every tag, value, order and metatag as it was written. A new stored format adds a
// new fixture folder and a test of its own; this one keeps passing.
import { describe, expect, test } from 'vitest';
import { AuthenticationError, Database, Keys } from '../src/index';
import fixtureJson from './fixtures/format-v2/vault.json';
import { decodeTagged, type ExpectedVault, type Fixture, loadFixture } from './fixtures/load-fixture';
import { freshDirectory, rawDirectory } from './helpers';

const fixture = fixtureJson as unknown as Fixture;
const STORES = ['tags', 'names', 'headers', 'profiles'];

/** The fixture in a fresh IndexedDB database. */
async function loaded(): Promise<string> {
  const directory = freshDirectory('format-v2');
  await loadFixture(fixture, directory);
  return directory;
}

/** The vault at `path` below `root`. */
async function at(root: Database, path: string[], preload: boolean): Promise<Database> {
  let db = root;
  for (const name of path) db = await db.metatag(name, { preload });
  return db;
}

/** Checks every vault of a tree against the fixture, reading values with `get` (preload) or `query` and iteration. */
async function expectTree(root: Database, vaults: ExpectedVault[], preload: boolean): Promise<void> {
  for (const expected of vaults) {
    const db = await at(root, expected.path, preload);
    const where = `vault /${expected.path.join('/')}`;
    expect(db.vaultId, where).toBe(expected.vaultId);
    expect(db.corrupted, where).toEqual([]);
    expect(db.tags, where).toEqual(expected.tags.map((t) => t.tag));
    expect(db.metatags, where).toEqual(expected.metatags);
    if (preload) {
      for (const t of expected.tags) expect(db.get(t.tag), `${where} ${t.tag}`).toEqual(t.value);
    } else {
      // Half the tags one by one with query, the rest through async iteration (one batch).
      const half = expected.tags.slice(0, Math.ceil(expected.tags.length / 2));
      for (const t of half) {
        expect(db.get(t.tag), `${where} ${t.tag} not loaded yet`).toBeUndefined();
        expect(await db.query(t.tag), `${where} ${t.tag}`).toEqual(t.value);
      }
      const all: [string, unknown][] = [];
      for await (const entry of db) all.push(entry);
      expect(all, where).toEqual(expected.tags.map((t) => [t.tag, t.value]));
    }
    for (const t of expected.tags) expect(await db.tagId(t.tag), `${where} ${t.tag} id`).toBe(t.tagId);
    expect(db.corrupted, where).toEqual([]);
  }
}

async function tokens(password = fixture.profile.password) {
  const p = fixture.profile;
  return Database.generateProfileTokens(...p.credentials, { username: p.username, password, salt: p.salt });
}

/** The stored profile records of a directory, raw. */
async function rawProfiles(directory: string): Promise<unknown[]> {
  return (await rawDirectory(directory)).filter((r) => r.store === 'profiles').map((r) => r.value);
}

describe('format-v2 fixture', () => {
  test('the fixture holds what these tests rely on', () => {
    expect(fixture.fixture).toBe('format-v2');
    expect(fixture.format).toEqual({ indexedDbSchemaVersion: 2, headerFormat: 1, envelopeVersion: 1, profileRecordVersion: 1 });
    expect(fixture.schemaVersion).toBe(2);
    expect(fixture.stores).toEqual(STORES);
    expect(fixture.key).toMatch(/^[0-9a-f]{128}$/);

    const records = fixture.records.map((r) => ({ store: r.store, key: decodeTagged(r.key), value: decodeTagged(r.value) }));
    const byStore = (name: string) => records.filter((r) => r.store === name);
    for (const name of STORES) expect(byStore(name).length, `records in ${name}`).toBeGreaterThan(0);
    expect(records.every((r) => STORES.includes(r.store))).toBe(true);

    // Envelopes: bytes of envelope version 1; keys [vaultId, id] in tags/names, vaultId in headers.
    for (const r of [...byStore('tags'), ...byStore('names'), ...byStore('headers')]) {
      expect(r.value).toBeInstanceOf(Uint8Array);
      expect((r.value as Uint8Array)[0]).toBe(fixture.format.envelopeVersion);
    }
    for (const r of [...byStore('tags'), ...byStore('names')]) {
      expect(Array.isArray(r.key) && r.key.length === 2 && r.key.every((k) => typeof k === 'string')).toBe(true);
    }
    expect(byStore('headers').every((r) => typeof r.key === 'string')).toBe(true);

    const vaults = [...fixture.vaults, ...fixture.profile.vaults];
    const vaultIds = vaults.map((v) => v.vaultId);
    expect(new Set(vaultIds).size).toBe(vaults.length);

    // Every tag record is one expected tag, and every expected tag has its record: nothing unaccounted for.
    const tagKeys = byStore('tags').map((r) => (r.key as string[]).join('/'));
    const expectedKeys = vaults.flatMap((v) => v.tags.map((t) => `${v.vaultId}/${t.tagId}`));
    expect([...tagKeys].sort()).toEqual([...expectedKeys].sort());

    // Nested metatags, with tags at every level.
    const root = fixture.vaults[0]!;
    expect(root.path).toEqual([]);
    expect(root.tags.length).toBeGreaterThan(0);
    const deep = fixture.vaults.filter((v) => v.path.length >= 2);
    expect(deep.length).toBeGreaterThan(0);
    for (const v of fixture.vaults) {
      expect(v.tags.length, `tags of /${v.path.join('/')}`).toBeGreaterThan(0);
      if (v.path.length > 0) {
        const parent = fixture.vaults.find((p) => p.path.join('/') === v.path.slice(0, -1).join('/'))!;
        expect(parent.metatags).toContain(v.path.at(-1));
      }
    }

    // Name blocks of at least two size classes (levels) in the root vault.
    const levels = new Set(
      byStore('names')
        .filter((r) => (r.key as string[])[0] === root.vaultId)
        .map((r) => (r.key as string[])[1]!.slice(0, 3)),
    );
    expect([...levels].every((l) => /^\d\d\.$/.test(l))).toBe(true);
    expect(levels.size).toBeGreaterThanOrEqual(2);

    // A header for every vault with metatags.
    const headerIds = byStore('headers').map((r) => r.key);
    for (const v of vaults.filter((v) => v.metatags.length > 0)) expect(headerIds).toContain(v.vaultId);

    // The password profile.
    expect(byStore('profiles').map((r) => r.key)).toEqual([fixture.profile.profileId]);
    const profile = byStore('profiles')[0]!.value as Record<string, unknown>;
    expect(Object.keys(profile).sort()).toEqual(['iterations', 'memoryKiB', 'secretSalt', 'version', 'wrapped']);
    expect(profile.version).toBe(fixture.format.profileRecordVersion);
    expect(profile.memoryKiB).toBe(fixture.profile.kb);
    expect(profile.iterations).toBe(fixture.profile.cpu);
    expect(profile.secretSalt).toBeInstanceOf(Uint8Array);
    expect((profile.secretSalt as Uint8Array).length).toBe(32);
    expect(profile.wrapped).toBeInstanceOf(Uint8Array);
    expect(fixture.profile.vaults[0]!.tags.length).toBeGreaterThan(0);
  });

  test('opens by key with preload: every tag, value, order and metatag', async () => {
    const directory = await loaded();
    const db = await Database.open(fixture.key, { directory });
    try {
      await expectTree(db, fixture.vaults, true);
    } finally {
      await db.close();
    }
  });

  test('opens by key without preload: names from the name blocks, values by query and iteration', async () => {
    const directory = await loaded();
    const db = await Database.open(fixture.key, { directory, preload: false });
    try {
      await expectTree(db, fixture.vaults, false);
    } finally {
      await db.close();
    }
  });

  test('the key as bytes opens it the same', async () => {
    const directory = await loaded();
    const key = Uint8Array.from(fixture.key.match(/../g)!, (h) => parseInt(h, 16));
    const db = await Database.open(key, { directory });
    expect(db.vaultId).toBe(fixture.vaults[0]!.vaultId);
    expect(db.tags).toEqual(fixture.vaults[0]!.tags.map((t) => t.tag));
    await db.close();
    // Another key sees an empty vault, and nothing corrupt.
    const other = await Database.open(Keys.csprng(), { directory });
    expect(other.tags).toEqual([]);
    expect(other.metatags).toEqual([]);
    expect(other.corrupted).toEqual([]);
    await other.close();
  });

  test('the password profile opens, with and without preload; a wrong password is refused', async () => {
    const directory = await loaded();
    const right = await tokens();
    expect(right.profileId).toBe(fixture.profile.profileId);
    expect(await Database.profileExists(right, { directory })).toBe(true);
    for (const preload of [true, false]) {
      const db = await Database.loadProfile(right, { directory, preload });
      try {
        await expectTree(db, fixture.profile.vaults, preload);
      } finally {
        await db.close();
      }
    }
    const wrong = await tokens(fixture.profile.wrongPassword);
    expect(wrong.profileId).toBe(fixture.profile.profileId);
    await expect(Database.loadProfile(wrong, { directory })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(
      Database.generateProfile(wrong, { directory, kb: fixture.profile.kb, cpu: fixture.profile.cpu, unsafeLowCostsForTests: true }),
    ).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('its version-1 profile migrates on the first slot change: one password slot becomes a version-2 record, every way in opens', async () => {
    const directory = await loaded();
    const right = await tokens();
    const db = await Database.loadProfile(right, { directory });
    expect((await db.keySlots()).map((s) => [s.kind, s.label, s.created])).toEqual([['password', 'Password', undefined]]);
    const code = await db.addRecoveryCode({ unlock: { password: fixture.profile.password } });
    const slots = await db.keySlots();
    expect(slots.map((s) => s.kind)).toEqual(['password', 'recovery']);
    await db.close();
    const [stored] = await rawProfiles(directory);
    expect((stored as { version: number }).version).toBe(2);
    for (const open of [() => Database.loadProfile(right, { directory }), () => Database.loadProfile(right, { directory, recoveryCode: code })]) {
      const opened = await open();
      try {
        await expectTree(opened, fixture.profile.vaults, true);
      } finally {
        await opened.close();
      }
    }
    const wrong = await tokens(fixture.profile.wrongPassword);
    await expect(Database.loadProfile(wrong, { directory })).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('its version-1 profile migrates on a password change too', async () => {
    const directory = await loaded();
    const changed = await Database.changeProfilePassword(await tokens(), 'a new password', { directory });
    expect(((await rawProfiles(directory))[0] as { version: number }).version).toBe(2);
    await expect(Database.loadProfile(await tokens(), { directory })).rejects.toBeInstanceOf(AuthenticationError);
    const db = await Database.loadProfile(changed, { directory });
    try {
      await expectTree(db, fixture.profile.vaults, true);
    } finally {
      await db.close();
    }
  });

  test('saves on top of the fixture: new tags merge with its name blocks, changed values keep their order', async () => {
    const directory = await loaded();
    const db = await Database.open(fixture.key, { directory });
    const [first, second] = fixture.vaults[0]!.tags;
    db.set(first!.tag, { changed: true });
    db.set('added after the fixture', 1);
    const molly = await db.metatag(fixture.vaults[1]!.path[0]!);
    molly.set('added too', [2]);
    await db.save();
    await db.close();

    const again = await Database.open(fixture.key, { directory, preload: false });
    try {
      const expected = structuredClone(fixture.vaults);
      expected[0]!.tags[0]!.value = { changed: true };
      expected[0]!.tags.push({ tag: 'added after the fixture', tagId: await again.tagId('added after the fixture'), value: 1 });
      const child = await again.metatag(fixture.vaults[1]!.path[0]!, { preload: false });
      expected[1]!.tags.push({ tag: 'added too', tagId: await child.tagId('added too'), value: [2] });
      await expectTree(again, expected, false);
      expect(await again.query(second!.tag)).toEqual(second!.value);
    } finally {
      await again.close();
    }
  });
});
