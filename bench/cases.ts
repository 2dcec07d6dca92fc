// The benchmark cases, run in the page (bench/page.html) and driven by bench/run.mjs.
//
// Every case is timed next to its baseline in the same round, in alternating order (the
// runner passes the round number; even rounds run tagvault first, odd rounds the baseline).
// Every timed run is watched by a main-thread probe: a setTimeout(0) chain and a
// requestAnimationFrame chain record the longest gap between their callbacks, and a Long Tasks
// PerformanceObserver records the longest task. The runner takes medians over rounds.
import Dexie from 'dexie';
import { applyEncryptionMiddleware, clearAllTables, cryptoOptions } from 'dexie-encrypted';
import { exportDB, importDB } from 'dexie-export-import';
import { argon2id } from 'hash-wasm';
import { openDB } from 'idb';
import { createStore, getMany, setMany, type UseStore } from 'idb-keyval';
import localforage from 'localforage';
import { Database, Keys } from '../src/index';
import type { Argon2Job } from './argon2.worker';
import type { FloorRequest } from './floor.worker';

// --- Measuring -----------------------------------------------------------------------------------

/** What the probe saw while one timed run was in progress. */
export interface Gap {
  /** Longest interval between two setTimeout(0) callbacks (or from the last one to the end). */
  timeoutMs: number;
  /** Longest interval between two animation frames (quantised to frames, ≥ ~16.7 ms). */
  rafMs: number;
  /** Longest task reported by the Long Tasks API (tasks over 50 ms only; 0 when none). */
  longTaskMs: number;
  longTasks: number;
}

export interface Sample {
  ms: number;
  gap: Gap;
  /** Number of the User Timing marks `tvb:<n>>` / `tvb:<n><` around the run (the runner's trace). */
  mark: number;
}

const supportsLongTasks = PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false;

class Probe {
  readonly #start = performance.now();
  #last = this.#start;
  #maxTimeout = 0;
  #lastFrame = this.#start;
  #maxFrame = 0;
  #running = true;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #frame = 0;
  readonly #entries: PerformanceEntry[] = [];
  readonly #observer: PerformanceObserver | undefined;

  constructor() {
    if (supportsLongTasks) {
      this.#observer = new PerformanceObserver((list) => this.#entries.push(...list.getEntries()));
      this.#observer.observe({ type: 'longtask' });
    }
    this.#tick();
    this.#frame = requestAnimationFrame(this.#onFrame);
  }

  #tick = (): void => {
    const now = performance.now();
    this.#maxTimeout = Math.max(this.#maxTimeout, now - this.#last);
    this.#last = now;
    if (this.#running) this.#timer = setTimeout(this.#tick, 0);
  };

  #onFrame = (now: number): void => {
    this.#maxFrame = Math.max(this.#maxFrame, now - this.#lastFrame);
    this.#lastFrame = now;
    if (this.#running) this.#frame = requestAnimationFrame(this.#onFrame);
  };

