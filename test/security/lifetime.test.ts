// What outlives close(): nothing of the vault. A closed Database (and every metatag face
// obtained from it) refuses every member but close(), closed, disposal and EventTarget's own
// methods, and its cache is emptied, so no decrypted value can be read or copied out of it
// (mirrorDatabase refuses a closed source). In the engine, closing a vault destroys its keys:
// the raw key bytes are zero-filled, the CryptoKeys dropped, and work still in flight under them
// fails with DatabaseClosedError.
import { describe, expect, test } from 'vitest';
import { KeySchedule, Purpose } from '../../src/crypto/key-schedule';
import { VaultCrypto } from '../../src/crypto/vault-crypto';
import { XaesKey } from '../../src/crypto/xaes';
import { TagCache } from '../../src/database/tag-cache';
import { Engine } from '../../src/engine/engine';
import { Database, DatabaseClosedError, Keys, PublicCrypto } from '../../src/index';
import { TagColumnsWriter } from '../../src/wire/tag-columns-writer';
import { freshDirectory, freshVault } from '../helpers';

const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

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
    const mirroring = expect(target.mirrorDatabase(lazy)).rejects.toBeInstanceOf(DatabaseClosedError);
    await lazy.close();
    await mirroring;
    expect(target.tags).toEqual([]);
    await target.close();
  });

  test('a value still loading when the database closes is not handed out', async () => {
    const { db, key, directory } = await populated();
    await db.close();
    const lazy = await Database.open(key, { directory, preload: false });
    expect(lazy.tags.sort()).toEqual(['other', 'secret']);
    const querying = expect(lazy.query('secret')).rejects.toBeInstanceOf(DatabaseClosedError);
    const iterating = (async () => {
      const out: unknown[] = [];
      for await (const entry of lazy) out.push(entry);
      return out;
    })();
    const iterated = expect(iterating).rejects.toBeInstanceOf(DatabaseClosedError);
    await lazy.close();
    await querying;
    await iterated;
  });

  test('iteration stops when the database closes between entries', async () => {
    const { db } = await populated();
    const iterator = db[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual(['secret', { pin: 1234 }]);
    await db.close();
    await expect(iterator.next()).rejects.toBeInstanceOf(DatabaseClosedError);
  });

  test('a save, saveTag or pop queued when the database closes is refused, not silently done with an emptied cache', async () => {
    const { db, child } = await populated();
    db.set('secret', { pin: 4321 });
    child.set('inner', 'changed');
    const refused = [db.save(), db.saveTag('secret'), db.pop('other'), child.save(), db.deleteMetatag('child'), db.deleteDatabase()].map((p) =>
      expect(p).rejects.toBeInstanceOf(DatabaseClosedError),
    );
    await db.close();
    await Promise.all(refused);
  });

  test('a metatag that finishes opening after its parent closed is closed too', async () => {
    const { db } = await freshVault();
    const opening = expect(db.metatag('late')).rejects.toBeInstanceOf(DatabaseClosedError);
    await db.close();
    await opening;
  });

  test('a uuid generator made before close refuses after it', async () => {
    const { db } = await freshVault();
    const uuid = await db.uuids('category');
    expect(await uuid('x')).toMatch(/^[0-9a-f]+$/);
    await db.close();
    await expect(uuid('x')).rejects.toBeInstanceOf(DatabaseClosedError);
  });
});

describe('the page cache on close', () => {
  test('wipe() zero-fills the UTF-8 of the values it holds, read or not, and empties the cache', () => {
    const encoder = new TextEncoder();
    const packed = new Uint8Array(64);
    const first = encoder.encodeInto('{"pin":1234}', packed);
    const second = encoder.encodeInto('"other value"', packed.subarray(first.written));
    const writer = new TagColumnsWriter();
    writer.add('a'.repeat(43), 'secret', 1, packed.subarray(0, first.written));
    writer.add('b'.repeat(43), 'other', 2, packed.subarray(first.written, first.written + second.written));
    const { columns } = writer.build();
    const cache = new TagCache();
    cache.remember(columns);
    expect(cache.get('secret')).toEqual({ pin: 1234 }); // handed out: its stored JSON stays as bytes
    expect(isZero(packed)).toBe(false);
    cache.wipe();
    expect(isZero(packed)).toBe(true);
    expect(cache.size).toBe(0);
    expect(cache.get('other')).toBeUndefined();
  });
});

/** Every method of a prototype, called with no arguments: the names of those that do not refuse. */
async function unrefusedMethods(target: object, proto: object, skip: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const key of Reflect.ownKeys(proto)) {
    if (key === 'constructor' || skip.includes(key as string)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(proto, key)!;
    const run = descriptor.get ? () => descriptor.get!.call(target) : () => (descriptor.value as () => unknown).call(target);
    const error = await refusal(run);
    if (!(error instanceof DatabaseClosedError)) out.push(`${label(key)}: ${error === undefined ? 'answered' : String(error)}`);
  }
  return out;
}

