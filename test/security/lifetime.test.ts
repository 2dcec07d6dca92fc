// What outlives close(): nothing of the vault. A closed Database (and every metatag face
// obtained from it) refuses every member but close(), closed, disposal and EventTarget's own
// methods, and its cache is emptied, so no decrypted value can be read or copied out of it
// (mirrorDatabase refuses a closed source).
import { describe, expect, test } from 'vitest';
import { Database, DatabaseClosedError, PublicCrypto } from '../../src/index';
import { freshVault } from '../helpers';

const asyncDispose: symbol = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose');

/**
 * The members a closed Database still answers. `close` is idempotent; `closed` is how to ask;
 * disposal after close has nothing left to save (close dropped unsaved changes), so it does
 * nothing rather than throw at the end of an `await using` block; EventTarget's methods touch no
 * vault data, and removing a listener must work during teardown.
 */
const ALLOWED = new Set<PropertyKey>(['constructor', 'close', 'closed', asyncDispose]);

/** The error `run` throws or its promise rejects with; `undefined` when it does neither. */
async function refusal(run: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    return error;
  }
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    try {
      await result;
    } catch (error) {
      return error;
    }
  }
  return undefined;
}

function label(key: PropertyKey): string {
  return typeof key === 'symbol' ? `[${key.description}]` : String(key);
}

/** Every member of a Database instance: own properties, then those of its prototypes down to EventTarget. */
function databaseMembers(db: Database): { key: PropertyKey; descriptor: PropertyDescriptor }[] {
  // A prototype added between PublicCrypto and EventTarget would escape the enumeration below.
  expect(Object.getPrototypeOf(Database.prototype)).toBe(PublicCrypto.prototype);
  expect(Object.getPrototypeOf(PublicCrypto.prototype)).toBe(EventTarget.prototype);
  const members: { key: PropertyKey; descriptor: PropertyDescriptor }[] = [];
  const seen = new Set<PropertyKey>();
  for (const holder of [db, Database.prototype, PublicCrypto.prototype]) {
    for (const key of Reflect.ownKeys(holder)) {
      if (seen.has(key) || ALLOWED.has(key)) continue;
      seen.add(key);
      members.push({ key, descriptor: Object.getOwnPropertyDescriptor(holder, key)! });
    }
  }
  return members;
}

/** The members of a closed database that do not refuse with DatabaseClosedError (called with no arguments: the closed check comes first). */
async function unrefused(db: Database): Promise<string[]> {
  const out: string[] = [];
  for (const { key, descriptor } of databaseMembers(db)) {
    const run = descriptor.get
      ? () => descriptor.get!.call(db)
      : typeof descriptor.value === 'function'
        ? () => (descriptor.value as () => unknown).call(db)
        : () => descriptor.value;
    const error = await refusal(run);
    if (!(error instanceof DatabaseClosedError)) out.push(`${label(key)}: ${error === undefined ? 'answered' : String(error)}`);
  }
  return out;
}

/** A vault with tags, a saved metatag and its child, all open on the page. */
async function populated() {
  const { db, key, directory } = await freshVault();
  db.set('secret', { pin: 1234 }).set('other', 'value');
  const child = await db.metatag('child');
  child.set('inner', 'child secret');
  const grandchild = await child.metatag('grandchild');
  grandchild.set('deep', 'grandchild secret');
  await db.save();
  db.set('unsaved', 'not yet written');
  return { db, child, grandchild, key, directory };
}

