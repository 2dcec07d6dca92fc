// Model-based fuzzing with fast-check: random sequences of set / pop / saveTag / save / metatag /
// deleteMetatag / reopen / mirror, run against a real vault and an in-memory model of what the
// cache and the storage must hold. After every command the cache of every open vault must match
// the model; after every reopen and at the end of every run, a separate instance reads storage
// and must find exactly the model's stored state, in every vault a path can reach (so records
// left behind by a deletion are found too).
//
// Normal runs use a fixed seed; `npm run stress` runs many more, longer sequences with a fresh
// seed (printed, and reusable with VITE_SEED=…).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Database, Keys, ValidationError } from '../../src/index';
import { figure, freshDirectory, freshVault, scale, seedFor, TIMEOUT, view } from './helpers';

type Path = readonly string[];
const key = (p: Path): string => p.join('/');
const NAMES = ['m', 'n'] as const;
/** Every vault a path of depth ≤ 2 can reach: where the final check looks for stored records. */
const ALL_PATHS: Path[] = [[], ...NAMES.map((a) => [a]), ...NAMES.flatMap((a) => NAMES.map((b) => [a, b]))];
const TAGS = ['t0', 't1', 't2', '__proto__'] as const;

interface StoredVault {
  tags: Map<string, unknown>;
  header: Set<string>;
}

interface SessionVault {
  cache: Map<string, unknown>;
  dirty: Set<string>;
  listed: Set<string>;
  pending: Set<string>;
}

class Model {
  stored = new Map<string, StoredVault>();
  session = new Map<string, SessionVault>();
  storedAt(p: Path): StoredVault {
    let s = this.stored.get(key(p));
    if (!s) {
      s = { tags: new Map(), header: new Set() };
      this.stored.set(key(p), s);
    }
    return s;
  }

