// Key slots (issue 14) on every engine: password and recovery-code slots, their changes (one
// record written, nothing re-encrypted), opening by each, the bad inputs and attacks of the
// issue (typed errors, nothing written). Passkeys: test/passkeys.test.ts (Chromium).
import { describe, expect, test } from 'vitest';
import { AuthenticationError, Database, ProfileNotFoundError, ValidationError } from '../src/index';
import { freshDirectory, freshVault, rawDirectory, rawWrite, snapshot } from './helpers';

const LOW = { kb: 64, cpu: 1, unsafeLowCostsForTests: true };

async function tokensFor(password: string) {
  return Database.generateProfileTokens('example.com', { username: 'alice', password });
}

/** A saved profile (two tags, a metatag) in a fresh directory, open. */
async function profile(password = 'first password') {
  const directory = freshDirectory();
  const tokens = await tokensFor(password);
  const db = await Database.generateProfile(tokens, { directory, ...LOW });
  db.set('ledger', { balance: 42 });
  const archive = await db.metatag('archive');
  archive.set('2024', ['jan']);
  await db.save();
  return { directory, tokens, db };
}

/** The raw records, by store, that differ between two reads of a directory. */
async function changedStores(directory: string, change: () => Promise<unknown>): Promise<string[]> {
  const key = (r: { store: string; key: IDBValidKey }) => `${r.store} ${JSON.stringify(r.key)}`;
  const before = new Map((await rawDirectory(directory)).map((r) => [key(r), JSON.stringify(r.value, bytesAsText)]));
  await change();
  const after = new Map((await rawDirectory(directory)).map((r) => [key(r), JSON.stringify(r.value, bytesAsText)]));
  const changed: string[] = [];
  for (const k of new Set([...before.keys(), ...after.keys()])) if (before.get(k) !== after.get(k)) changed.push(k);
  return changed;
}

function bytesAsText(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Array.from(value).join(',') : value;
}

async function profileRecord(directory: string) {
  const [record] = (await rawDirectory(directory)).filter((r) => r.store === 'profiles');
  return record!;
}

