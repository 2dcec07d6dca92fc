import { describe, expect, test } from 'vitest';
import { AuthenticationError, Database, Keys, ValidationError } from '../src/index';
import { engine } from '../src/wire/client';
import { freshVault, rawDirectory, rawWrite, sameBytes, snapshot } from './helpers';

function bytesOf(value: unknown): Uint8Array[] {
  if (value instanceof Uint8Array) return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(bytesOf);
  return [];
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) & 0xff;
    out[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return out;
}

describe('nothing in plaintext at rest', () => {
  test('no tag name, value or metatag name appears in any raw record, in any encoding', async () => {
    const { db, directory } = await freshVault();
    const secrets = ['SecretTagName', 'HiddenValue42', 'MetatagMolly', 'NestedTagInMolly', 'NestedValueXyz'];
    db.set('SecretTagName', { field: 'HiddenValue42' });
    const molly = await db.metatag('MetatagMolly');
    molly.set('NestedTagInMolly', ['NestedValueXyz']);
    await db.save();
    const records = await rawDirectory(directory);
    expect(records.length).toBeGreaterThan(0);
    const blobs: Uint8Array[] = [];
    const texts: string[] = [];
    for (const r of records) {
      blobs.push(...bytesOf(r.value));
      texts.push(
        JSON.stringify(r.key),
        JSON.stringify(r.value, (_k, v: unknown) => (v instanceof Uint8Array ? '<bytes>' : v)),
      );
    }
    const enc = new TextEncoder();
    for (const secret of secrets) {
      for (const form of [enc.encode(secret), utf16le(secret), enc.encode(JSON.stringify(secret))]) {
        for (const blob of blobs) expect(contains(blob, form)).toBe(false);
      }
      for (const text of texts) expect(text).not.toContain(secret);
    }
    // Every stored value is an opaque envelope (or a profile record of bytes and numbers).
    for (const r of records) if (r.store !== 'profiles') expect(r.value).toBeInstanceOf(Uint8Array);
  });
});

describe('save is atomic and minimal', () => {
  test('a value that became non-JSON after set refuses the whole save; nothing is written', async () => {
    const { db, directory } = await freshVault();
    db.set('ok', 1);
    await db.save();
    const before = await snapshot(directory);
    const value: Record<string, unknown> = { fine: true };
    db.set('good', 2);
    db.set('bad', value);
    value.later = () => 'not json'; // mutated in place after set()
    await expect(db.save()).rejects.toBeInstanceOf(ValidationError);
    expect(await snapshot(directory)).toBe(before);
  });

  test('only changed tags are re-encrypted; in-place mutations are detected', async () => {
    const { db, directory } = await freshVault();
    for (let i = 0; i < 20; i++) db.set(`t${i}`, { i, list: [i] });
    await db.save();
    const before = await rawDirectory(directory);
    db.set('t3', { i: 3, changed: true });
    (db.get('t7') as { list: number[] }).list.push(99); // mutation without set()
    await db.save();
    const after = await rawDirectory(directory);
    const changed = after.filter(
      (r, i) => JSON.stringify(r) !== JSON.stringify(before[i]) || (r.value !== before[i]!.value && !sameBytes(r.value, before[i]!.value)),
    );
    // Two tag records changed (no new tag: no name block); nothing else.
    expect(changed.map((r) => r.store)).toEqual(['tags', 'tags']);
    expect(after.length).toBe(before.length);
  });

  test('saving an unchanged database writes nothing', async () => {
    const { db, directory } = await freshVault();
    db.set('a', 1);
    await db.save();
    const before = await snapshot(directory);
    await db.save();
    expect(await snapshot(directory)).toBe(before);
  });

  test('concurrent saves, saveTags and pops all succeed and none is lost', async () => {
    const { db, key, directory } = await freshVault();
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      db.set(`k${i}`, i);
      work.push(i % 3 === 0 ? db.saveTag(`k${i}`) : db.save());
    }
    db.set('gone', 1);
    work.push(db.save(), db.pop('gone'));
    await Promise.all(work);
    const again = await Database.open(key, { directory });
    expect(again.size).toBe(30);
    expect(again.has('gone')).toBe(false);
  });

  test('saveTag writes exactly that tag’s record, whatever the vault size', async () => {
    const { db, directory } = await freshVault();
    for (let i = 0; i < 2000; i++) db.set(`t${i}`, i);
    await db.save();
    const before = await rawDirectory(directory);
    db.set('t5', 'new');
    await db.saveTag('t5');
    const after = await rawDirectory(directory);
    expect(after.length).toBe(before.length);
    const changed = after.filter((r, i) => !sameBytes(r.value, before[i]!.value));
    expect(changed.map((r) => r.store)).toEqual(['tags']);
  });

  test('a new tag adds a name block; blocks merge so a vault keeps a few of them, and none lists a deleted tag for long', async () => {
    const { db, key, directory } = await freshVault();
    const blocks = async () => (await rawDirectory(directory)).filter((r) => r.store === 'names');
    db.set('first', 0);
    await db.save();
    expect((await blocks()).length).toBe(1);
    for (let i = 0; i < 40; i++) {
      db.set(`t${i}`, i);
      await db.saveTag(`t${i}`);
      if (i % 4 === 0) await db.pop(`t${i}`);
    }
    // 41 commits that created tags: at most one block per level (⌊log2⌋ of its size).
    const levels = (await blocks()).map((r) => (r.key as string[])[1]!.slice(0, 2));
    expect(new Set(levels).size).toBe(levels.length);
    expect(levels.length).toBeLessThanOrEqual(6);
    // The names listed from the blocks alone are exactly the tags, in creation order.
    const lazy = await Database.open(key, { directory, preload: false });
    expect(lazy.tags).toEqual(db.tags);
    expect(lazy.corrupted).toEqual([]);
  });
});