  /** Stops the probe; a run that ended blocked counts its tail (last callback → now). */
  async stop(): Promise<Gap> {
    const end = performance.now();
    this.#running = false;
    clearTimeout(this.#timer);
    cancelAnimationFrame(this.#frame);
    const timeoutMs = Math.max(this.#maxTimeout, end - this.#last);
    const rafMs = Math.max(this.#maxFrame, end - this.#lastFrame);
    // Long-task entries are queued after their task ends: give them one turn to arrive.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (this.#observer) {
      this.#entries.push(...this.#observer.takeRecords());
      this.#observer.disconnect();
    }
    const mine = this.#entries.filter((e) => e.startTime + e.duration > this.#start && e.startTime < end);
    const longTaskMs = mine.reduce((m, e) => Math.max(m, e.duration), 0);
    return { timeoutMs: round2(timeoutMs), rafMs: round2(rafMs), longTaskMs: round2(longTaskMs), longTasks: mine.length };
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Times `fn` with the probe running. */
let marks = 0;

async function measure(fn: () => unknown): Promise<Sample> {
  const mark = ++marks;
  const probe = new Probe();
  performance.mark(`tvb:${mark}>`);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  performance.mark(`tvb:${mark}<`);
  const gap = await probe.stop();
  performance.clearMarks();
  return { ms: round2(ms * 1000) / 1000, gap, mark };
}

/** The control: the probe on an idle page, to see what this machine's load alone does to gaps. */
async function idle(ms: number): Promise<Sample> {
  return measure(() => settle(ms));
}

/** Runs two measurements in the order the round asks for. */
async function pair(tagvaultFirst: boolean, tagvault: () => Promise<void>, baseline: () => Promise<void>): Promise<void> {
  if (tagvaultFirst) {
    await tagvault();
    await baseline();
  } else {
    await baseline();
    await tagvault();
  }
}

/** Measures `tagvault` and its `baseline` next to each other (see `pair`) into `samples`. */
function measurePair(samples: PairSamples, tagvaultFirst: boolean, tagvault: () => Promise<unknown>, baseline: () => Promise<unknown>): Promise<void> {
  return pair(
    tagvaultFirst,
    async () => void samples.tagvault.push(await measure(tagvault)),
    async () => void samples.baseline.push(await measure(baseline)),
  );
}

/** Runs measurements in an order that rotates with the round. */
async function rotate(round: number, runs: (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < runs.length; i++) await runs[(i + round) % runs.length]!();
}

/** Lets the event loop and the garbage collector settle between runs. */
function settle(ms = 30): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`bench self-check failed: ${what}`);
}

// --- Data ------------------------------------------------------------------------------------------

/** A deterministic pseudo-random generator (xorshift32), so every run stores the same data. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz     ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,';

/** A contact-like JSON object whose JSON text is `size` characters (~1 KiB). */
function makeValue(i: number, size: number): Record<string, unknown> {
  const next = prng(i * 2654435761);
  const value: Record<string, unknown> = {
    id: i,
    name: `Contact ${i}`,
    email: `contact.${i}@example.com`,
    phone: `+1-555-${String(i).padStart(7, '0')}`,
    balance: Math.round(i * 1337.5) / 100,
    active: i % 3 !== 0,
    labels: ['family', 'work', 'gym', 'school'].slice(0, 1 + (i % 4)),
    address: { street: `${i} Main Street`, city: 'Springfield', zip: String(10000 + (i % 90000)) },
    notes: '',
  };
  const missing = Math.max(0, size - JSON.stringify(value).length);
  let notes = '';
  for (let k = 0; k < missing; k++) notes += ALPHABET[next() % ALPHABET.length];
  value.notes = notes;
  return value;
}

const entryCache = new Map<string, [string, Record<string, unknown>][]>();

/** `count` tags ("tag-000042") with ~`size`-character JSON values. */
function entries(count: number, size: number): [string, Record<string, unknown>][] {
  const id = `${count}:${size}`;
  let list = entryCache.get(id);
  if (!list) {
    list = Array.from({ length: count }, (_, i) => [`tag-${String(i).padStart(6, '0')}`, makeValue(i, size)] as [string, Record<string, unknown>]);
    entryCache.set(id, list);
  }
  return list;
}

function freshName(prefix: string): string {
  return `bench-${prefix}-${crypto.randomUUID()}`;
}

/** Deletes an IndexedDB database; open connections elsewhere (the engine's) are asked to close. */
function deleteIdb(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
  });
}

function randomFill(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(bytes.length, i + 65536)));
  return bytes;
}

/** Where the get loops put their counts, so the engine cannot drop them as dead code. */
export const sink = { count: 0 };

// --- Storage: save, open, saveTag, get -------------------------------------------------------

export interface StorageSettings {
  tags: number;
  valueChars: number;
  smallTags: number;
  saveTagOps: number;
  getPasses: number;
  getRepeats: number;
}

export type PairSamples = { tagvault: Sample[]; baseline: Sample[] };

function pairSamples(): PairSamples {
  return { tagvault: [], baseline: [] };
}

export interface StorageRound {
  save: PairSamples;
  /** The platform floor of the layout (bench/floor.worker.ts), run in the same rotation. */
  saveFloor: Sample[];
  openPreload: PairSamples;
  openFloor: Sample[];
  /** The probe on the idle page (nothing running), once per round. */
  idle: Sample[];
  openLazy: PairSamples;
  saveTag: PairSamples;
  get: PairSamples;
}

