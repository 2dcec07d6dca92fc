import { describe, expect, test } from 'vitest';
import { AuthenticationError, Database, Keys, ValidationError } from '../src/index';
import { engine } from '../src/wire/client';
import { freshVault } from './helpers';

describe('Database: tags', () => {
  test('set / get / has / tags / size, save and reopen', async () => {
    const { db, key, directory } = await freshVault();
    db.set('tag', { data: 'can be any json serializable object' });
    db.set('hobby', Database.base64Encode(new TextEncoder().encode('fash smasher')));
    db.set('bitcoin', '0bb6eee10d2f8f45f8a');
    db.set('lawyer', { '#': '555-555-1000', $: 13000.5 });
    db.set('safehouses', ['Dublin Forgery', 'NY Insurrection']);
    expect(db.tags).toEqual(['tag', 'hobby', 'bitcoin', 'lawyer', 'safehouses']);
    expect(db.size).toBe(5);
    expect(db.has('lawyer')).toBe(true);
    expect(db.get('lawyer')).toEqual({ '#': '555-555-1000', $: 13000.5 });
    await db.save();
    const again = await Database.open(key, { directory });
    expect(again.tags.sort()).toEqual(['bitcoin', 'hobby', 'lawyer', 'safehouses', 'tag']);
    expect(again.get('safehouses')).toEqual(['Dublin Forgery', 'NY Insurrection']);
    expect(again.get('tag')).toEqual({ data: 'can be any json serializable object' });
  });

  test('saveTag alone persists a new tag, listed after reopen', async () => {
    const { db, key, directory } = await freshVault();
    db.set('lawyer', { '#': '555-555-1000' });
    await db.saveTag('lawyer');
    const again = await Database.open(key, { directory });
    expect(again.tags).toEqual(['lawyer']);
    expect(again.get('lawyer')).toEqual({ '#': '555-555-1000' });
  });

  test('pop removes from cache and storage', async () => {
    const { db, key, directory } = await freshVault();
    db.set('pseudonym', 'Free The People');
    await db.save();
    expect(await db.query('pseudonym')).toBe('Free The People');
    expect(await db.pop('pseudonym')).toBe('Free The People');
    expect(db.has('pseudonym')).toBe(false);
    const again = await Database.open(key, { directory });
    expect(again.has('pseudonym')).toBe(false);
  });

  test('preload: false lists tags, query loads', async () => {
    const { db, key, directory } = await freshVault();
    db.set('favorite_foods', ['justice', 'community']);
    await db.save();
    const quick = await Database.open(key, { directory, preload: false });
    expect(quick.tags).toEqual(['favorite_foods']);
    expect(quick.get('favorite_foods')).toBeUndefined();
    expect(await quick.query('favorite_foods')).toEqual(['justice', 'community']);
    expect(quick.get('favorite_foods')).toEqual(['justice', 'community']);
  });

  test('a vault larger than one read chunk opens whole, in order, beside another vault of the directory', async () => {
    const { db, key, directory } = await freshVault();
    const other = await Database.open(Keys.csprng(), { directory });
    other.set('neighbour', 1);
    await other.save();
    // More records than one request of the open's chunked read (src/engine/store.ts), not a multiple of it.
    const n = 9_001;
    for (let i = 0; i < n; i++) db.set(`t${(n - i).toString(36)}`, { i, é: 'ü'.repeat(i % 7) });
    await db.save();
    const again = await Database.open(key, { directory });
    expect(again.tags).toEqual(db.tags);
    expect(again.tags.map((t) => (again.get(t) as { i: number }).i)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(again.get(`t${(n - 4321).toString(36)}`)).toEqual({ i: 4321, é: 'ü'.repeat(4321 % 7) });
    expect(again.corrupted).toEqual([]);
    expect((await Database.open(key, { directory, preload: false })).tags).toEqual(db.tags);
    // Each record read exactly once (a duplicate would hide behind the cache's Map).
    const opened = await engine().openVault({ kind: 'root', directory, root: new Uint8Array(key), preload: true });
    expect(opened.tags.orders.length).toBe(n);
    expect(opened.tags.values!.length.filter((l) => l > 0).length).toBe(n);
    expect(new Set(opened.tags.ids.match(/.{43}/g)).size).toBe(n);
    await engine().closeVault(opened.handle);
  });

  test('metatags: same instance, listed, saved with parent, nest, deleted', async () => {
    const { db, key, directory } = await freshVault();
    const molly = await db.metatag('molly');
    expect(await db.metatag('molly')).toBe(molly);
    molly.set('hobbies', ['skipping', 'punching']);
    (molly.get('hobbies') as string[]).push('reading');
    const inner = await molly.metatag('inner');
    inner.set('deep', 1);
    expect(db.metatags).toEqual(['molly']);
    await db.save();
    const again = await Database.open(key, { directory });
    expect(again.metatags).toEqual(['molly']);
    const molly2 = await again.metatag('molly');
    expect(molly2.get('hobbies')).toEqual(['skipping', 'punching', 'reading']);
    expect((await molly2.metatag('inner')).get('deep')).toBe(1);
    await again.deleteMetatag('molly');
    expect(again.metatags).toEqual([]);
    const third = await Database.open(key, { directory });
    expect(third.metatags).toEqual([]);
    const ghost = await third.metatag('molly');
    expect(ghost.tags).toEqual([]);
  });

  test('a wrong key sees an empty vault and writes nothing', async () => {
    const { db, directory } = await freshVault();
    db.set('secret', 1);
    await db.save();
    const other = await Database.open(Keys.csprng(), { directory });
    expect(other.tags).toEqual([]);
  });

  test('set refuses non-JSON values and bad tags', async () => {
    const { db } = await freshVault();
    expect(() => db.set('a', () => 1)).toThrow(ValidationError);
    expect(() => db.set('a', undefined)).toThrow(ValidationError);
    expect(() => db.set('a', 1n)).toThrow(ValidationError);
    expect(() => db.set('a', NaN)).toThrow(ValidationError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => db.set('a', cyclic)).toThrow(ValidationError);
    expect(() => db.set('', 1)).toThrow(ValidationError);
    expect(db.has('a')).toBe(false);
  });

  test('public crypto round trips through the worker', async () => {
    const { db } = await freshVault();
    const ct = await db.jsonEncrypt({ some: 'json' }, { filename: 'f' });
    expect(await db.jsonDecrypt(ct, { filename: 'f' })).toEqual({ some: 'json' });
    await expect(db.jsonDecrypt(ct, { filename: 'g' })).rejects.toBeInstanceOf(AuthenticationError);
    const h = await db.hmac('validate this data!');
    expect(await db.testHmac('validate this data!', h)).toBe(true);
  });
});
