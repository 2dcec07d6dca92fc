// Stored-format compatibility of key slots: the raw records of a key-slot profile written by the
// format-v3 code (test/fixtures/format-v3/, never regenerated; profile record version 2) must
// keep opening by each of its slots, through the public API only.
import { describe, expect, test } from 'vitest';
import { AuthenticationError, Database } from '../src/index';
import type { SlotFixture } from './fixtures/format-v3/fixture';
import fixtureJson from './fixtures/format-v3/vault.json';
import { decodeTagged, loadFixture } from './fixtures/load-fixture';
import { freshDirectory } from './helpers';

const fixture = fixtureJson as unknown as SlotFixture;
const p = fixture.profile;

async function loaded(): Promise<string> {
  const directory = freshDirectory('format-v3');
  await loadFixture(fixture, directory);
  return directory;
}

function tokens(password = p.password) {
  return Database.generateProfileTokens(...p.credentials, { username: p.username, password, salt: p.salt });
}

async function expectProfile(db: Database): Promise<void> {
  expect(db.vaultId).toBe(p.vaultIds[0]);
  expect(db.corrupted).toEqual([]);
  expect(Object.fromEntries(db.tags.map((t) => [t, db.get(t)]))).toEqual(p.tags);
  const notes = await db.metatag('notes');
  expect(notes.vaultId).toBe(p.vaultIds[1]);
  expect(Object.fromEntries(notes.tags.map((t) => [t, notes.get(t)]))).toEqual(p.notes);
}

describe('format-v3 fixture (key slots)', () => {
  test('the fixture holds what these tests rely on', () => {
    expect(fixture.format).toEqual({ indexedDbSchemaVersion: 2, headerFormat: 1, envelopeVersion: 1, profileRecordVersion: 2 });
    const profiles = fixture.records.filter((r) => r.store === 'profiles').map((r) => decodeTagged(r.value) as Record<string, unknown>);
    expect(profiles).toHaveLength(1);
    const record = profiles[0]!;
    expect(Object.keys(record).sort()).toEqual(['secretSalt', 'slots', 'version']);
    expect(record.version).toBe(2);
    const slots = record.slots as Record<string, unknown>[];
    expect(slots.map((s) => s.kind)).toEqual(['password', 'password', 'recovery', 'passkey']);
    expect(Object.keys(slots[0]!).sort()).toEqual(['created', 'id', 'iterations', 'kind', 'label', 'memoryKiB', 'salt', 'wrapped']);
    expect(Object.keys(slots[2]!).sort()).toEqual(['created', 'id', 'kind', 'label', 'salt', 'wrapped']);
    expect(Object.keys(slots[3]!).sort()).toEqual(['created', 'credentialId', 'id', 'kind', 'label', 'rpId', 'salt', 'wrapped']);
    expect(p.recoveryCode).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
  });

  test('opens by each password and by the recovery code; a wrong password is refused', async () => {
    const directory = await loaded();
    for (const open of [
      async () => Database.loadProfile(await tokens(), { directory }),
      async () => Database.loadProfile(await tokens(p.secondPassword), { directory, preload: true }),
      async () => Database.loadProfile(await tokens(p.wrongPassword), { directory, recoveryCode: p.recoveryCode }),
    ]) {
      const db = await open();
      await expectProfile(db);
      await db.close();
    }
    await expect(Database.loadProfile(await tokens(p.wrongPassword), { directory })).rejects.toBeInstanceOf(AuthenticationError);
  });

  test('keySlots lists the four slots as they were written, the passkey with its relying party', async () => {
    const directory = await loaded();
    const db = await Database.loadProfile(await tokens(), { directory });
    const slots = await db.keySlots();
    expect(slots.map((s) => ({ ...s, created: s.created!.getTime() }))).toEqual(p.slots);
    expect(slots[3]!.rpId).toBe('localhost');
    await db.close();
  });

  test('slots change on top of the fixture: remove one, add one, every other way still opens', async () => {
    const directory = await loaded();
    const db = await Database.loadProfile(await tokens(), { directory });
    await db.removeKeySlot(p.slots[1]!.id, { unlock: { recoveryCode: p.recoveryCode } });
    const code = await db.addRecoveryCode({ unlock: { password: p.password } });
    await db.close();
    await expect(Database.loadProfile(await tokens(p.secondPassword), { directory })).rejects.toBeInstanceOf(AuthenticationError);
    for (const recoveryCode of [p.recoveryCode, code]) {
      const again = await Database.loadProfile(await tokens(), { directory, recoveryCode });
      await expectProfile(again);
      await again.close();
    }
  });
});
