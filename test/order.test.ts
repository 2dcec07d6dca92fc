import { expect, test } from 'vitest';
import { Database } from '../src/index';
import { freshVault } from './helpers';

test('tags keep their insertion order after reopen, across saves, updates and saveTag', async () => {
  const { db, key, directory } = await freshVault();
  const names = ['zulu', 'alpha', 'mike', 'bravo', 'yankee'];
  for (const n of names) db.set(n, n);
  await db.save();
  db.set('charlie', 1);
  await db.saveTag('charlie');
  db.set('alpha', 'updated'); // an update keeps its place
  db.set('delta', 2);
  await db.save();
  const expected = [...names, 'charlie', 'delta'];
  expect(db.tags).toEqual(expected);
  expect((await Database.open(key, { directory })).tags).toEqual(expected);
  expect((await Database.open(key, { directory, preload: false })).tags).toEqual(expected);
});