async function storageRound(round: number, s: StorageSettings): Promise<StorageRound> {
  const first = round % 2 === 0;
  const data = entries(s.tags, s.valueChars);
  const out: StorageRound = {
    save: pairSamples(),
    saveFloor: [],
    openPreload: pairSamples(),
    openFloor: [],
    idle: [],
    openLazy: pairSamples(),
    saveTag: pairSamples(),
    get: pairSamples(),
  };
  const key = Keys.csprng();
  const tvDir = freshName('tv');
  const rawDir = freshName('raw');
  const floorDir = freshName('floor');
  await floorCall({ op: 'init', tags: data.map(([tag]) => tag), texts: data.map(([, value]) => JSON.stringify(value)) }, `${s.tags}:${s.valueChars}`);
  const open: Database[] = [];
  const raw = await openDB(rawDir, 1, {
    upgrade(db) {
      db.createObjectStore('values');
      db.createObjectStore('names');
    },
  });
  try {
    // save() of every tag vs raw idb puts of the same plaintext objects in one transaction.
    const db = await Database.open(key, { directory: tvDir });
    open.push(db);
    for (const [tag, value] of data) db.set(tag, value);
    await settle();
    await rotate(round, [
      async () => void out.save.tagvault.push(await measure(() => db.save())),
      async () => {
        out.save.baseline.push(
          await measure(async () => {
            const tx = raw.transaction('values', 'readwrite');
            await Promise.all([...data.map(([tag, value]) => tx.store.put(value, tag)), tx.done]);
          }),
        );
      },
      async () => void out.saveFloor.push(await measure(() => floorCall({ op: 'save', name: floorDir }))),
    ]);
    {
      // The names for the preload:false baseline (untimed).
      const tx = raw.transaction('names', 'readwrite');
      await Promise.all([...data.map(([tag]) => tx.store.put(tag, tag)), tx.done]);
    }
    await db.close();
    open.splice(open.indexOf(db), 1);
    await settle();

    out.idle.push(await idle(500));

    // Open with preload: true vs getAll of the plaintext values.
    let loaded: Database | undefined;
    await rotate(round, [
      async () => {
        out.openPreload.tagvault.push(
          await measure(async () => {
            loaded = await Database.open(key, { directory: tvDir, preload: true });
          }),
        );
      },
      async () => {
        let values: unknown[] = [];
        out.openPreload.baseline.push(
          await measure(async () => {
            values = await raw.getAll('values');
          }),
        );
        check(values.length === data.length, 'raw getAll count');
      },
      async () => {
        let count = 0;
        out.openFloor.push(
          await measure(async () => {
            count = await floorCall({ op: 'open', name: floorDir });
          }),
        );
        check(count === data.length, 'floor read count');
      },
    ]);
    const big = loaded!;
    open.push(big);
    check(big.size === data.length, `preloaded ${big.size} of ${data.length} tags`);
    check(JSON.stringify(big.get(data[7]![0])) === JSON.stringify(data[7]![1]), 'preloaded value round-trips');
    await settle();

    // Open with preload: false (tags listed) vs getAllKeys + getAll of the names.
    await pair(
      first,
      async () => {
        let lazy: Database | undefined;
        out.openLazy.tagvault.push(
          await measure(async () => {
            lazy = await Database.open(key, { directory: tvDir, preload: false });
          }),
        );
        check(lazy!.size === data.length && lazy!.get(data[3]![0]) === undefined, 'lazy open lists tags only');
        await lazy!.close();
      },
      async () => {
        let keys: IDBValidKey[] = [];
        out.openLazy.baseline.push(
          await measure(async () => {
            const tx = raw.transaction('names', 'readonly');
            const [k] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll(), tx.done]);
            keys = k;
          }),
        );
        check(keys.length === data.length, 'raw names count');
      },
    );
    await settle();

    // saveTag on the big vault vs on a small one, alternating per op. The small vault lives in
    // the same directory (IndexedDB database), so only the vault's size differs, not the disk's.
    const small = await Database.open(Keys.csprng(), { directory: tvDir });
    open.push(small);
    for (const [tag, value] of data.slice(0, s.smallTags)) small.set(tag, value);
    await small.save();
    await settle();
    for (let k = 0; k < s.saveTagOps; k++) {
      const [tag, value] = data[(k * 37) % s.smallTags]!;
      const changed = { ...value, balance: k };
      const bigFirst = (round + k) % 2 === 0;
      await pair(
        bigFirst,
        async () => {
          big.set(tag, changed);
          out.saveTag.tagvault.push(await measure(() => big.saveTag(tag)));
        },
        async () => {
          small.set(tag, changed);
          out.saveTag.baseline.push(await measure(() => small.saveTag(tag)));
        },
      );
    }
    await settle();

    // db.get from the cache vs Map.get, over every tag, several passes.
    const map = new Map<string, unknown>(data.map(([tag]) => [tag, big.get(tag)]));
    const tags = data.map(([tag]) => tag);
    for (let r = 0; r < s.getRepeats; r++) {
      await pair(
        (round + r) % 2 === 0,
        async () => {
          out.get.tagvault.push(
            await measure(() => {
              let n = 0;
              for (let p = 0; p < s.getPasses; p++) for (const tag of tags) if (big.get(tag) !== undefined) n++;
              sink.count += n;
            }),
          );
        },
        async () => {
          out.get.baseline.push(
            await measure(() => {
              let n = 0;
              for (let p = 0; p < s.getPasses; p++) for (const tag of tags) if (map.get(tag) !== undefined) n++;
              sink.count += n;
            }),
          );
        },
      );
    }
  } finally {
    for (const db of open) await db.close();
    raw.close();
    await floorCall({ op: 'close' });
    for (const name of [tvDir, rawDir, floorDir]) await deleteIdb(name);
  }
  return out;
}