describe('password and recovery-code slots', () => {
  test('a new profile has one password slot; keySlots lists nothing secret', async () => {
    const { db } = await profile();
    const slots = await db.keySlots();
    expect(slots).toHaveLength(1);
    expect(slots[0]).toMatchObject({ kind: 'password', label: 'Password' });
    expect(slots[0]!.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(slots[0]!.created).toBeInstanceOf(Date);
    expect(Object.keys(slots[0]!).sort()).toEqual(['created', 'id', 'kind', 'label']);
    await db.close();
  });

  test('addRecoveryCode: the code is 8 groups of 4, opens the profile (the tokens’ password unused), and is not stored', async () => {
    const { directory, tokens, db } = await profile();
    const code = await db.addRecoveryCode({ unlock: { password: 'first password' }, label: 'paper in the safe' });
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){7}$/);
    expect(JSON.stringify(await rawDirectory(directory), bytesAsText)).not.toContain(code.slice(0, 9));
    const slots = await db.keySlots();
    expect(slots.map((s) => [s.kind, s.label])).toEqual([
      ['password', 'Password'],
      ['recovery', 'paper in the safe'],
    ]);
    await db.close();

    // Tokens without a password (or with a forgotten one) open by the code.
    const forgotten = await Database.generateProfileTokens('example.com', { username: 'alice' });
    await expect(Database.loadProfile(forgotten, { directory })).rejects.toMatchObject({ name: 'ValidationError', argument: 'tokens' });
    const byCode = await Database.loadProfile(forgotten, { directory, recoveryCode: code });
    expect(byCode.get('ledger')).toEqual({ balance: 42 });
    expect((await byCode.metatag('archive')).get('2024')).toEqual(['jan']);
    await byCode.close();
    // Lower case, spaces for hyphens, O for 0 and I/L for 1: the same code.
    const typed = code.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o').replaceAll('1', 'l');
    await (await Database.loadProfile(await tokensFor('not the password'), { directory, recoveryCode: typed })).close();
    // The password still opens it too.
    await (await Database.loadProfile(tokens, { directory })).close();
  });

  test('addPassword: a second password opens the profile; changeProfilePassword replaces only the slot its password opens', async () => {
    const { directory, tokens, db } = await profile();
    const added = await db.addPassword('second password', { unlock: { password: 'first password' }, label: 'shared', ...LOW });
    expect(added).toMatchObject({ kind: 'password', label: 'shared' });
    await db.close();
    const second = await tokensFor('second password');
    await (await Database.loadProfile(second, { directory })).close();

    const changed = await Database.changeProfilePassword(second, 'third password', { directory });
    await expect(Database.loadProfile(second, { directory })).rejects.toThrow(AuthenticationError);
    await (await Database.loadProfile(changed, { directory })).close();
    await (await Database.loadProfile(tokens, { directory })).close();
    const reopened = await Database.loadProfile(tokens, { directory });
    const slots = await reopened.keySlots();
    expect(slots.map((s) => s.id)).toContain(added.id);
    expect(slots.find((s) => s.id === added.id)!.label).toBe('shared');
    await reopened.close();
  });

  test('adding or removing a slot writes one profile record and re-encrypts nothing', async () => {
    const { directory, db } = await profile();
    const record = `profiles ${JSON.stringify((await profileRecord(directory)).key)}`;
    let code = '';
    expect(await changedStores(directory, async () => (code = await db.addRecoveryCode({ unlock: { password: 'first password' } })))).toEqual([record]);
    let id = '';
    expect(await changedStores(directory, async () => (id = (await db.addPassword('another', { unlock: { recoveryCode: code }, ...LOW })).id))).toEqual([
      record,
    ]);
    expect(await changedStores(directory, () => db.removeKeySlot(id, { unlock: { password: 'first password' } }))).toEqual([record]);
    expect((await db.keySlots()).map((s) => s.kind)).toEqual(['password', 'recovery']);
    await db.close();
  });

  test('removeKeySlot: a removed recovery code no longer opens the profile; the last slot cannot be removed', async () => {
    const { directory, tokens, db } = await profile();
    const code = await db.addRecoveryCode({ unlock: { password: 'first password' } });
    const [password, recovery] = await db.keySlots();
    // Remove the password, unlocking by the code: the code alone opens it now.
    await db.removeKeySlot(password!.id, { unlock: { recoveryCode: code } });
    await expect(Database.loadProfile(tokens, { directory })).rejects.toThrow(AuthenticationError);
    const before = await snapshot(directory);
    await expect(db.removeKeySlot(recovery!.id, { unlock: { recoveryCode: code } })).rejects.toMatchObject({ name: 'ValidationError', argument: 'id' });
    expect(await snapshot(directory)).toBe(before);
    await db.addPassword('new', { unlock: { recoveryCode: code }, ...LOW });
    await db.removeKeySlot(recovery!.id, { unlock: { password: 'new' } });
    await expect(Database.loadProfile(tokens, { directory, recoveryCode: code })).rejects.toThrow(AuthenticationError);
    await (await Database.loadProfile(await tokensFor('new'), { directory })).close();
    await db.close();
  });
});