  openSession(): void {
    this.session = new Map([['', this.#fromStored([])]]);
  }

  #fromStored(p: Path): SessionVault {
    const s = this.stored.get(key(p));
    return { cache: new Map(s?.tags ?? []), dirty: new Set(), listed: new Set(s?.header ?? []), pending: new Set() };
  }

  /** What `metatag()` along the path does: opens each level, listing new names as pending. */
  reach(p: Path): SessionVault {
    let node = this.session.get('')!;
    for (let i = 0; i < p.length; i++) {
      const name = p[i]!;
      if (!node.listed.has(name)) {
        node.listed.add(name);
        node.pending.add(name);
      }
      const k = key(p.slice(0, i + 1));
      let child = this.session.get(k);
      if (!child) {
        child = this.#fromStored(p.slice(0, i + 1));
        this.session.set(k, child);
      }
      node = child;
    }
    return node;
  }
}

interface Real {
  directory: string;
  key: Uint8Array;
  db: Database;
}

async function reachReal(r: Real, p: Path): Promise<Database> {
  let db = r.db;
  for (const name of p) db = await db.metatag(name);
  return db;
}

/** Commands run (each ends with one session check). */
let executed = 0;

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** The cache of every open vault matches the model. */
async function checkSession(m: Model, r: Real): Promise<void> {
  executed++;
  for (const [k, node] of m.session) {
    const db = await reachReal(r, k === '' ? [] : k.split('/'));
    expect(view(db), `cache of "${k}"`).toEqual(new Map([...node.cache].sort(([a], [b]) => (a < b ? -1 : 1))));
    expect(sorted(db.metatags), `metatags of "${k}"`).toEqual(sorted(node.listed));
    expect(db.corrupted, `corruption in "${k}"`).toEqual([]);
  }
}

/**
 * A separate instance reads storage: every vault a path can reach holds exactly the model's
 * stored tags and header. (Paths go by depth, so each vault's metatag list is read before a
 * deeper path lists a pending name in it.)
 */
async function checkStorage(m: Model, r: Real): Promise<void> {
  const fresh = await Database.open(r.key, { directory: r.directory });
  try {
    for (const p of ALL_PATHS) {
      const s = m.stored.get(key(p));
      let db = fresh;
      for (const name of p) db = await db.metatag(name);
      const want = new Map([...(s?.tags ?? [])].sort(([a], [b]) => (a < b ? -1 : 1)));
      expect(view(db), `stored tags of "${key(p)}"`).toEqual(want);
      expect(sorted(db.metatags), `stored metatags of "${key(p)}"`).toEqual(sorted(s?.header ?? []));
      expect(db.corrupted).toEqual([]);
    }
  } finally {
    await fresh.close();
  }
}

type Cmd = fc.AsyncCommand<Model, Real>;

/**
 * saveTag() and save() on a metatag list it (and every ancestor not listed yet) in its parent's
 * stored header, so what they write is found after reopen.
 */
function listInAncestors(m: Model, path: Path): void {
  for (let i = path.length; i > 0; i--) {
    const parentPath = path.slice(0, i - 1);
    const name = path[i - 1]!;
    const parent = m.session.get(key(parentPath))!;
    if (parent.pending.has(name)) {
      m.storedAt(parentPath).header.add(name);
      parent.pending.delete(name);
    }
  }
}

const pathArb = fc.constantFrom<Path>([], [], ['m'], ['m'], ['n'], ['m', 'n'], ['m', 'm']);
const tagArb = fc.constantFrom(...TAGS);
// Through JSON and back, so the value is exactly what storage returns (-0 becomes 0: see the
// known bug in hostile-input.test.ts).
const valueArb = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/** A command on the vault at `path`. */
abstract class OnVault {
  readonly path: Path;
  constructor(path: Path) {
    this.path = path;
  }
  check = () => true;
}

/** A command on one name of the vault at `path`: a tag, or (deleteMetatag) a metatag. */
abstract class OnName extends OnVault {
  readonly name: string;
  constructor(path: Path, name: string) {
    super(path);
    this.name = name;
  }
}

class SetCmd extends OnName implements Cmd {
  readonly value: unknown;
  constructor(path: Path, tag: string, value: unknown) {
    super(path, tag);
    this.value = value;
  }
  async run(m: Model, r: Real): Promise<void> {
    const db = await reachReal(r, this.path);
    const node = m.reach(this.path);
    db.set(this.name, this.value);
    node.cache.set(this.name, this.value);
    node.dirty.add(this.name);
    await checkSession(m, r);
  }
  override toString = () => `set(${key(this.path)}:${this.name}, ${JSON.stringify(this.value)?.slice(0, 30)})`;
}

class SaveTagCmd extends OnName implements Cmd {
  async run(m: Model, r: Real): Promise<void> {
    const db = await reachReal(r, this.path);
    const node = m.reach(this.path);
    if (!node.cache.has(this.name)) {
      await expect(db.saveTag(this.name)).rejects.toBeInstanceOf(ValidationError);
    } else {
      await db.saveTag(this.name);
      m.storedAt(this.path).tags.set(this.name, node.cache.get(this.name));
      node.dirty.delete(this.name);
      listInAncestors(m, this.path);
    }
    await checkSession(m, r);
  }
  override toString = () => `saveTag(${key(this.path)}:${this.name})`;
}

class SaveCmd extends OnVault implements Cmd {
  async run(m: Model, r: Real): Promise<void> {
    const db = await reachReal(r, this.path);
    m.reach(this.path);
    await db.save();
    const prefix = key(this.path);
    for (const [k, node] of m.session) {
      if (prefix !== '' && k !== prefix && !k.startsWith(`${prefix}/`)) continue;
      const s = m.storedAt(k === '' ? [] : k.split('/'));
      for (const tag of node.dirty) s.tags.set(tag, node.cache.get(tag));
      for (const name of node.pending) s.header.add(name);
      node.dirty.clear();
      node.pending.clear();
    }
    listInAncestors(m, this.path);
    await checkSession(m, r);
  }
  override toString = () => `save(${key(this.path)})`;
}

class PopCmd extends OnName implements Cmd {
  async run(m: Model, r: Real): Promise<void> {
    const db = await reachReal(r, this.path);
    const node = m.reach(this.path);
    const got = await db.pop(this.name);
    expect(got).toEqual(node.cache.get(this.name));
    if (node.cache.has(this.name)) m.storedAt(this.path).tags.delete(this.name);
    node.cache.delete(this.name);
    node.dirty.delete(this.name);
    await checkSession(m, r);
  }
  override toString = () => `pop(${key(this.path)}:${this.name})`;
}

class MetatagCmd extends OnVault implements Cmd {
  async run(m: Model, r: Real): Promise<void> {
    await reachReal(r, this.path);
    m.reach(this.path);
    await checkSession(m, r);
  }
  override toString = () => `metatag(${key(this.path)})`;
}

class DeleteMetatagCmd extends OnName implements Cmd {
  async run(m: Model, r: Real): Promise<void> {
    const db = await reachReal(r, this.path);
    const node = m.reach(this.path);
    if (!node.listed.has(this.name)) {
      await expect(db.deleteMetatag(this.name)).rejects.toBeInstanceOf(ValidationError);
    } else {
      await db.deleteMetatag(this.name);
      const dropped = key([...this.path, this.name]);
      for (const k of [...m.stored.keys()]) if (k === dropped || k.startsWith(`${dropped}/`)) m.stored.delete(k);
      for (const k of [...m.session.keys()]) if (k === dropped || k.startsWith(`${dropped}/`)) m.session.delete(k);
      m.storedAt(this.path).header.delete(this.name);
      node.listed.delete(this.name);
      node.pending.delete(this.name);
    }
    await checkSession(m, r);
  }
  override toString = () => `deleteMetatag(${key(this.path)}:${this.name})`;
}

class ReopenCmd implements Cmd {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.db.close();
    r.db = await Database.open(r.key, { directory: r.directory });
    m.openSession();
    await checkSession(m, r);
    await checkStorage(m, r);
  }
  toString = () => 'reopen';
}

class MirrorCmd implements Cmd {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    // Rotate the key: a new vault mirrors the current one (with its unsaved changes), saves, and
    // replaces it.
    const newKey = Keys.csprng();
    const next = await Database.open(newKey, { directory: r.directory });
    await next.mirrorDatabase(r.db);
    await next.save();
    await r.db.close();
    r.db = next;
    r.key = newKey;
    // mirrorDatabase opens every listed metatag of the old tree.
    const visit = (p: Path): void => {
      const node = m.reach(p);
      for (const name of [...node.listed]) visit([...p, name]);
    };
    visit([]);
    const stored = new Map<string, StoredVault>();
    for (const [k, node] of m.session) stored.set(k, { tags: new Map(node.cache), header: new Set(node.listed) });
    m.stored = stored;
    m.session = new Map([...stored].map(([k, s]) => [k, { cache: new Map(s.tags), dirty: new Set(), listed: new Set(s.header), pending: new Set() }]));
    await checkSession(m, r);
    await checkStorage(m, r);
  }
  toString = () => 'mirror';
}