let floorWorker: Worker | undefined;
let floorData: string | undefined;

/** One request to the floor worker; `init` is skipped when it already holds `dataId`'s data. */
function floorCall<T = number>(req: FloorRequest, dataId?: string): Promise<T> {
  if (req.op === 'init' && floorData === dataId) return Promise.resolve(0 as T);
  if (req.op === 'init') floorData = dataId;
  floorWorker ??= new Worker(new URL('./floor.worker.ts', import.meta.url), { type: 'module', name: 'bench-floor' });
  const worker = floorWorker;
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ ok?: T; error?: string }>) => {
      if (event.data.error === undefined) resolve(event.data.ok!);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(req);
  });
}

// --- Public encryption of bytes ----------------------------------------------------------------

export interface BytesRound {
  encrypt: PairSamples;
  decrypt: PairSamples;
  /** With `{ transfer: true }`: the bytes are moved to the worker (a copy made before timing). */
  encryptTransfer: PairSamples;
  decryptTransfer: PairSamples;
}

let plaintextCache: Uint8Array<ArrayBuffer> | undefined;

async function bytesRound(round: number, bytes: number): Promise<BytesRound> {
  const first = round % 2 === 0;
  if (plaintextCache?.length !== bytes) plaintextCache = randomFill(new Uint8Array(bytes));
  const plaintext = plaintextCache;
  const out: BytesRound = { encrypt: pairSamples(), decrypt: pairSamples(), encryptTransfer: pairSamples(), decryptTransfer: pairSamples() };
  const dir = freshName('bytes');
  const db = await Database.open(Keys.csprng(), { directory: dir });
  const key = await crypto.subtle.importKey('raw', randomFill(new Uint8Array(32)), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  const iv = randomFill(new Uint8Array(12));
  try {
    let envelope: Uint8Array | undefined;
    let ciphertext: ArrayBuffer | undefined;
    let opened: Uint8Array | undefined;
    let decrypted: ArrayBuffer | undefined;
    const rawEncrypt = async () => {
      ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext);
    };
    const rawDecrypt = async () => {
      decrypted = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, ciphertext!);
    };
    await settle();
    await measurePair(
      out.encrypt,
      first,
      async () => {
        envelope = await db.bytesEncrypt(plaintext);
      },
      rawEncrypt,
    );
    check(envelope!.length === bytes + 49 && ciphertext!.byteLength === bytes + 16, 'ciphertext lengths');
    await settle();
    await measurePair(
      out.decrypt,
      first,
      async () => {
        opened = await db.bytesDecrypt(envelope!);
      },
      rawDecrypt,
    );
    check(opened!.length === bytes && opened![12345 % bytes] === plaintext[12345 % bytes] && decrypted!.byteLength === bytes, 'decrypted lengths');
    // The same with { transfer: true }: the caller gives up its buffer (a copy, made untimed).
    await settle();
    const own = plaintext.slice();
    await measurePair(
      out.encryptTransfer,
      !first,
      async () => {
        envelope = await db.bytesEncrypt(own, { transfer: true });
      },
      rawEncrypt,
    );
    check(own.length === 0 && envelope!.length === bytes + 49, 'transferred plaintext');
    await settle();
    const ownEnvelope = envelope!.slice();
    await measurePair(
      out.decryptTransfer,
      !first,
      async () => {
        opened = await db.bytesDecrypt(ownEnvelope, { transfer: true });
      },
      rawDecrypt,
    );
    check(ownEnvelope.length === 0 && opened!.length === bytes && opened![54321 % bytes] === plaintext[54321 % bytes], 'transferred envelope');
  } finally {
    await db.close();
    await deleteIdb(dir);
  }
  return out;
}

// --- Argon2id ------------------------------------------------------------------------------------

export type Argon2Variant = 'tagvault' | 'worker' | 'mainThread';

export interface Argon2Settings {
  password: string;
  salt: string;
  memoryKiB: number;
  iterations: number;
}

let argonDb: { db: Database; directory: string } | undefined;
let argonWorker: Worker | undefined;

function workerArgon2(job: Argon2Job): Promise<string> {
  argonWorker ??= new Worker(new URL('./argon2.worker.ts', import.meta.url), { type: 'module', name: 'bench-argon2' });
  const worker = argonWorker;
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ hex?: string; error?: string }>) => {
      if (event.data.hex) resolve(event.data.hex);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(job);
  });
}

