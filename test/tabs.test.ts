import { expect, test } from 'vitest';
import { Database, Keys } from '../src/index';
import { freshDirectory, freshVault } from './helpers';
import { openTab } from './tabs';

test('a fresh page opens what this page saved (after a "reload")', async () => {
  const { db, key, directory } = await freshVault();
  db.set('favorite_foods', ['justice', 'community']);
  const molly = await db.metatag('molly');
  molly.set('hobbies', ['reading']);
  await db.save();

  const tab = await openTab();
  try {
    const other = await tab.tagvault.Database.open(key, { directory });
    expect(other.get('favorite_foods')).toEqual(['justice', 'community']);
    expect(other.metatags).toEqual(['molly']);
    expect((await other.metatag('molly')).get('hobbies')).toEqual(['reading']);
  } finally {
    tab.close();
  }
});

test('two tabs saving different tags of one vault lose neither, and hear of each other', async () => {
  const key = Keys.csprng();
  const directory = freshDirectory();
  const tab = await openTab();
  try {
    const a = await Database.open(key, { directory });
    const b = await tab.tagvault.Database.open(key, { directory });
    const heard = new Promise<string[]>((resolve) => {
      a.addEventListener('change', (e) => resolve(e.detail.tags));
    });
    // Interleaved writes from both tabs, many rounds.
    for (let i = 0; i < 20; i++) {
      a.set(`a${i}`, i);
      b.set(`b${i}`, i);
      await Promise.all([a.save(), b.saveTag(`b${i}`)]);
    }
    expect((await heard).length).toBeGreaterThan(0);
    const fresh = await Database.open(key, { directory });
    for (let i = 0; i < 20; i++) {
      expect(fresh.get(`a${i}`)).toBe(i);
      expect(fresh.get(`b${i}`)).toBe(i);
    }
    // The other tab's cache converges to what is stored (BroadcastChannel refresh).
    await expect.poll(() => a.tags.length, { timeout: 10_000 }).toBe(40);
    expect(a.get('b19')).toBe(19);
    // Both tabs adding metatags keeps both.
    await (await a.metatag('from-a')).save();
    await a.save();
    await b.metatag('from-b');
    await b.save();
    const merged = await Database.open(key, { directory });
    expect(merged.metatags.sort()).toEqual(['from-a', 'from-b']);
  } finally {
    tab.close();
  }
});