const setArb = fc.tuple(pathArb, tagArb, valueArb).map(([p, t, v]): Cmd => new SetCmd(p, t, v));
const saveTagArb = fc.tuple(pathArb, tagArb).map(([p, t]): Cmd => new SaveTagCmd(p, t));
const saveArb = pathArb.map((p): Cmd => new SaveCmd(p));
const deleteMetatagArb = fc.tuple(fc.constantFrom<Path>([], [], ['m']), fc.constantFrom(...NAMES)).map(([p, n]): Cmd => new DeleteMetatagCmd(p, n));
/** fast-check picks among these uniformly: repeats weigh the everyday commands over the resets. */
const commandArbs: fc.Arbitrary<Cmd>[] = [
  setArb,
  setArb,
  setArb,
  saveTagArb,
  saveTagArb,
  saveArb,
  saveArb,
  fc.tuple(pathArb, tagArb).map(([p, t]): Cmd => new PopCmd(p, t)),
  pathArb.map((p): Cmd => new MetatagCmd(p)),
  deleteMetatagArb,
  deleteMetatagArb,
  fc.constant<Cmd>(new ReopenCmd()),
  fc.constant<Cmd>(new MirrorCmd()),
];

describe('model-based fuzzing (fast-check)', { timeout: TIMEOUT }, () => {
  test('random command sequences agree with the model, in the cache and in storage', async () => {
    const seed = seedFor(6301);
    const numRuns = scale(100, 1000);
    const maxCommands = scale(30, 80);
    let runs = 0;
    executed = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fc.commands(commandArbs, { maxCommands, size: 'max' }), async (cmds) => {
        runs++;
        const real: Real = { directory: freshDirectory('model'), key: Keys.csprng(), db: undefined as unknown as Database };
        real.db = await Database.open(real.key, { directory: real.directory });
        const model = new Model();
        model.openSession();
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          await checkStorage(model, real);
        } finally {
          await real.db.close();
          indexedDB.deleteDatabase(real.directory);
        }
      }),
      { seed, numRuns },
    );
    figure('model.fuzz', { runs: numRuns, executions: runs, commands: executed, failures: 0, seed, ms: Math.round(performance.now() - started) });
  });
});