async function argon2Run(variant: Argon2Variant, s: Argon2Settings): Promise<Sample> {
  let hex = '';
  let sample: Sample;
  if (variant === 'tagvault') {
    if (!argonDb) {
      const directory = freshName('argon2');
      argonDb = { db: await Database.open(Keys.csprng(), { directory }), directory };
    }
    const db = argonDb.db;
    sample = await measure(async () => {
      hex = await db.passcrypt(s.password, s.salt, { kb: s.memoryKiB, cpu: s.iterations });
    });
  } else if (variant === 'worker') {
    sample = await measure(async () => {
      hex = await workerArgon2({ ...s });
    });
  } else {
    sample = await measure(async () => {
      hex = await argon2id({
        password: s.password,
        salt: s.salt,
        memorySize: s.memoryKiB,
        iterations: s.iterations,
        parallelism: 1,
        hashLength: 64,
        outputType: 'hex',
      });
    });
  }
  check(/^[0-9a-f]{128}$/.test(hex), `${variant} argon2id output`);
  await settle(50);
  return sample;
}

/** The raw hash-wasm digest, to check the native CLI computes the same function. */
async function argon2Reference(s: Argon2Settings): Promise<string> {
  return workerArgon2({ ...s });
}

async function argon2Done(): Promise<void> {
  argonWorker?.terminate();
  argonWorker = undefined;
  if (argonDb) {
    await argonDb.db.close();
    await deleteIdb(argonDb.directory);
    argonDb = undefined;
  }
}

// --- Peers: 1,000 × 1 KiB put then get --------------------------------------------------------------

export type Peer = 'tagvault' | 'idb-keyval' | 'localforage' | 'dexie-encrypted';
export const PEERS: readonly Peer[] = ['tagvault', 'idb-keyval', 'localforage', 'dexie-encrypted'];

export interface PeerSample extends Sample {
  putMs: number;
  getMs: number;
}

interface PeerAdapter {
  /** Untimed: open the (fresh, empty) database. */
  open(): Promise<void>;
  put(data: [string, Record<string, unknown>][]): Promise<void>;
  get(tags: string[]): Promise<unknown[]>;
  /** Untimed: close and delete the database. */
  destroy(): Promise<void>;
}

function tagvaultPeer(): PeerAdapter {
  const directory = freshName('peer-tv');
  const key = Keys.csprng();
  let db: Database | undefined;
  return {
    async open() {
      db = await Database.open(key, { directory });
    },
    async put(data) {
      for (const [tag, value] of data) db!.set(tag, value);
      await db!.save();
    },
    async get(tags) {
      // Read back from storage, not from the cache: a new instance decrypts every record.
      await db!.close();
      db = await Database.open(key, { directory, preload: true });
      return tags.map((tag) => db!.get(tag));
    },
    async destroy() {
      await db?.close();
      await deleteIdb(directory);
    },
  };
}

function idbKeyvalPeer(): PeerAdapter {
  const name = freshName('peer-keyval');
  let store: UseStore | undefined;
  return {
    async open() {
      store = createStore(name, 'keyval');
      await store('readonly', (s) => s.count());
    },
    put: (data) => setMany(data, store),
    get: (tags) => getMany(tags, store),
    async destroy() {
      // idb-keyval keeps its connection open and has no close(): reach it through a transaction.
      const db = await store!('readonly', (s) => s.transaction.db);
      db.close();
      await deleteIdb(name);
    },
  };
}

function localforagePeer(): PeerAdapter {
  const name = freshName('peer-localforage');
  const lf = localforage.createInstance({ name, storeName: 'keyval', driver: localforage.INDEXEDDB });
  return {
    async open() {
      await lf.ready();
      await lf.length();
    },
    async put(data) {
      // No batch API: every setItem is its own transaction; issue them all at once.
      await Promise.all(data.map(([tag, value]) => lf.setItem(tag, value)));
    },
    get: (tags) => Promise.all(tags.map((tag) => lf.getItem(tag))),
    async destroy() {
      await lf.dropInstance({ name });
    },
  };
}

interface DexieRow {
  id: string;
  value: Record<string, unknown>;
}

function dexieEncryptedPeer(): PeerAdapter {
  const name = freshName('peer-dexie');
  const db = new Dexie(name) as Dexie & { kv: Dexie.Table<DexieRow, string> };
  applyEncryptionMiddleware(db, randomFill(new Uint8Array(32)), { kv: cryptoOptions.NON_INDEXED_FIELDS }, clearAllTables);
  db.version(1).stores({ kv: 'id' });
  return {
    async open() {
      await db.open();
      await db.kv.count();
    },
    async put(data) {
      await db.kv.bulkPut(data.map(([id, value]) => ({ id, value })));
    },
    async get(tags) {
      return (await db.kv.bulkGet(tags)).map((row) => row?.value);
    },
    async destroy() {
      await db.delete();
    },
  };
}