describe('tampering and corruption', () => {
  test('a flipped bit is reported at open and does not stop the other tags', async () => {
    const { db, key, directory } = await freshVault();
    db.set('good', 'fine');
    db.set('victim', 'will be damaged');
    await db.save();
    const records = await rawDirectory(directory);
    // Damage one tag record (ids are hashes: which tag it is, the open will tell).
    const target = records.find((r) => r.store === 'tags')!;
    const damaged = (target.value as Uint8Array).slice();
    damaged[damaged.length - 3]! ^= 0x10;
    await rawWrite(directory, [{ put: { store: 'tags', key: target.key, value: damaged } }]);
    const again = await Database.open(key, { directory });
    expect(again.corrupted.length).toBe(1);
    expect(again.corrupted[0]!.kind).toBe('value');
    const broken = again.corrupted[0]!.tag!;
    const healthy = broken === 'good' ? 'victim' : 'good';
    expect(again.has(broken)).toBe(true);
    expect(() => again.get(broken)).toThrow(AuthenticationError);
    expect(again.get(healthy)).toBe(healthy === 'good' ? 'fine' : 'will be damaged');
    const lazy = await Database.open(key, { directory, preload: false });
    expect(lazy.corrupted).toEqual([]); // records are not decrypted by a preload: false open
    await expect(lazy.query(broken)).rejects.toBeInstanceOf(AuthenticationError);
    expect(lazy.corrupted).toEqual([again.corrupted[0]]);
    // Iteration skips it; setting it again repairs it.
    const seen: string[] = [];
    for await (const [tag] of again) seen.push(tag);
    expect(seen).toEqual([healthy]);
    again.set(broken, 'repaired');
    await again.save();
    expect((await Database.open(key, { directory })).get(broken)).toBe('repaired');
  });

  test('a record holding undefined is a corrupt record, not a missing one', async () => {
    const { db, key, directory } = await freshVault();
    db.set('a', 1);
    db.set('b', 2);
    await db.save();
    const tagId = await db.tagId('a');
    await rawWrite(directory, [{ put: { store: 'tags', key: [db.vaultId, tagId], value: undefined } }]);
    const again = await Database.open(key, { directory });
    expect(again.corrupted).toEqual([{ kind: 'value', tagId, tag: 'a' }]);
    expect(() => again.get('a')).toThrow(AuthenticationError);
    expect(again.get('b')).toBe(2);
    const lazy = await Database.open(key, { directory, preload: false });
    expect(lazy.has('a')).toBe(true);
    await expect(lazy.query('a')).rejects.toBeInstanceOf(AuthenticationError);
    expect(lazy.corrupted).toEqual([{ kind: 'value', tagId, tag: 'a' }]);
  });

  test('a name block that fails authentication is reported, loses nothing, and does not stop later blocks merging', async () => {
    const { db, key, directory } = await freshVault();
    db.set('first', 0);
    await db.save();
    const [block] = (await rawDirectory(directory)).filter((r) => r.store === 'names');
    const bad = (block!.value as Uint8Array).slice();
    bad[50]! ^= 1;
    await rawWrite(directory, [{ put: { store: 'names', key: block!.key, value: bad } }]);
    for (let i = 0; i < 32; i++) {
      db.set(`t${i}`, i);
      await db.saveTag(`t${i}`);
    }
    const blocks = (await rawDirectory(directory)).filter((r) => r.store === 'names');
    expect(blocks.some((r) => JSON.stringify(r.key) === JSON.stringify(block!.key))).toBe(true); // kept, as evidence
    expect(blocks.length).toBeLessThanOrEqual(3); // the bad one, and the 32 new names merged (level 5)
    const lazy = await Database.open(key, { directory, preload: false });
    expect(lazy.tags).toEqual(db.tags);
    expect(lazy.corrupted).toEqual([{ kind: 'names' }]);
    expect(await lazy.query('first')).toBe(0);
  });

  test('a record moved to another tag or another vault fails authentication', async () => {
    const { db, key, directory } = await freshVault();
    db.set('a', 'value of a');
    db.set('b', 'value of b');
    const child = await db.metatag('child');
    child.set('c', 'value of c');
    await db.save();
    const records = (await rawDirectory(directory)).filter((r) => r.store === 'tags');
    expect(records.length).toBe(3);
    // Swap two records between keys.
    await rawWrite(directory, [{ put: { store: 'tags', key: records[0]!.key, value: records[1]!.value } }]);
    await rawWrite(directory, [{ put: { store: 'tags', key: records[1]!.key, value: records[0]!.value } }]);
    const again = await Database.open(key, { directory });
    const child2 = await again.metatag('child');
    const corrupt = again.corrupted.length + child2.corrupted.length;
    expect(corrupt).toBe(2);
  });

  test('the header (metatag list) failing authentication is reported, tags still load', async () => {
    const { db, key, directory } = await freshVault();
    db.set('a', 1);
    await db.metatag('m');
    await db.save();
    const header = (await rawDirectory(directory)).find((r) => r.store === 'headers')!;
    const bad = (header.value as Uint8Array).slice();
    bad[40]! ^= 1;
    await rawWrite(directory, [{ put: { store: 'headers', key: header.key, value: bad } }]);
    const again = await Database.open(key, { directory });
    expect(again.corrupted.map((c) => c.kind)).toEqual(['header']);
    expect(again.get('a')).toBe(1);
  });

  test('opening with a wrong key never returns data and never writes', async () => {
    const { db, directory } = await freshVault();
    db.set('a', 1);
    await db.save();
    const before = await snapshot(directory);
    const wrong = await Database.open(Keys.csprng(), { directory });
    expect(wrong.tags).toEqual([]);
    expect(wrong.corrupted).toEqual([]);
    await wrong.save();
    expect(await snapshot(directory)).toBe(before);
  });
});

describe('scale and batching', () => {
  test('10,000 small tags save and open in one round trip each', async () => {
    const { db, key, directory } = await freshVault();
    for (let i = 0; i < 10_000; i++) db.set(`tag-${i}`, { i, text: 'x'.repeat(32) });
    // Count the messages the page posts to the engine's Worker: one per engine call.
    await engine().id();
    const original = Worker.prototype.postMessage;
    let calls = 0;
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      calls++;
      return original.apply(this, args as never);
    } as Worker['postMessage'];
    try {
      await db.save();
      expect(calls).toBe(1);
      calls = 0;
      const again = await Database.open(key, { directory });
      expect(calls).toBe(1);
      expect(again.size).toBe(10_000);
      expect(again.get('tag-9999')).toEqual({ i: 9999, text: 'x'.repeat(32) });
      calls = 0;
      const lazy = await Database.open(key, { directory, preload: false });
      expect(lazy.size).toBe(10_000);
      let n = 0;
      for await (const [, value] of lazy) if (value) n++;
      expect(n).toBe(10_000);
      expect(calls).toBe(2); // open + one batch load
    } finally {
      Worker.prototype.postMessage = original;
    }
  });
});
