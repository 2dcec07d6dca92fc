// Backups (issue 15): export and import round trips (by key, by passphrase, a profile carried),
// preload on and off after import, replace and refusal, progress, inspectBackup, corrupt records
// at export, and persistent storage. The hostile files are in test/reliability/backup-files.test.ts.
import { describe, expect, test } from 'vitest';
import { AuthenticationError, BackupFormatError, Database, Keys, ValidationError, VaultExistsError } from '../src/index';
import { freshDirectory, rawDirectory, rawWrite, snapshot } from './helpers';
import { openTab } from './tabs';

const LOW = { kb: 64, cpu: 1, unsafeLowCostsForTests: true };

/** A vault with nested metatags and values of every JSON kind, saved. */
async function sample(directory = freshDirectory()) {
  const key = Keys.csprng();
  const db = await Database.open(key, { directory });
  db.set('ledger', { balance: 42, history: [1, 2, 3] });
  db.set('unicode ☂', 'naïve café — 東京');
  const molly = await db.metatag('molly');
  molly.set('hobbies', ['skipping']);
  const inner = await molly.metatag('inner');
  inner.set('deep', null);
  await db.save();
  return { key, db, directory };
}

/** Every vault of the tree as [path, tags and values], reading with get (preload) or query. */
async function contents(db: Database, preload = true, path: string[] = []): Promise<unknown[]> {
  const out: unknown[] = [];
  const values: [string, unknown][] = [];
  for (const tag of db.tags) values.push([tag, preload ? db.get(tag) : await db.query(tag)]);
  out.push([path.join('/'), values, db.metatags]);
  for (const name of db.metatags) out.push(...(await contents(await db.metatag(name, { preload }), preload, [...path, name])));
  return out;
}