const ADAPTERS: Record<Peer, () => PeerAdapter> = {
  tagvault: tagvaultPeer,
  'idb-keyval': idbKeyvalPeer,
  localforage: localforagePeer,
  'dexie-encrypted': dexieEncryptedPeer,
};

async function peerRun(peer: Peer, records: number, valueChars: number): Promise<PeerSample> {
  const data = entries(records, valueChars);
  const tags = data.map(([tag]) => tag);
  const adapter = ADAPTERS[peer]();
  await adapter.open();
  try {
    await settle();
    let putMs = 0;
    let got: unknown[] = [];
    const sample = await measure(async () => {
      const t0 = performance.now();
      await adapter.put(data);
      putMs = performance.now() - t0;
      got = await adapter.get(tags);
    });
    const i = records >> 1;
    check(got.length === records && JSON.stringify(got[i]) === JSON.stringify(data[i]![1]), `${peer} read back what it wrote`);
    return { ...sample, putMs: round2(putMs), getMs: round2(sample.ms - putMs) };
  } finally {
    await adapter.destroy();
  }
}

// --- Backups: export and import ------------------------------------------------------------------

export interface BackupSettings {
  tags: number;
  valueChars: number;
}

export interface BackupRound {
  /** `db.export()` vs raw `idb` `getAll` of the same plaintext values. */
  exportCase: PairSamples;
  exportFloor: Sample[];
  /** dexie-export-import's `exportDB` of the same records in plaintext. */
  exportDexie: Sample[];
  /** `Database.import` into a fresh directory vs raw `idb` puts into a fresh database, one transaction. */
  importCase: PairSamples;
  importFloor: Sample[];
  importDexie: Sample[];
  /** The raw `idb` write with `{ durability: "strict" }`, as `Database.import` writes. */
  importStrict: Sample[];
  /** Sizes of the files, in bytes. */
  fileBytes: number;
  floorBytes: number;
  dexieBytes: number;
}

interface DexieKv {
  id: string;
  value: unknown;
}

function plainDexie(name: string): Dexie & { kv: Dexie.Table<DexieKv, string> } {
  const db = new Dexie(name) as Dexie & { kv: Dexie.Table<DexieKv, string> };
  db.version(1).stores({ kv: 'id' });
  return db;
}

/** Opens a fresh raw `idb` database with one object store (part of a timed write: the import makes its directory too). */
function rawValues(name: string) {
  return openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('values');
    },
  });
}

async function rawWrite(name: string, data: [string, unknown][], durability: IDBTransactionDurability): Promise<void> {
  const db = await rawValues(name);
  try {
    const tx = db.transaction('values', 'readwrite', { durability });
    await Promise.all([...data.map(([tag, value]) => tx.store.put(value, tag)), tx.done]);
  } finally {
    db.close();
  }
}