describe('bad input and attacks: typed errors, nothing written', () => {
  test('a wrong password, a wrong code, a mistyped code and a wrong unlock', async () => {
    const { directory, tokens, db } = await profile();
    const code = await db.addRecoveryCode({ unlock: { password: 'first password' } });
    const other = await (await profile()).db.addRecoveryCode({ unlock: { password: 'first password' } });
    const before = await snapshot(directory);

    await expect(Database.loadProfile(await tokensFor('wrong'), { directory })).rejects.toThrow(AuthenticationError);
    // A well-formed code of another profile: its checksum is right, its secret opens nothing here.
    await expect(Database.loadProfile(tokens, { directory, recoveryCode: other })).rejects.toThrow(AuthenticationError);
    // One character changed: the checksum catches it before any work, and the message holds no code.
    const flipped = code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const mistyped = await Database.loadProfile(tokens, { directory, recoveryCode: flipped }).catch((e: unknown) => e);
    expect(mistyped).toMatchObject({ name: 'ValidationError', argument: 'options.recoveryCode' });
    expect(String((mistyped as Error).message)).not.toContain(flipped.slice(5, 9));
    await expect(Database.loadProfile(tokens, { directory, recoveryCode: `${code}-AAAA` })).rejects.toMatchObject({ argument: 'options.recoveryCode' });
    await expect(Database.loadProfile(tokens, { directory, recoveryCode: code.replace(/^./, 'U') })).rejects.toMatchObject({
      argument: 'options.recoveryCode',
    });

    await expect(db.addPassword('x', { unlock: { password: 'wrong' }, ...LOW })).rejects.toThrow(AuthenticationError);
    await expect(db.addRecoveryCode({ unlock: { recoveryCode: other } })).rejects.toThrow(AuthenticationError);
    await expect(db.removeKeySlot((await db.keySlots())[1]!.id, { unlock: { password: 'wrong' } })).rejects.toThrow(AuthenticationError);
    expect(await snapshot(directory)).toBe(before);
    await db.close();
  });

  test('malformed arguments name themselves', async () => {
    const { directory, db } = await profile();
    const before = await snapshot(directory);
    const cases: [() => Promise<unknown>, string][] = [
      [() => db.addPassword('x', undefined as never), 'options.unlock'],
      [() => db.addPassword('x', { unlock: {} as never }), 'options.unlock'],
      [() => db.addPassword('x', { unlock: { password: 'a', recoveryCode: 'b' } as never }), 'options.unlock'],
      [() => db.addPassword('x', { unlock: { passkey: 'yes' } as never }), 'options.unlock.passkey'],
      [() => db.addPassword('x', { unlock: { pasword: 'a' } as never }), 'options.unlock.pasword'],
      [() => db.addPassword('', { unlock: { password: 'first password' } }), 'password'],
      [() => db.addPassword('x', { unlock: { password: 'first password' }, kb: 64 }), 'options.kb'],
      [() => db.addPassword('x', { unlock: { password: 'first password' }, label: '', ...LOW }), 'options.label'],
      [() => db.addRecoveryCode({ unlock: { password: 'first password' }, label: 'x'.repeat(201) }), 'options.label'],
      [() => db.addRecoveryCode({ unlock: { recoveryCode: 'AAAA' } }), 'options.unlock.recoveryCode'],
      [() => db.addPasskey({ unlock: { password: 'first password' }, rpId: '' }), 'options.rpId'],
      [() => db.removeKeySlot('nope', { unlock: { password: 'first password' } }), 'id'],
      [() => db.removeKeySlot(7 as never, { unlock: { password: 'first password' } }), 'id'],
    ];
    for (const [call, argument] of cases) await expect(call(), argument).rejects.toMatchObject({ name: 'ValidationError', argument });
    // A passkey unlock of a profile that has none.
    await expect(db.addRecoveryCode({ unlock: { passkey: true } })).rejects.toMatchObject({ name: 'ValidationError', argument: 'options.unlock' });
    expect(await snapshot(directory)).toBe(before);
    await db.close();
  });

  test('a vault opened by key, or a metatag, has no key slots', async () => {
    const { db } = await freshVault();
    await expect(db.keySlots()).rejects.toThrow(ProfileNotFoundError);
    await db.close();
    const { db: owner } = await profile();
    const archive = await owner.metatag('archive');
    await expect(archive.addRecoveryCode({ unlock: { password: 'first password' } })).rejects.toThrow(ProfileNotFoundError);
    await owner.close();
  });

  test('a slot moved from another profile, a tampered slot, and absurd stored costs fail as AuthenticationError, writing nothing', async () => {
    const a = await profile();
    const codeA = await a.db.addRecoveryCode({ unlock: { password: 'first password' } });
    await a.db.close();
    const b = await profile('b password');
    const codeB = await b.db.addRecoveryCode({ unlock: { password: 'b password' } });
    await b.db.close();
    const recordA = await profileRecord(a.directory);
    const recordB = await profileRecord(b.directory);
    type Slot = { kind: string; label: string; memoryKiB?: number; wrapped: Uint8Array };
    const slotsOf = (r: typeof recordA) => (r.value as { slots: Slot[] }).slots;

    // B's recovery slot moved into A's record: its code is B's, its wrap is bound to B's profile.
    const moved = structuredClone(recordA);
    slotsOf(moved)[1] = slotsOf(recordB)[1]!;
    await rawWrite(a.directory, [{ put: moved }]);
    await expect(Database.loadProfile(a.tokens, { directory: a.directory, recoveryCode: codeB })).rejects.toThrow(AuthenticationError);

    // A's own slot with its label altered (the label is bound by the wrap).
    const relabelled = structuredClone(recordA);
    slotsOf(relabelled)[1]!.label = 'attacker';
    await rawWrite(a.directory, [{ put: relabelled }]);
    await expect(Database.loadProfile(a.tokens, { directory: a.directory, recoveryCode: codeA })).rejects.toThrow(AuthenticationError);

    // A flipped bit of a wrapped root.
    const flipped = structuredClone(recordA);
    slotsOf(flipped)[1]!.wrapped[40]! ^= 1;
    await rawWrite(a.directory, [{ put: flipped }]);
    await expect(Database.loadProfile(a.tokens, { directory: a.directory, recoveryCode: codeA })).rejects.toThrow(AuthenticationError);

    // Absurd costs of the password slot: refused before any Argon2 runs, as a damaged record.
    for (const memoryKiB of [4, 2 ** 31, Number.NaN]) {
      const costly = structuredClone(recordA);
      slotsOf(costly)[0]!.memoryKiB = memoryKiB;
      await rawWrite(a.directory, [{ put: costly }]);
      const before = await snapshot(a.directory);
      await expect(Database.loadProfile(a.tokens, { directory: a.directory })).rejects.toThrow(AuthenticationError);
      await expect(Database.changeProfilePassword(a.tokens, 'x', { directory: a.directory })).rejects.toThrow(AuthenticationError);
      expect(await snapshot(a.directory)).toBe(before);
    }

    // Damaged slot lists: none, a slot of an unknown kind, two slots of one id.
    const damaged = [
      { ...(recordA.value as object), slots: [] },
      { ...(recordA.value as object), slots: [{ ...slotsOf(recordA)[0]!, kind: 'fingerprint' }] },
      { ...(recordA.value as object), slots: [slotsOf(recordA)[0]!, slotsOf(recordA)[0]!] },
    ];
    for (const value of damaged) {
      await rawWrite(a.directory, [{ put: { ...recordA, value } }]);
      const before = await snapshot(a.directory);
      await expect(Database.loadProfile(a.tokens, { directory: a.directory })).rejects.toThrow(/damaged/);
      await expect(Database.generateProfile(a.tokens, { directory: a.directory, ...LOW })).rejects.toThrow(AuthenticationError);
      expect(await snapshot(a.directory)).toBe(before);
    }
    // The original record still opens by password and by code.
    await rawWrite(a.directory, [{ put: recordA }]);
    await (await Database.loadProfile(a.tokens, { directory: a.directory, recoveryCode: codeA })).close();
  });

  test('a slot change on a vault whose profile was rotated elsewhere is refused', async () => {
    const { directory, tokens, db } = await profile();
    await Database.rotateProfileKey(tokens, 'first password', { directory });
    await expect(db.addRecoveryCode({ unlock: { password: 'first password' } })).rejects.toThrow(/rotated/);
    await db.close().catch(() => undefined);
  });
});