describe('destroying keys', () => {
  test('XaesKey.destroy() zero-fills K1 and refuses later use, also of a derivation in flight', async () => {
    const key = await XaesKey.fromRaw(Keys.csprng().slice(0, 32));
    const [k1] = key.heldKeyBytes();
    expect(k1!.length).toBe(16);
    expect(isZero(k1!)).toBe(false);
    const inFlight = key.subkey(new Uint8Array(12));
    key.destroy();
    key.destroy(); // idempotent
    expect(isZero(k1!)).toBe(true);
    await expect(inFlight).rejects.toBeInstanceOf(DatabaseClosedError);
    expect(await unrefusedMethods(key, XaesKey.prototype, ['destroy', 'heldKeyBytes'])).toEqual([]);
  });

  test('KeySchedule.destroy() drops its root: later derivations refuse', async () => {
    const schedule = await KeySchedule.fromRoot(Keys.csprng());
    const inFlight = schedule.child('x');
    schedule.destroy();
    await expect(inFlight).rejects.toBeInstanceOf(DatabaseClosedError);
    expect(await unrefusedMethods(schedule, KeySchedule.prototype, ['destroy'])).toEqual([]);
    await expect(schedule.bits(Purpose.vaultId, 32)).rejects.toBeInstanceOf(DatabaseClosedError);
  });

  test('VaultCrypto.destroy() zero-fills the passcrypt secret and K1 of both XAES keys, and refuses every method', async () => {
    const vault = await VaultCrypto.fromRoot(Keys.csprng());
    const held = vault.heldKeyBytes();
    // The passcrypt secret (32 bytes) and the K1 of the record and public XAES keys (16 each).
    expect(held.map((b) => b.length).sort((a, b) => a - b)).toEqual([16, 16, 32]);
    for (const bytes of held) expect(isZero(bytes)).toBe(false);
    const ct = await vault.encrypt(new Uint8Array([1, 2, 3]), 'bytes', 'f');
    const childInFlight = vault.child('m');
    vault.destroy();
    vault.destroy(); // idempotent
    for (const bytes of held) expect(isZero(bytes)).toBe(true);
    await expect(childInFlight).rejects.toBeInstanceOf(DatabaseClosedError);
    await expect(vault.decrypt(ct, 'bytes', 'f')).rejects.toBeInstanceOf(DatabaseClosedError);
    expect(await unrefusedMethods(vault, VaultCrypto.prototype, ['destroy', 'heldKeyBytes'])).toEqual([]);
  });

  test('passcrypt zero-fills the password bytes it was given, and an in-flight passcrypt survives destroy() unharmed', async () => {
    const vault = await VaultCrypto.fromRoot(Keys.csprng().fill(7));
    const password = new TextEncoder().encode('correct horse');
    const salt = new TextEncoder().encode('salt salt salt');
    const first = await vault.passcrypt(password, salt, 8, 1);
    expect(isZero(password)).toBe(true);
    const again = await VaultCrypto.fromRoot(Keys.csprng().fill(7));
    const running = again.passcrypt(new TextEncoder().encode('correct horse'), salt, 8, 1);
    again.destroy();
    // The hash was started with the secret intact: it is the right one, not one of a wiped secret.
    expect(await running).toBe(first);
    vault.destroy();
  });
});

describe('the engine destroys a vault’s keys when it closes it', () => {
  test('work in flight under a closed handle fails: loading tags, opening a metatag', async () => {
    const { db, key, directory } = await populated();
    await db.close();
    const engine = new Engine();
    const { handle } = await engine.openVault({ kind: 'root', directory, root: key.slice() as Uint8Array<ArrayBuffer>, preload: false });
    const loading = engine.loadTags(handle, { by: 'name', tags: ['secret'] });
    const opening = engine.openVault({ kind: 'metatag', parent: handle, name: 'child', preload: true });
    const refused = Promise.all([expect(loading).rejects.toBeInstanceOf(DatabaseClosedError), expect(opening).rejects.toBeInstanceOf(DatabaseClosedError)]);
    await engine.closeVault(handle);
    await refused;
    await engine.closeVault(handle); // idempotent
  });

  test('the passcrypt password the engine was sent is zero-filled', async () => {
    const engine = new Engine();
    const { handle } = await engine.openVault({ kind: 'root', directory: freshDirectory(), root: Keys.csprng(), preload: true });
    const password = new TextEncoder().encode('hunter2 hunter2');
    expect(await engine.passcrypt(handle, password, new TextEncoder().encode('12345678'), 8, 1)).toMatch(/^[0-9a-f]{128}$/);
    expect(isZero(password)).toBe(true);
    await engine.closeVault(handle);
  });
});