async function backupRound(round: number, s: BackupSettings): Promise<BackupRound> {
  const data = entries(s.tags, s.valueChars);
  const out: BackupRound = {
    exportCase: pairSamples(),
    exportFloor: [],
    exportDexie: [],
    importCase: pairSamples(),
    importFloor: [],
    importDexie: [],
    importStrict: [],
    fileBytes: 0,
    floorBytes: 0,
    dexieBytes: 0,
  };
  const key = Keys.csprng();
  const tvDir = freshName('backup-tv');
  const rawDir = freshName('backup-raw');
  const floorDir = freshName('backup-floor');
  const dexieName = freshName('backup-dexie');
  const made: string[] = [tvDir, rawDir, floorDir, dexieName];
  await floorCall({ op: 'init', tags: data.map(([tag]) => tag), texts: data.map(([, value]) => JSON.stringify(value)) }, `${s.tags}:${s.valueChars}`);
  const dexie = plainDexie(dexieName);
  let db: Database | undefined;
  try {
    // Untimed: the same records saved by tagvault, raw idb, the floor and Dexie.
    db = await Database.open(key, { directory: tvDir });
    for (const [tag, value] of data) db.set(tag, value);
    await db.save();
    await rawWrite(rawDir, data, 'default');
    await floorCall({ op: 'save', name: floorDir });
    await dexie.open();
    await dexie.kv.bulkPut(data.map(([id, value]) => ({ id, value })));
    const raw = await rawValues(rawDir);
    await settle(200);

    let file: Blob | undefined;
    let floorFile: Blob | undefined;
    let dexieFile: Blob | undefined;
    const tvDb = db;
    await rotate(round, [
      async () => {
        out.exportCase.tagvault.push(
          await measure(async () => {
            file = await tvDb.export();
          }),
        );
      },
      async () => {
        let values: unknown[] = [];
        out.exportCase.baseline.push(
          await measure(async () => {
            values = await raw.getAll('values');
          }),
        );
        check(values.length === data.length, 'raw getAll count');
      },
      async () => {
        out.exportFloor.push(
          await measure(async () => {
            floorFile = await floorCall<Blob>({ op: 'export', name: floorDir });
          }),
        );
      },
      async () => {
        out.exportDexie.push(
          await measure(async () => {
            dexieFile = await exportDB(dexie);
          }),
        );
      },
    ]);
    raw.close();
    const info = await Database.inspectBackup(file!);
    // Every tag record, the names record(s) and the header.
    check(info.records > data.length && info.vaults === 1, `export holds ${info.records} records`);
    out.fileBytes = file!.size;
    out.floorBytes = floorFile!.size;
    out.dexieBytes = dexieFile!.size;
    await db.close();
    db = undefined;
    await settle(200);

    const fresh = (prefix: string) => {
      const name = freshName(prefix);
      made.push(name);
      return name;
    };
    let imported: Database | undefined;
    let importedDexie: Dexie | undefined;
    const importDir = fresh('backup-tv-in');
    await rotate(round, [
      async () => {
        out.importCase.tagvault.push(
          await measure(async () => {
            imported = await Database.import(file!, key, { directory: importDir, preload: false });
          }),
        );
      },
      async () => {
        const name = fresh('backup-raw-in');
        out.importCase.baseline.push(await measure(() => rawWrite(name, data, 'default')));
      },
      async () => {
        const name = fresh('backup-raw-strict');
        out.importStrict.push(await measure(() => rawWrite(name, data, 'strict')));
      },
      async () => {
        const name = fresh('backup-floor-in');
        let count = 0;
        out.importFloor.push(
          await measure(async () => {
            count = await floorCall({ op: 'import', name, file: floorFile! });
          }),
        );
        check(count === data.length, 'floor import count');
      },
      async () => {
        const name = fresh('backup-dexie-in');
        out.importDexie.push(
          await measure(async () => {
            importedDexie = await importDB(dexieFile!, { name });
          }),
        );
      },
    ]);
    check(imported!.size === data.length, `imported ${imported!.size} of ${data.length} tags`);
    const probe = data[11]!;
    check(JSON.stringify(await imported!.query(probe[0])) === JSON.stringify(probe[1]), 'imported value round-trips');
    await imported!.close();
    check((await importedDexie!.table('kv').count()) === data.length, 'dexie import count');
    importedDexie!.close();
  } finally {
    await db?.close();
    dexie.close();
    await floorCall({ op: 'close' });
    for (const name of made) await deleteIdb(name);
  }
  return out;
}

export interface BigRound {
  /** `db.export()` of one 64 MiB value vs raw `idb` `get` of the same string. */
  exportCase: PairSamples;
  /** `Database.import` of that file vs a raw `idb` `put` of the string into a fresh database. */
  importCase: PairSamples;
  fileBytes: number;
}

let bigValue: string | undefined;

/** A string of `chars` ASCII letters and digits (nothing JSON escapes), pseudo-random. */
function bigString(chars: number): string {
  if (bigValue?.length === chars) return bigValue;
  const alphabet = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
  const bytes = randomFill(new Uint8Array(chars));
  for (let i = 0; i < bytes.length; i++) bytes[i] = alphabet[bytes[i]! % alphabet.length]!;
  bigValue = new TextDecoder().decode(bytes);
  return bigValue;
}

async function bigRound(round: number, chars: number): Promise<BigRound> {
  const first = round % 2 === 0;
  const value = bigString(chars);
  const out: BigRound = { exportCase: pairSamples(), importCase: pairSamples(), fileBytes: 0 };
  const key = Keys.csprng();
  const tvDir = freshName('big-tv');
  const rawDir = freshName('big-raw');
  const made = [tvDir, rawDir];
  let db: Database | undefined;
  try {
    db = await Database.open(key, { directory: tvDir });
    db.set('big', value);
    await db.save();
    await rawWrite(rawDir, [['big', value]], 'default');
    const raw = await rawValues(rawDir);
    await settle(200);
    let file: Blob | undefined;
    const tvDb = db;
    await measurePair(
      out.exportCase,
      first,
      async () => {
        file = await tvDb.export();
      },
      async () => {
        check(((await raw.get('values', 'big')) as string).length === chars, 'raw get of the big value');
      },
    );
    raw.close();
    out.fileBytes = file!.size;
    await db.close();
    db = undefined;
    await settle(200);
    const importDir = freshName('big-tv-in');
    const rawIn = freshName('big-raw-in');
    made.push(importDir, rawIn);
    let imported: Database | undefined;
    await measurePair(
      out.importCase,
      first,
      async () => {
        imported = await Database.import(file!, key, { directory: importDir, preload: false });
      },
      () => rawWrite(rawIn, [['big', value]], 'default'),
    );
    check(((await imported!.query('big')) as string).length === chars, 'imported big value');
    await imported!.close();
  } finally {
    await db?.close();
    for (const name of made) await deleteIdb(name);
  }
  return out;
}