describe('rotation and key slots', () => {
  test('rotateProfileKey keeps the slots whose secrets are given and reports the ones it dropped', async () => {
    const { directory, tokens, db } = await profile();
    const kept = await db.addRecoveryCode({ unlock: { password: 'first password' }, label: 'kept' });
    const dropped = await db.addRecoveryCode({ unlock: { password: 'first password' }, label: 'dropped' });
    await db.addPassword('other password', { unlock: { password: 'first password' }, label: 'other', ...LOW });
    const slotsBefore = await db.keySlots();
    await db.close();

    const rotation = await Database.rotateProfileKey(tokens, 'new password', { directory, keepRecoveryCodes: [kept] });
    expect(rotation.dropped.map((s) => s.label).sort()).toEqual(['dropped', 'other']);
    const db2 = await Database.loadProfile(rotation.tokens, { directory });
    const slots = await db2.keySlots();
    expect(slots.map((s) => s.label)).toEqual(['Password', 'kept']);
    // The kept slot keeps its id and date.
    expect(slots[1]).toEqual(slotsBefore.find((s) => s.label === 'kept'));
    expect(db2.get('ledger')).toEqual({ balance: 42 });
    await db2.close();
    await (await Database.loadProfile(tokens, { directory, recoveryCode: kept })).close();
    await expect(Database.loadProfile(tokens, { directory, recoveryCode: dropped })).rejects.toThrow(AuthenticationError);
    await expect(Database.loadProfile(await tokensFor('other password'), { directory })).rejects.toThrow(AuthenticationError);
    // A wrong secret to keep refuses the whole rotation.
    const before = await snapshot(directory);
    await expect(Database.rotateProfileKey(rotation.tokens, 'x', { directory, keepRecoveryCodes: [dropped] })).rejects.toThrow(AuthenticationError);
    expect(await snapshot(directory)).toBe(before);
  });

  test('removing a slot that no longer exists (removed by another tab) is refused', async () => {
    const { db } = await profile();
    await db.addRecoveryCode({ unlock: { password: 'first password' } });
    const [, recovery] = await db.keySlots();
    await db.removeKeySlot(recovery!.id, { unlock: { password: 'first password' } });
    await expect(db.removeKeySlot(recovery!.id, { unlock: { password: 'first password' } })).rejects.toThrow(ValidationError);
    await db.close();
  });
});