describe('metatag deletion leaves nothing behind', { timeout: TIMEOUT }, () => {
  // Found by the fuzzing above (fixed): deleteMetatag dropped only what the stored header listed.
  test('a deleted metatag that was never in a saved header leaves nothing behind', async () => {
    const { db } = await freshVault({ directory: freshDirectory('orphan') });
    const child = await db.metatag('child');
    child.set('secret', 'should be gone');
    await child.saveTag('secret');
    await db.deleteMetatag('child');
    const again = await db.metatag('child');
    expect(again.tags).toEqual([]);
  });

  test("a deleted metatag's child metatag that was never in a saved header leaves nothing behind", async () => {
    const { db } = await freshVault({ directory: freshDirectory('orphan') });
    await db.metatag('child');
    await db.save(); // the root's header lists "child"
    const grandchild = await (await db.metatag('child')).metatag('grandchild');
    grandchild.set('secret', 'should be gone');
    await grandchild.saveTag('secret');
    await db.deleteMetatag('child');
    const again = await (await db.metatag('child')).metatag('grandchild');
    expect(again.tags).toEqual([]);
  });
});

describe('a metatag saved on its own is listed in its parent', { timeout: TIMEOUT }, () => {
  // Found by the fuzzing above (fixed): save() on a metatag wrote its records without listing
  // it in its parent's header (saveTag() did), so after a reopen nothing reached them and
  // deleteMetatag left them behind. Minimal case: set(m/m:t0) · save(m/m) · reopen ·
  // deleteMetatag(:m).
  test('a metatag saved with its own save() is listed in its parent after reopen', async () => {
    const { db, key: k, directory } = await freshVault({ directory: freshDirectory('child-save') });
    const child = await db.metatag('child');
    child.set('t', 1);
    await child.save();
    const again = await Database.open(k, { directory });
    expect(again.metatags).toEqual(['child']);
  });

  test('a metatag saved with its own save(), then deleted after a reopen, leaves nothing behind', async () => {
    const { db, key: k, directory } = await freshVault({ directory: freshDirectory('child-save') });
    const inner = await (await db.metatag('m')).metatag('n');
    inner.set('t', 1);
    await inner.save();
    const again = await Database.open(k, { directory });
    await again.metatag('m');
    await again.deleteMetatag('m');
    const third = await Database.open(k, { directory });
    expect((await (await third.metatag('m')).metatag('n')).tags).toEqual([]);
  });
});