// --- Backups: peak memory (one fresh browser per case, sampled from /proc by the runner) ----------

export type MemoryCase = 'export-10k' | 'import-10k' | 'export-64mib' | 'import-64mib' | 'dexie-export-10k' | 'dexie-import-10k';

const memory: { db?: Database; dexie?: Dexie; file?: Blob; key?: Uint8Array<ArrayBuffer> } = {};

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Untimed: what a memory case needs in storage; returns the key (hex) the import cases need. */
async function memoryPrepare(kind: MemoryCase, s: BackupSettings & { bigChars: number }, keyHex: string): Promise<void> {
  const key = Uint8Array.from(keyHex.match(/../g)!, (h) => Number.parseInt(h, 16));
  memory.key = key;
  if (kind === 'export-10k' || kind === 'export-64mib') {
    const directory = 'memory-tv';
    const db = await Database.open(key, { directory });
    if (kind === 'export-10k') for (const [tag, value] of entries(s.tags, s.valueChars)) db.set(tag, value);
    else db.set('big', bigString(s.bigChars));
    await db.save();
    await db.close();
    // Reopened without its values: nothing of the data stays in this page but what storage holds.
    memory.db = await Database.open(key, { directory, preload: false });
  } else if (kind === 'dexie-export-10k') {
    const dexie = plainDexie('memory-dexie');
    await dexie.open();
    await dexie.kv.bulkPut(entries(s.tags, s.valueChars).map(([id, value]) => ({ id, value })));
    memory.dexie = dexie;
  }
  entryCache.clear();
  bigValue = undefined;
  gc();
  await settle(300);
  gc();
}

/** The measured step of a memory case; the file's size. */
async function memoryRun(kind: MemoryCase): Promise<{ ms: number; bytes: number }> {
  const picked = (document.querySelector('#file') as HTMLInputElement | null)?.files?.[0];
  const t0 = performance.now();
  if (kind === 'export-10k' || kind === 'export-64mib') memory.file = await memory.db!.export();
  else if (kind === 'dexie-export-10k') memory.file = await exportDB(memory.dexie!);
  else if (kind === 'dexie-import-10k') memory.dexie = await importDB(picked!, { name: 'memory-dexie-in' });
  else memory.db = await Database.import(picked!, memory.key!, { directory: 'memory-tv-in', preload: false });
  const ms = performance.now() - t0;
  return { ms: round2(ms), bytes: (kind.includes('import') ? picked : memory.file)!.size };
}

/** Offers the exported file as a download (the runner saves it for the import case). */
function memoryDownload(): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(memory.file!);
  a.download = 'backup.bin';
  document.body.append(a);
  a.click();
}

// --- What the runner calls -------------------------------------------------------------------------

export interface BenchApi {
  ready: true;
  info(): { userAgent: string; longTasks: boolean; hardwareConcurrency: number; crossOriginIsolated: boolean };
  storageRound(round: number, settings: StorageSettings): Promise<StorageRound>;
  bytesRound(round: number, bytes: number): Promise<BytesRound>;
  argon2Run(variant: Argon2Variant, settings: Argon2Settings): Promise<Sample>;
  argon2Reference(settings: Argon2Settings): Promise<string>;
  argon2Done(): Promise<void>;
  peerRun(peer: Peer, records: number, valueChars: number): Promise<PeerSample>;
  backupRound(round: number, settings: BackupSettings): Promise<BackupRound>;
  bigRound(round: number, chars: number): Promise<BigRound>;
  memoryPrepare(kind: MemoryCase, settings: BackupSettings & { bigChars: number }, keyHex: string): Promise<void>;
  memoryRun(kind: MemoryCase): Promise<{ ms: number; bytes: number }>;
  memoryDownload(): void;
  valueChars(count: number, size: number): number;
}

declare global {
  interface Window {
    tagvaultBench: BenchApi;
  }
}

window.tagvaultBench = {
  ready: true,
  info: () => ({
    userAgent: navigator.userAgent,
    longTasks: supportsLongTasks,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  }),
  storageRound,
  bytesRound,
  argon2Run,
  argon2Reference,
  argon2Done,
  peerRun,
  backupRound,
  bigRound,
  memoryPrepare,
  memoryRun,
  memoryDownload,
  /** Mean JSON length of the generated values (to record in the settings). */
  valueChars: (count, size) => Math.round(entries(count, size).reduce((n, [, v]) => n + JSON.stringify(v).length, 0) / count),
};
document.title = 'tagvault bench: ready';