describe('a closed Database', () => {
  test('enumerates members: the test sees getters and methods of Database and PublicCrypto', async () => {
    const { db } = await freshVault();
    const names = databaseMembers(db).map((m) => label(m.key));
    for (const name of ['get', 'has', 'set', 'tags', 'size', 'metatags', 'query', 'mirrorDatabase', 'jsonEncrypt', 'passcrypt', 'generateSalt', 'vaultId'])
      expect(names).toContain(name);
    expect(names).toContain('[Symbol.asyncIterator]');
    await db.close();
  });

  test('refuses every member but close, closed, disposal and events; so do the metatag faces obtained before close', async () => {
    const { db, child, grandchild } = await populated();
    const changeListener = () => undefined;
    db.addEventListener('change', changeListener);
    await db.close();
    expect(await unrefused(db)).toEqual([]);
    expect(await unrefused(child)).toEqual([]);
    expect(await unrefused(grandchild)).toEqual([]);
    // What stays allowed.
    expect([db.closed, child.closed, grandchild.closed]).toEqual([true, true, true]);
    await db.close(); // idempotent
    await child.close();
    await expect((db as unknown as Record<symbol, () => Promise<void>>)[asyncDispose]!()).resolves.toBeUndefined();
    db.removeEventListener('change', changeListener);
    db.addEventListener('change', changeListener);
    expect(db.dispatchEvent(new Event('mine'))).toBe(true);
  });

  test('closing a metatag refuses it and its children, and leaves its parent open', async () => {
    const { db, child, grandchild } = await populated();
    await child.close();
    expect(await unrefused(child)).toEqual([]);
    expect(await unrefused(grandchild)).toEqual([]);
    expect(db.get('secret')).toEqual({ pin: 1234 });
    expect(db.metatags).toEqual(['child']);
    await db.close();
  });

  test('mirrorDatabase refuses a closed source, and its closed metatags: nothing is copied', async () => {
    const { db: source, child } = await populated();
    const { db: target } = await freshVault();
    await source.close();
    await expect(target.mirrorDatabase(source)).rejects.toBeInstanceOf(DatabaseClosedError);
    await expect(target.mirrorDatabase(child)).rejects.toBeInstanceOf(DatabaseClosedError);
    expect(target.tags).toEqual([]);
    expect(target.metatags).toEqual([]);
    expect(target.size).toBe(0);
    await target.close();
  });

  test('a source closed while it is mirrored stops the copy', async () => {
    const { db: source, directory, key } = await populated();
    await source.close();
    // Reopen without preload: mirroring must load the values, and the source closes meanwhile.
    const lazy = await Database.open(key, { directory, preload: false });
    const { db: target } = await freshVault();
    const mirroring = target.mirrorDatabase(lazy);
    await lazy.close();
    await expect(mirroring).rejects.toBeInstanceOf(DatabaseClosedError);
    expect(target.tags).toEqual([]);
    await target.close();
  });

  test('a value still loading when the database closes is not handed out', async () => {
    const { db, key, directory } = await populated();
    await db.close();
    const lazy = await Database.open(key, { directory, preload: false });
    expect(lazy.tags.sort()).toEqual(['other', 'secret']);
    const querying = lazy.query('secret');
    const iterating = (async () => {
      const out: unknown[] = [];
      for await (const entry of lazy) out.push(entry);
      return out;
    })();
    await lazy.close();
    await expect(querying).rejects.toBeInstanceOf(DatabaseClosedError);
    await expect(iterating).rejects.toBeInstanceOf(DatabaseClosedError);
  });

  test('iteration stops when the database closes between entries', async () => {
    const { db } = await populated();
    const iterator = db[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual(['secret', { pin: 1234 }]);
    await db.close();
    await expect(iterator.next()).rejects.toBeInstanceOf(DatabaseClosedError);
  });

  test('a metatag that finishes opening after its parent closed is closed too', async () => {
    const { db } = await freshVault();
    const opening = db.metatag('late');
    await db.close();
    await expect(opening).rejects.toBeInstanceOf(DatabaseClosedError);
  });

  test('a uuid generator made before close refuses after it', async () => {
    const { db } = await freshVault();
    const uuid = await db.uuids('category');
    expect(await uuid('x')).toMatch(/^[0-9a-f]+$/);
    await db.close();
    await expect(uuid('x')).rejects.toBeInstanceOf(DatabaseClosedError);
  });
});
