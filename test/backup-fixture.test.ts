// The backup-v1 fixture (test/fixtures/backup-v1/): two backup files written by the first backup
// format must keep importing, by key and by passphrase, with every vault, tag and value as they
// were, and keep refusing a wrong key or passphrase.
import { describe, expect, test } from 'vitest';
import { commands } from 'vitest/browser';
import { AuthenticationError, Database } from '../src/index';
import type { BackupFixture, FixtureVault } from './fixtures/backup-v1/fixture';
import { freshDirectory, snapshot } from './helpers';

const fixture = JSON.parse(await commands.readFile('test/fixtures/backup-v1/backups.json')) as BackupFixture;

function file(name: keyof BackupFixture['files']): Blob {
  const text = atob(fixture.files[name]);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Blob([bytes]);
}

async function tree(db: Database, preload: boolean, path: string[] = []): Promise<FixtureVault[]> {
  const tags: Record<string, unknown> = {};
  for (const tag of db.tags) tags[tag] = preload ? db.get(tag) : await db.query(tag);
  const out: FixtureVault[] = [{ path, tags, metatags: [...db.metatags] }];
  for (const name of db.metatags) out.push(...(await tree(await db.metatag(name, { preload }), preload, [...path, name])));
  return out;
}

describe('backup-v1 fixture', () => {
  test('inspectBackup reads both headers as they were written', async () => {
    for (const name of ['byKey', 'withPassphrase'] as const) {
      const info = await Database.inspectBackup(file(name));
      expect({ ...info, created: info.created.getTime() }).toEqual({ format: 'tagvault-backup', version: 1, ...fixture.info[name] });
    }
  });

  test('the key backup imports by key, with preload on and off, every vault as it was', async () => {
    for (const preload of [true, false]) {
      const db = await Database.import(file('byKey'), fixture.key, { directory: freshDirectory(), preload });
      expect(db.vaultId).toBe(fixture.vaultId);
      expect(await tree(db, preload)).toEqual(fixture.vaults);
      await db.close();
    }
  });

  test('the passphrase backup imports by its passphrase alone, and by the key', async () => {
    const directory = freshDirectory();
    const db = await Database.import(file('withPassphrase'), {
      passphrase: fixture.passphrase,
      directory,
    });
    expect(await tree(db, true)).toEqual(fixture.vaults);
    await db.close();
    const again = await Database.import(file('withPassphrase'), fixture.key, { directory: freshDirectory() });
    expect(await tree(again, true)).toEqual(fixture.vaults);
    await again.close();
    // What was imported is an ordinary vault: the key opens it.
    const reopened = await Database.open(fixture.key, { directory });
    expect(reopened.get('motto')).toBe('privacy is a right');
    await reopened.close();
  });

  test('a wrong passphrase or key is refused, and nothing is written', async () => {
    const directory = freshDirectory();
    const before = await snapshot(directory);
    await expect(Database.import(file('withPassphrase'), { passphrase: fixture.wrongPassphrase, directory })).rejects.toThrow(AuthenticationError);
    await expect(Database.import(file('byKey'), `${fixture.key.slice(0, -1)}${fixture.key.endsWith('0') ? '1' : '0'}`, { directory })).rejects.toThrow(
      AuthenticationError,
    );
    expect(await snapshot(directory)).toBe(before);
  });
});