describe('backups: export and import', () => {
  test('by key: a vault with nested metatags round-trips into a fresh directory, with preload on and off', async () => {
    const { key, db } = await sample();
    const expected = await contents(db);
    const file = await db.export();
    expect(file).toBeInstanceOf(Blob);
    expect(file.size).toBeGreaterThan(0);
    for (const preload of [true, false]) {
      const directory = freshDirectory();
      const imported = await Database.import(file, key, { directory, preload });
      expect(imported.vaultId).toBe(db.vaultId);
      expect(await contents(imported, preload)).toEqual(expected);
      await imported.close();
      // Exactly the records the source holds: the same keys and bytes.
      const source = (await rawDirectory(db.directory)).filter((r) => r.store !== 'profiles');
      expect(JSON.stringify(await rawDirectory(directory))).toBe(JSON.stringify(source));
    }
    await db.close();
  });

  test('10,000 tags, a 16 MB value and metatags round-trip, with preload on and off', async () => {
    const key = Keys.csprng();
    const db = await Database.open(key, { directory: freshDirectory() });
    for (let i = 0; i < 10_000; i++) db.set(`tag ${i}`, { i, text: `value ${i}` });
    const big = 'x'.repeat(16 * 1024 * 1024 - 1) + 'y';
    db.set('big', big);
    const m = await db.metatag('m');
    for (let i = 0; i < 100; i++) m.set(`m${i}`, i);
    (await m.metatag('n')).set('n', 'deep');
    await db.save();
    const file = await db.export();
    expect(file.size).toBeGreaterThan(16 * 1024 * 1024);
    expect((await Database.inspectBackup(file)).vaults).toBe(3);
    for (const preload of [true, false]) {
      const restored = await Database.import(file, key, { directory: freshDirectory(), preload });
      expect(restored.size).toBe(10_001);
      const value = preload ? restored.get('big') : await restored.query('big');
      expect(typeof value === 'string' && value.length === big.length && value === big).toBe(true);
      for (const i of [0, 4_999, 9_999]) expect(preload ? restored.get(`tag ${i}`) : await restored.query(`tag ${i}`)).toEqual({ i, text: `value ${i}` });
      const rm = await restored.metatag('m', { preload });
      expect(rm.size).toBe(100);
      expect(await (await rm.metatag('n', { preload })).query('n')).toBe('deep');
      await restored.close();
    }
    await db.close();
  }, 240_000);

  test('the file reveals no tag name, value or metatag name', async () => {
    const { db } = await sample();
    const bytes = new Uint8Array(await (await db.export()).arrayBuffer());
    const text = new TextDecoder('latin1').decode(bytes);
    for (const secret of ['ledger', 'balance', 'molly', 'hobbies', 'skipping', 'inner', 'deep']) expect(text).not.toContain(secret);
    await db.close();
  });

  test('by passphrase: the file carries the key and opens with the passphrase alone; a wrong one is refused', async () => {
    const { key, db } = await sample();
    const expected = await contents(db);
    const file = await db.export({ passphrase: 'correct horse battery staple', unlock: { key }, ...LOW });
    const info = await Database.inspectBackup(file);
    expect(info).toMatchObject({ format: 'tagvault-backup', version: 1, keyInside: true, vaults: 3, skipped: 0, bytes: file.size });
    expect(info.records).toBe((await rawDirectory(db.directory)).length);
    expect(info.created).toBeInstanceOf(Date);
    const directory = freshDirectory();
    const before = await snapshot(directory);
    await expect(Database.import(file, { passphrase: 'wrong horse', directory })).rejects.toThrow(AuthenticationError);
    await expect(Database.import(file, Keys.csprng(), { directory })).rejects.toThrow(AuthenticationError);
    expect(await snapshot(directory)).toBe(before);
    const imported = await Database.import(file, { passphrase: 'correct horse battery staple', directory });
    expect(await contents(imported)).toEqual(expected);
    await imported.close();
    // The key still opens it too, and a backup without a passphrase says so.
    expect((await Database.inspectBackup(await db.export())).keyInside).toBe(false);
    await expect(Database.import(await db.export(), { passphrase: 'x', directory: freshDirectory() })).rejects.toMatchObject({
      name: 'ValidationError',
      argument: 'passphrase',
    });
    await db.close();
  });

  test('a profile carried to another directory opens there with the same tokens; its secret salt never travels', async () => {
    const directory = freshDirectory();
    const tokens = await Database.generateProfileTokens('example.com', { username: 'ann', password: 'pw' });
    const db = await Database.generateProfile(tokens, { directory, ...LOW });
    db.set('diary', 'dear diary');
    (await db.metatag('m')).set('x', 1);
    await db.save();
    const code = await db.addRecoveryCode({ unlock: { password: 'pw' } });
    // Its key is known to no one: a backup without a passphrase could never be imported, so none is made.
    await expect(db.export()).rejects.toMatchObject({ name: 'ValidationError', argument: 'options.passphrase' });
    const file = await db.export({ passphrase: 'backup passphrase', unlock: { recoveryCode: code }, ...LOW });
    const [profile] = (await rawDirectory(directory)).filter((r) => r.store === 'profiles');
    const salt = (profile!.value as { secretSalt: Uint8Array }).secretSalt;
    const bytes = new Uint8Array(await file.arrayBuffer());
    const b64 = btoa(String.fromCharCode(...salt));
    expect(new TextDecoder('latin1').decode(bytes)).not.toContain(b64);
    await db.close();

    const elsewhere = freshDirectory();
    const carried = await Database.import(file, { passphrase: 'backup passphrase', directory: elsewhere, profile: tokens, ...LOW });
    expect(carried.get('diary')).toBe('dear diary');
    await carried.close();
    const reopened = await Database.loadProfile(tokens, { directory: elsewhere });
    expect(reopened.get('diary')).toBe('dear diary');
    expect((await reopened.metatag('m')).get('x')).toBe(1);
    expect((await reopened.keySlots()).map((s) => s.kind)).toEqual(['password']);
    await reopened.close();
    // A profile already there is not overwritten.
    await expect(Database.import(file, { passphrase: 'backup passphrase', directory: elsewhere, profile: tokens, ...LOW })).rejects.toThrow(VaultExistsError);
  });

  test('a directory holding the vault refuses the import; replace makes it exactly the file’s', async () => {
    const { key, db, directory } = await sample();
    const file = await db.export();
    const before = await snapshot(directory);
    await expect(Database.import(file, key, { directory })).rejects.toThrow(VaultExistsError);
    expect(await snapshot(directory)).toBe(before);
    // Later changes: a new tag, a new metatag, a changed value; then replace by the older file.
    db.set('added later', 1);
    db.set('ledger', 'changed');
    (await db.metatag('later')).set('t', 2);
    await db.save();
    // Another vault of the directory is untouched.
    const otherKey = Keys.csprng();
    const other = await Database.open(otherKey, { directory });
    other.set('keep me', true);
    await other.save();
    await other.close();
    await db.close();
    const replaced = await Database.import(file, key, { directory, replace: true });
    expect([...replaced.tags].sort()).toEqual(['ledger', 'unicode ☂']);
    expect(replaced.get('ledger')).toEqual({ balance: 42, history: [1, 2, 3] });
    expect(replaced.metatags).toEqual(['molly']);
    // The metatag the file lacks is gone, records and all.
    expect((await replaced.metatag('later')).tags).toEqual([]);
    await replaced.close();
    const kept = await Database.open(otherKey, { directory });
    expect(kept.get('keep me')).toBe(true);
    await kept.close();
  });

  test('another tab with the vault open hears a replacing import: its cache becomes the file’s', async () => {
    const { key, db, directory } = await sample();
    const file = await db.export();
    db.set('added later', 1);
    db.set('ledger', 'changed');
    await db.save();
    await db.close();
    const tab = await openTab();
    try {
      const other = await tab.tagvault.Database.open(key, { directory });
      expect(other.get('ledger')).toBe('changed');
      const heard = new Promise<string[]>((resolve) => other.addEventListener('change', (e) => resolve(e.detail.tags)));
      const replaced = await Database.import(file, key, { directory, replace: true });
      expect(await heard).toEqual(expect.arrayContaining(['added later', 'ledger']));
      expect(other.get('ledger')).toEqual({ balance: 42, history: [1, 2, 3] });
      expect(other.has('added later')).toBe(false);
      expect([...other.tags].sort()).toEqual([...replaced.tags].sort());
      await other.close();
      await replaced.close();
    } finally {
      tab.close();
    }
  });

  test('progress: called at the start, about every 1% and at the end, never once per record', async () => {
    const key = Keys.csprng();
    const db = await Database.open(key, { directory: freshDirectory() });
    for (let i = 0; i < 1000; i++) db.set(`t${i}`, i);
    await db.save();
    const exported: { done: number; total: number }[] = [];
    const file = await db.export({ onProgress: (p) => exported.push(p) });
    await new Promise((r) => setTimeout(r, 50));
    expect(exported[0]).toEqual({ done: 0, total: exported[0]!.total });
    expect(exported.at(-1)!.done).toBe(exported.at(-1)!.total);
    expect(exported.length).toBeLessThanOrEqual(103);
    expect(exported.length).toBeGreaterThan(2);
    const imported: { done: number; total: number }[] = [];
    const restored = await Database.import(file, key, { directory: freshDirectory(), onProgress: (p) => imported.push(p) });
    await new Promise((r) => setTimeout(r, 50));
    expect(imported.length).toBeLessThanOrEqual(103);
    expect(imported.at(-1)!.done).toBe(imported.at(-1)!.total);
    expect(restored.size).toBe(1000);
    await restored.close();
    await db.close();
  });

  test('a stored record that fails authentication refuses the export, or is left out and reported with skipCorrupted', async () => {
    const { key, db, directory } = await sample();
    const [victim] = (await rawDirectory(directory)).filter((r) => r.store === 'tags' && (r.key as string[])[0] === db.vaultId);
    const bytes = new Uint8Array(victim!.value as Uint8Array);
    bytes[bytes.length - 1]! ^= 1;
    await rawWrite(directory, [{ put: { ...victim!, value: bytes } }]);
    await expect(db.export()).rejects.toThrow(AuthenticationError);
    const reported: unknown[] = [];
    const file = await db.export({ skipCorrupted: true, onSkipped: (records) => reported.push(...records) });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ store: 'tags' });
    expect((await Database.inspectBackup(file)).skipped).toBe(1);
    const restored = await Database.import(file, key, { directory: freshDirectory() });
    expect(restored.corrupted).toEqual([]);
    expect(restored.size).toBe(db.size - 1);
    await restored.close();
    await db.close();
  });

  test('a metatag is exported with its root; bad options name themselves', async () => {
    const { key, db } = await sample();
    const molly = await db.metatag('molly');
    await expect(molly.export()).rejects.toMatchObject({ name: 'ValidationError', argument: 'db' });
    await expect(db.export({ passphrase: 'p', ...LOW })).rejects.toMatchObject({ argument: 'options.unlock' });
    await expect(db.export({ passphrase: 'p', unlock: { key: Keys.csprng() }, ...LOW })).rejects.toThrow(AuthenticationError);
    await expect(db.export({ passphrase: 'p', unlock: { password: 'x' }, ...LOW })).rejects.toMatchObject({ argument: 'options.unlock' });
    await expect(db.export({ passphrase: 'p', unlock: { key }, kb: 64 })).rejects.toMatchObject({ argument: 'options.kb' });
    await expect(db.export({ unlock: { key } })).rejects.toMatchObject({ argument: 'options.unlock' });
    await expect(db.export({ onProgress: 5 as never })).rejects.toMatchObject({ argument: 'options.onProgress' });
    await expect(Database.import('not a file' as never, key)).rejects.toMatchObject({ argument: 'file' });
    await expect(Database.import(new Blob([]), key)).rejects.toThrow(BackupFormatError);
    await expect(Database.inspectBackup(new Blob(['{"format":"tagvault-backup"}']))).rejects.toThrow(BackupFormatError);
    await expect(Database.import(await db.export(), key, { profile: 'tokens' as never })).rejects.toMatchObject({ argument: 'options.profile' });
    await expect(Database.import(await db.export(), 'nope')).rejects.toMatchObject({ name: 'ValidationError', argument: 'key' });
    expect(ValidationError).toBeDefined();
    await db.close();
  });
});

describe('persistent storage', () => {
  test('persist() answers a boolean within its wait; storageEstimate() reports usage and quota where the browser has the Storage API', async () => {
    const storage = navigator.storage as Partial<StorageManager> | undefined;
    const api = { persist: typeof storage?.persist, persisted: typeof storage?.persisted, estimate: typeof storage?.estimate };
    const persisted = await Database.persist();
    expect(typeof persisted).toBe('boolean');
    if (api.persist !== 'function') expect(persisted).toBe(false);
    const status = await Database.storageEstimate();
    expect(status.supported, JSON.stringify(api)).toBe(api.persisted === 'function' || api.estimate === 'function');
    expect(typeof status.persisted).toBe('boolean');
    if (api.persisted !== 'function') expect(status.persisted).toBe(false);
    if (api.estimate === 'function') {
      expect(status.usage).toBeGreaterThanOrEqual(0);
      expect(status.quota).toBeGreaterThan(0);
    } else {
      expect(status).toMatchObject({ usage: undefined, quota: undefined });
    }
  });
});
