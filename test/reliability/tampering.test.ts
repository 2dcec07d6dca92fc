// Tampering with stored records, as an attacker with write access to the device's IndexedDB
// would: flipped bits, truncations, extensions, junk, records moved between tags, vaults and
// metatags. Each must be detected (reported in `db.corrupted`, reading it throws
// AuthenticationError), the other records must still load, and opening must write nothing.
//
// What the design cannot detect (every record authenticates on its own; there is no manifest
// and no trusted counter) is pinned down precisely in the last block: replay of an older record
// of the same tag, deletion of a tag's records, rollback of a header or of the whole directory.
// See SECURITY.md.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AuthenticationError, Database, Keys, TagvaultError, TimeoutError, type CorruptRecord } from '../../src/index';
import { VaultCrypto } from '../../src/vault-crypto';
import { figure, freshDirectory, keyOf, rawDirectory, rawRestore, rawWrite, Rng, scale, seedFor, snapshot, TIMEOUT, type RawRecord, view } from './helpers';

/** WebKit (Safari's engine), not Chromium or Firefox, which also say "AppleWebKit"/"like Gecko". */
const IS_WEBKIT = /AppleWebKit/.test(navigator.userAgent) && !/Chrome|Chromium/.test(navigator.userAgent);

/** A vault of the fixture: where it is reached from (a root key, then metatag names). */
interface VaultSpec {
  label: string;
  key: Uint8Array;
  path: string[];
}

interface VaultState {
  tags: Map<string, unknown>;
  corrupted: readonly CorruptRecord[];
  metatags: string[];
}

/** The same tag names in every vault, so records can be moved between "the same" tag of two vaults. */
const TAGS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', '__proto__', 'constructor', 'ünïcødé 🔑', 'x'.repeat(300)];

function valueFor(label: string, tag: string, generation = 0): unknown {
  return { vault: label, tag: tag.slice(0, 20), generation, list: [1, 2.5, 'three', null, true], nested: { deep: [{ a: label }] } };
}

class Fixture {
  readonly directory = freshDirectory('tamper');
  readonly key1 = Keys.csprng();
  readonly key2 = Keys.csprng();
  readonly vaults: VaultSpec[] = [
    { label: 'root', key: this.key1, path: [] },
    { label: 'root/molly', key: this.key1, path: ['molly'] },
    { label: 'root/polly', key: this.key1, path: ['polly'] },
    { label: 'root/molly/inner', key: this.key1, path: ['molly', 'inner'] },
    { label: 'other', key: this.key2, path: [] },
  ];
  /** vault id → label, and (label, tag) → tag id, computed with the library's own key schedule. */
  readonly labelOf = new Map<string, string>();
  readonly vaultIdOf = new Map<string, string>();
  readonly tagIdOf = new Map<string, string>();
  base: RawRecord[] = [];
  baseline = new Map<string, VaultState>();

  async build(): Promise<void> {
    for (const key of [this.key1, this.key2]) {
      const db = await Database.open(key, { directory: this.directory });
      for (const spec of this.vaults.filter((v) => v.key === key)) {
        const target = await this.#reach(db, spec.path);
        for (const tag of TAGS) target.set(tag, valueFor(spec.label, tag));
      }
      await db.save();
      await db.close();
    }
    for (const spec of this.vaults) {
      let vc = await VaultCrypto.fromRoot(new Uint8Array(spec.key));
      for (const name of spec.path) vc = await vc.child(name);
      this.labelOf.set(vc.vaultId, spec.label);
      this.vaultIdOf.set(spec.label, vc.vaultId);
      for (const tag of TAGS) this.tagIdOf.set(`${spec.label}\u0000${tag}`, await vc.tagId(tag));
    }
    this.base = await rawDirectory(this.directory);
    this.baseline = await this.inspect();
  }

  async #reach(db: Database, path: string[]): Promise<Database> {
    let target = db;
    for (const name of path) target = await target.metatag(name);
    return target;
  }

  /** Opens every vault of the fixture afresh and reports what it sees. */
  async inspect(): Promise<Map<string, VaultState>> {
    const out = new Map<string, VaultState>();
    for (const key of [this.key1, this.key2]) {
      const db = await Database.open(key, { directory: this.directory });
      for (const spec of this.vaults.filter((v) => v.key === key)) {
        let target = db;
        let metatags: string[] = [];
        for (const [i, name] of spec.path.entries()) {
          target = await target.metatag(name);
          if (i === spec.path.length - 1) metatags = target.metatags;
        }
        if (spec.path.length === 0) metatags = db.metatags;
        out.set(spec.label, { tags: view(target), corrupted: target.corrupted, metatags });
      }
      await db.close();
    }
    return out;
  }

  records(filter: (r: RawRecord) => boolean = () => true): RawRecord[] {
    return this.base.filter((r) => r.store !== 'profiles' && filter(r));
  }

  record(store: string, label: string, tag?: string): RawRecord {
    const vid = this.vaultIdOf.get(label)!;
    const wanted = store === 'headers' ? JSON.stringify(vid) : JSON.stringify([vid, this.tagIdOf.get(`${label}\u0000${tag}`)]);
    const r = this.base.find((x) => x.store === store && JSON.stringify(x.key) === wanted);
    if (!r) throw new Error(`fixture has no ${store} record for ${label} ${tag ?? ''}`);
    return r;
  }

  /** The label and tag a stored key belongs to (undefined for keys the fixture did not write). */
  whose(store: string, key: IDBValidKey): { label: string; tag?: string } | undefined {
    if (store === 'headers') {
      const label = this.labelOf.get(key as string);
      return label ? { label } : undefined;
    }
    const [vid, tid] = key as [string, string];
    const label = this.labelOf.get(vid);
    if (!label) return undefined;
    const tag = TAGS.find((t) => this.tagIdOf.get(`${label}\u0000${t}`) === tid);
    return { label, ...(tag !== undefined ? { tag } : {}) };
  }

  /**
   * Writes the tampered records, opens everything, restores the originals. Returns whether every
   * tampered record was detected; fails the test on any collateral damage or any write.
   */
  async trial(tampered: RawRecord[]): Promise<{ detected: boolean; detail: string }> {
    const originals = new Map(this.base.map((r) => [keyOf(r), r]));
    await rawWrite(this.directory, tampered.map((put) => ({ put })));
    const before = await snapshot(this.directory);
    const seen = await this.inspect();
    expect(await snapshot(this.directory), 'opening tampered data must write nothing').toBe(before);
    // Restore: put back what was there, delete what was not.
    await rawWrite(
      this.directory,
      tampered.map((t) => {
        const original = originals.get(keyOf(t));
        return original ? { put: original } : { del: { store: t.store, key: t.key } };
      }),
    );

    const touched = new Map<string, { headers: boolean; tags: Map<string, Set<string>> }>();
    for (const t of tampered) {
      const who = this.whose(t.store, t.key);
      if (!who) continue;
      let entry = touched.get(who.label);
      if (!entry) touched.set(who.label, (entry = { headers: false, tags: new Map() }));
      if (t.store === 'headers') entry.headers = true;
      else {
        const tagId = (t.key as [string, string])[1];
        entry.tags.set(tagId, (entry.tags.get(tagId) ?? new Set()).add(t.store));
      }
    }

    let detected = true;
    const misses: string[] = [];
    for (const spec of this.vaults) {
      const got = seen.get(spec.label)!;
      const want = this.baseline.get(spec.label)!;
      const hit = touched.get(spec.label);
      // Every tampered record of this vault must be reported, and its tag must not read.
      for (const [tagId, stores] of hit?.tags ?? []) {
        const reported = got.corrupted.some((c) => c.tagId === tagId && (c.kind === 'name' || (c.kind === 'value' && !stores.has('names'))));
        const tag = TAGS.find((t) => this.tagIdOf.get(`${spec.label}\u0000${t}`) === tagId);
        const readable = tag !== undefined && got.tags.has(tag) && !String(got.tags.get(tag)).startsWith('<AuthenticationError');
        if (!reported || readable) {
          detected = false;
          misses.push(`${spec.label} ${[...stores].join('+')} of ${tag ?? tagId}: reported=${reported} readable=${readable}`);
        }
      }
      if (hit?.headers) {
        if (!got.corrupted.some((c) => c.kind === 'header')) {
          detected = false;
          misses.push(`${spec.label} header not reported`);
        }
      }
      // No collateral damage: every untouched tag reads its original value.
      for (const tag of TAGS) {
        const tagId = this.tagIdOf.get(`${spec.label}\u0000${tag}`)!;
        if (hit?.tags.has(tagId)) continue;
        expect(got.tags.get(tag), `${spec.label}/${tag} must be unaffected`).toEqual(want.tags.get(tag));
      }
      if (!hit?.headers) expect(got.metatags.sort(), `${spec.label} metatags`).toEqual([...want.metatags].sort());
      else expect(got.metatags, `${spec.label}: a corrupt header lists no metatags`).toEqual([]);
      // Nothing reported that was not tampered with.
      for (const c of got.corrupted) {
        const expected = c.kind === 'header' ? hit?.headers : hit?.tags.has(c.tagId!) || !this.whose('names', [this.vaultIdOf.get(spec.label)!, c.tagId!])?.tag;
        expect(expected, `${spec.label}: unexpected corruption report ${JSON.stringify(c)}`).toBeTruthy();
      }
    }
    return { detected, detail: misses.join('; ') };
  }
}

function bytesOf(r: RawRecord): Uint8Array {
  expect(r.value).toBeInstanceOf(Uint8Array);
  return r.value as Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('tampering with stored records', { timeout: TIMEOUT }, () => {
  const fx = new Fixture();
  const totals = { trials: 0, detected: 0, accepted: 0 };

  beforeAll(async () => {
    await fx.build();
    // Sanity: the fixture reads back whole, with no corruption.
    for (const spec of fx.vaults) {
      const state = fx.baseline.get(spec.label)!;
      expect(state.corrupted).toEqual([]);
      for (const tag of TAGS) expect(state.tags.get(tag)).toEqual(valueFor(spec.label, tag));
    }
    expect(fx.baseline.get('root')!.metatags.sort()).toEqual(['molly', 'polly']);
  });

  afterAll(() => {
    figure('tampering.total(detectable)', { ...totals, seed: seedFor(6001) });
  });

  async function run(name: string, trials: { tampered: RawRecord[]; note: string }[]): Promise<void> {
    let detected = 0;
    const misses: string[] = [];
    for (const t of trials) {
      const result = await fx.trial(t.tampered);
      if (result.detected) detected++;
      else misses.push(`${t.note}: ${result.detail}`);
    }
    const accepted = trials.length - detected;
    totals.trials += trials.length;
    totals.detected += detected;
    totals.accepted += accepted;
    figure(`tampering.${name}`, { trials: trials.length, detected, accepted });
    expect(misses, `${name}: tampered records accepted silently`).toEqual([]);
    expect(await snapshot(fx.directory), 'the fixture is restored after every trial').toBe(JSON.stringify(fx.base, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes:${Array.from(v).join(',')}` : v)));
  }

  test('random bit flips in names, values and headers', async () => {
    const rng = new Rng(seedFor(6001));
    const records = fx.records();
    const trials = Array.from({ length: scale(100, 2000) }, () => {
      const r = rng.pick(records);
      const bytes = bytesOf(r);
      // Half the flips land in the 33-byte header (version, timestamp, nonce), half anywhere.
      const bit = rng.next() < 0.5 ? rng.int(0, 33 * 8 - 1) : rng.int(0, bytes.length * 8 - 1);
      return { tampered: [{ ...r, value: flipBit(bytes, bit) }], note: `${keyOf(r)} bit ${bit}` };
    });
    await run('bitflip', trials);
  });

  test('several bit flips in several records at once', async () => {
    const rng = new Rng(seedFor(6002));
    const records = fx.records();
    const trials = Array.from({ length: scale(40, 500) }, () => {
      const chosen = new Map<string, RawRecord>();
      for (let i = rng.int(2, 6); i > 0; i--) {
        const r = rng.pick(records);
        const prev = chosen.get(keyOf(r)) ?? r;
        let bytes = bytesOf(prev);
        for (let j = rng.int(1, 8); j > 0; j--) bytes = flipBit(bytes, rng.int(0, bytes.length * 8 - 1));
        chosen.set(keyOf(r), { ...r, value: bytes });
      }
      // Flips of the same bit cancel out: a record that ends up unchanged was not tampered with.
      const changed = [...chosen.values()].filter((t) => !sameBytes(bytesOf(t), bytesOf(records.find((r) => keyOf(r) === keyOf(t))!)));
      return { tampered: changed, note: changed.map(keyOf).join(',') };
    });
    await run('multiflip', trials.filter((t) => t.tampered.length > 0));
  });

  test('truncations (to every kind of length, including 0 and 1 byte short)', async () => {
    const rng = new Rng(seedFor(6003));
    const records = fx.records();
    const trials = Array.from({ length: scale(60, 1500) }, (_, i) => {
      const r = rng.pick(records);
      const bytes = bytesOf(r);
      const length = i % 4 === 0 ? bytes.length - 1 : i % 4 === 1 ? rng.int(0, 48) : rng.int(0, bytes.length - 1);
      return { tampered: [{ ...r, value: bytes.slice(0, length) }], note: `${keyOf(r)} to ${length}/${bytes.length}` };
    });
    await run('truncation', trials);
  });

  test('extensions (random bytes appended, prepended or inserted)', async () => {
    const rng = new Rng(seedFor(6004));
    const records = fx.records();
    const trials = Array.from({ length: scale(60, 1500) }, (_, i) => {
      const r = rng.pick(records);
      const bytes = bytesOf(r);
      const extra = rng.bytes(i % 3 === 0 ? 1 : rng.int(1, 64));
      const at = i % 3 === 0 ? bytes.length : i % 3 === 1 ? 0 : rng.int(1, bytes.length - 1);
      const out = new Uint8Array(bytes.length + extra.length);
      out.set(bytes.subarray(0, at));
      out.set(extra, at);
      out.set(bytes.subarray(at), at + extra.length);
      return { tampered: [{ ...r, value: out }], note: `${keyOf(r)} +${extra.length} at ${at}` };
    });
    await run('extension', trials);
  });

  test('junk values of every type in place of envelopes', async () => {
    const rng = new Rng(seedFor(6005));
    const records = fx.records();
    const junk: (() => unknown)[] = [
      () => 'a string',
      () => 42,
      () => null,
      () => ({ version: 1 }),
      () => [1, 2, 3],
      () => new ArrayBuffer(64),
      () => new Uint16Array(40),
      () => new Uint8Array(0),
      () => rng.bytes(rng.int(49, 400)),
      () => new Uint8Array(200).fill(1), // right version byte, zero-ish rest
      // WebKit cannot store a Blob in IndexedDB in an ephemeral session (WebKit bug 156347), and
      // MiniBrowser under automation is always ephemeral: the raw write itself would fail there.
      ...(IS_WEBKIT ? [] : [() => new Blob(['x'])]),
      () => true,
      () => false,
      () => 0,
      () => '',
    ];
    const trials = Array.from({ length: scale(48, 480) }, (_, i) => {
      const value = junk[i % junk.length]!();
      const r = rng.pick(records);
      return { tampered: [{ ...r, value }], note: `${keyOf(r)} junk ${i % junk.length}` };
    });
    await run('junk', trials);
  });

  test('records swapped between tags of one vault (names, values, name↔value)', async () => {
    const rng = new Rng(seedFor(6006));
    const trials: { tampered: RawRecord[]; note: string }[] = [];
    for (let i = 0; i < scale(40, 600); i++) {
      const spec = rng.pick(fx.vaults);
      const a = rng.pick(TAGS);
      let b = rng.pick(TAGS);
      while (b === a) b = rng.pick(TAGS);
      const kind = i % 4;
      if (kind === 0 || kind === 1) {
        const store = kind === 0 ? 'values' : 'names';
        const ra = fx.record(store, spec.label, a);
        const rb = fx.record(store, spec.label, b);
        trials.push({ tampered: [{ ...ra, value: rb.value }, { ...rb, value: ra.value }], note: `${spec.label} swap ${store} ${a}↔${b}` });
      } else if (kind === 2) {
        // The value of a goes into b's slot only (a copy, not a swap).
        const ra = fx.record('values', spec.label, a);
        const rb = fx.record('values', spec.label, b);
        trials.push({ tampered: [{ ...rb, value: ra.value }], note: `${spec.label} copy value ${a}→${b}` });
      } else {
        const rn = fx.record('names', spec.label, a);
        const rv = fx.record('values', spec.label, a);
        trials.push({ tampered: [{ ...rn, value: rv.value }, { ...rv, value: rn.value }], note: `${spec.label} name↔value of ${a}` });
      }
    }
    await run('swap.tags', trials);
  });

  test('records moved between vaults and between metatags (same tag name)', async () => {
    const rng = new Rng(seedFor(6007));
    const trials: { tampered: RawRecord[]; note: string }[] = [];
    for (let i = 0; i < scale(48, 600); i++) {
      const from = rng.pick(fx.vaults);
      let to = rng.pick(fx.vaults);
      while (to === from) to = rng.pick(fx.vaults);
      const tag = rng.pick(TAGS);
      const mode = i % 3;
      const tampered: RawRecord[] = [];
      if (mode !== 1) tampered.push({ ...fx.record('values', to.label, tag), value: fx.record('values', from.label, tag).value });
      if (mode !== 0) tampered.push({ ...fx.record('names', to.label, tag), value: fx.record('names', from.label, tag).value });
      trials.push({ tampered, note: `${tag} ${['value', 'name', 'name+value'][mode]} ${from.label}→${to.label}` });
    }
    await run('swap.vaults', trials);
  });

  test('headers swapped between a vault and its metatags, and between vaults', async () => {
    const trials: { tampered: RawRecord[]; note: string }[] = [];
    const withHeaders = fx.vaults.filter((v) => fx.base.some((r) => r.store === 'headers' && r.key === fx.vaultIdOf.get(v.label)));
    expect(withHeaders.map((v) => v.label).sort()).toEqual(['root', 'root/molly']);
    for (const from of withHeaders) {
      for (const to of withHeaders) {
        if (from === to) continue;
        trials.push({ tampered: [{ ...fx.record('headers', to.label), value: fx.record('headers', from.label).value }], note: `header ${from.label}→${to.label}` });
      }
      // A header planted where there was none (a vault that has no metatags).
      for (const to of fx.vaults.filter((v) => !withHeaders.includes(v))) {
        trials.push({ tampered: [{ store: 'headers', key: fx.vaultIdOf.get(to.label)!, value: fx.record('headers', from.label).value }], note: `header ${from.label}→${to.label} (new)` });
      }
      // A tag's record passed off as a header, and a header as a tag's value.
      trials.push({ tampered: [{ ...fx.record('headers', from.label), value: fx.record('values', from.label, 'alpha').value }], note: `value→header ${from.label}` });
      trials.push({ tampered: [{ ...fx.record('values', from.label, 'alpha'), value: fx.record('headers', from.label).value }], note: `header→value ${from.label}` });
    }
    await run('swap.headers', trials);
  });

  test('valid records copied under tag ids that do not exist (planted tags)', async () => {
    const rng = new Rng(seedFor(6008));
    const trials: { tampered: RawRecord[]; note: string }[] = [];
    for (let i = 0; i < scale(20, 200); i++) {
      const spec = rng.pick(fx.vaults);
      const tag = rng.pick(TAGS);
      const vid = fx.vaultIdOf.get(spec.label)!;
      // A tag id of another vault (a real HMAC output, just not of this vault's key) or random.
      const other = rng.pick(fx.vaults.filter((v) => v !== spec));
      const tagId = i % 2 ? fx.tagIdOf.get(`${other.label}\u0000${tag}`)! : Database.base64Encode(rng.bytes(32));
      trials.push({
        tampered: [
          { store: 'names', key: [vid, tagId], value: fx.record('names', spec.label, tag).value },
          { store: 'values', key: [vid, tagId], value: fx.record('values', spec.label, tag).value },
        ],
        note: `${spec.label} ${tag} planted at ${tagId.slice(0, 8)}`,
      });
    }
    let detected = 0;
    for (const t of trials) {
      await rawWrite(fx.directory, t.tampered.map((put) => ({ put })));
      const seen = await fx.inspect();
      await rawWrite(fx.directory, t.tampered.map((r) => ({ del: { store: r.store, key: r.key } })));
      const spec = fx.vaults.find((v) => fx.vaultIdOf.get(v.label) === (t.tampered[0]!.key as string[])[0])!;
      const state = seen.get(spec.label)!;
      const plantedId = (t.tampered[0]!.key as string[])[1];
      // The planted pair must be reported, and the vault must still list exactly its own tags.
      if (state.corrupted.some((c) => c.kind === 'name' && c.tagId === plantedId)) detected++;
      expect(state.tags).toEqual(fx.baseline.get(spec.label)!.tags);
    }
    totals.trials += trials.length;
    totals.detected += detected;
    totals.accepted += trials.length - detected;
    figure('tampering.planted', { trials: trials.length, detected, accepted: trials.length - detected });
    expect(detected).toBe(trials.length);
  });
});

describe('tampering with public ciphertexts (jsonEncrypt / bytesEncrypt)', { timeout: TIMEOUT }, () => {
  test('flips, truncations, extensions, wrong filename, wrong kind, wrong vault: AuthenticationError, never a value', async () => {
    const rng = new Rng(seedFor(6010));
    const db = await Database.open(Keys.csprng(), { directory: freshDirectory('public') });
    const other = await Database.open(Keys.csprng(), { directory: db.directory });
    const child = await db.metatag('child');
    const json = { secret: 'launch codes', n: [1, 2, 3] };
    const jsonCt = Database.base64Decode(await db.jsonEncrypt(json, { filename: 'report.json' }));
    const bytesCt = await db.bytesEncrypt(rng.bytes(100), { filename: 'blob' });
    expect(await db.jsonDecrypt(jsonCt, { filename: 'report.json' })).toEqual(json);
    const counts = { trials: 0, detected: 0, accepted: 0 };
    async function expectRefused(attempt: () => Promise<unknown>, note: string): Promise<void> {
      counts.trials++;
      try {
        const got = await attempt();
        counts.accepted++;
        expect.fail(`${note}: accepted, returned ${JSON.stringify(got)}`);
      } catch (error) {
        expect(error, note).toBeInstanceOf(AuthenticationError);
        expect((error as Error).name).toBe('AuthenticationError');
        counts.detected++;
      }
    }
    for (let i = 0; i < scale(150, 2000); i++) {
      const base = i % 2 ? jsonCt : bytesCt;
      const decrypt = i % 2
        ? (ct: Uint8Array) => db.jsonDecrypt(ct, { filename: 'report.json' })
        : (ct: Uint8Array) => db.bytesDecrypt(ct, { filename: 'blob' });
      const mode = i % 3;
      let ct: Uint8Array;
      if (mode === 0) ct = flipBit(base, rng.int(0, base.length * 8 - 1));
      else if (mode === 1) ct = base.slice(0, rng.int(0, base.length - 1));
      else {
        ct = new Uint8Array(base.length + rng.int(1, 32));
        ct.set(base);
        ct.set(rng.bytes(ct.length - base.length), base.length);
      }
      await expectRefused(() => decrypt(ct), `mode ${mode} trial ${i}`);
    }
    await expectRefused(() => db.jsonDecrypt(jsonCt, { filename: 'report.JSON' }), 'wrong filename');
    await expectRefused(() => db.jsonDecrypt(jsonCt), 'no filename');
    await expectRefused(() => db.bytesDecrypt(jsonCt, { filename: 'report.json' }), 'json opened as bytes');
    await expectRefused(() => db.jsonDecrypt(bytesCt, { filename: 'blob' }), 'bytes opened as json');
    await expectRefused(() => other.jsonDecrypt(jsonCt, { filename: 'report.json' }), 'another vault');
    await expectRefused(() => child.jsonDecrypt(jsonCt, { filename: 'report.json' }), 'a metatag of the vault');
    // A forged (old) timestamp must fail authentication, not pass as a TimeoutError.
    const old = new Uint8Array(jsonCt);
    new DataView(old.buffer).setBigUint64(1, 1000n);
    const forged = await db.jsonDecrypt(old, { filename: 'report.json', ttl: 1 }).catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(AuthenticationError);
    expect(forged).not.toBeInstanceOf(TimeoutError);
    figure('tampering.public', counts);
    expect(counts.accepted).toBe(0);
  });
});

describe('tampering with profile records', { timeout: TIMEOUT }, () => {
  test('altered wrapped key, secret salt, KDF settings, swapped profiles: AuthenticationError; hostile costs refused fast', async () => {
    const rng = new Rng(seedFor(6011));
    const directory = freshDirectory('profile-tamper');
    const kdf = { kb: 64, cpu: 1 };
    const tokens = await Database.generateProfileTokens('site', { username: 'ann', password: 'correct horse' });
    const tokens2 = await Database.generateProfileTokens('site', { username: 'bob', password: 'correct horse' });
    const db = await Database.generateProfile(tokens, { directory, ...kdf });
    db.set('secret', 'profile data');
    await db.save();
    await Database.generateProfile(tokens2, { directory, ...kdf });
    const records = await rawDirectory(directory);
    const mine = records.find((r) => r.store === 'profiles' && r.key === tokens.profileId)!;
    const theirs = records.find((r) => r.store === 'profiles' && r.key === tokens2.profileId)!;
    type Profile = { version: number; secretSalt: Uint8Array; memoryKiB: number; iterations: number; wrapped: Uint8Array };
    const p = mine.value as Profile;
    const variants: { value: unknown; note: string; expect: 'auth' | 'refused' }[] = [];
    for (let i = 0; i < scale(30, 300); i++) {
      variants.push({ value: { ...p, wrapped: flipBit(p.wrapped, rng.int(0, p.wrapped.length * 8 - 1)) }, note: `wrapped flip ${i}`, expect: 'auth' });
    }
    for (let i = 0; i < scale(10, 100); i++) {
      variants.push({ value: { ...p, secretSalt: flipBit(p.secretSalt, rng.int(0, 255)) }, note: `secret salt flip ${i}`, expect: 'auth' });
    }
    variants.push({ value: { ...p, wrapped: p.wrapped.slice(0, 40) }, note: 'wrapped truncated', expect: 'auth' });
    variants.push({ value: { ...p, memoryKiB: 128 }, note: 'memory changed', expect: 'auth' });
    variants.push({ value: { ...p, iterations: 2 }, note: 'iterations changed', expect: 'auth' });
    variants.push({ value: (theirs.value as Profile), note: "another profile's record (same password)", expect: 'auth' });
    variants.push({ value: { ...p, wrapped: (theirs.value as Profile).wrapped }, note: "another profile's wrapped key", expect: 'auth' });
    variants.push({ value: { ...p, secretSalt: (theirs.value as Profile).secretSalt }, note: "another profile's secret salt", expect: 'auth' });
    // Hostile costs: refused before any Argon2 runs (a stored cost is attacker-controlled).
    variants.push({ value: { ...p, memoryKiB: 2 ** 31 }, note: 'memory 2 TiB', expect: 'refused' });
    variants.push({ value: { ...p, memoryKiB: 1 }, note: 'memory 1 KiB', expect: 'refused' });
    variants.push({ value: { ...p, iterations: 1e9 }, note: 'iterations 1e9', expect: 'refused' });
    variants.push({ value: { ...p, iterations: 0 }, note: 'iterations 0', expect: 'refused' });
    variants.push({ value: { ...p, memoryKiB: NaN }, note: 'memory NaN', expect: 'refused' });
    variants.push({ value: { ...p, memoryKiB: '64' }, note: 'memory as a string', expect: 'refused' });
    let detected = 0;
    for (const v of variants) {
      await rawWrite(directory, [{ put: { ...mine, value: v.value } }]);
      const before = await snapshot(directory);
      const started = performance.now();
      const error = await Database.loadProfile(tokens, { directory }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, v.note).toBeInstanceOf(TagvaultError);
      if (v.expect === 'auth') expect(error, v.note).toBeInstanceOf(AuthenticationError);
      else expect(performance.now() - started, `${v.note}: refused without running Argon2`).toBeLessThan(2000);
      expect((error as Error).message).not.toContain('correct horse');
      expect(await snapshot(directory), `${v.note}: nothing written`).toBe(before);
      if (error) detected++;
    }
    await rawWrite(directory, [{ put: mine }]);
    expect((await Database.loadProfile(tokens, { directory })).get('secret')).toBe('profile data');
    figure('tampering.profile', { trials: variants.length, detected, accepted: variants.length - detected });
    expect(detected).toBe(variants.length);
  });
});

// ---------------------------------------------------------------------------------------------
// What the design cannot detect. Each record authenticates alone (its context binds it to its
// vault, tag and field, not to a moment in time), and nothing outside the directory remembers
// what it held, so an attacker who can write the directory can put back any record that was once
// valid at the same place, or remove records. These tests pin the behaviour down precisely so
// that SECURITY.md stays true; a change that adds detection will make them fail on purpose.
// ---------------------------------------------------------------------------------------------
describe('limits of detection (documented in SECURITY.md)', { timeout: TIMEOUT }, () => {
  test('replay of an older record of the same tag is accepted (name+value pair, or value alone)', async () => {
    const rng = new Rng(seedFor(6020));
    const directory = freshDirectory('replay');
    const key = Keys.csprng();
    const db = await Database.open(key, { directory });
    const history: RawRecord[][] = [];
    for (let gen = 0; gen < 4; gen++) {
      for (const tag of TAGS) db.set(tag, valueFor('root', tag, gen));
      await db.save();
      history.push(await rawDirectory(directory));
    }
    const current = history.at(-1)!;
    let accepted = 0;
    const trials = scale(24, 200);
    for (let i = 0; i < trials; i++) {
      const gen = rng.int(0, 2);
      const old = history[gen]!;
      const pick = rng.pick(old.filter((r) => r.store === 'values'));
      const tampered = [pick];
      if (i % 2) tampered.push(old.find((r) => r.store === 'names' && JSON.stringify(r.key) === JSON.stringify(pick.key))!);
      await rawWrite(directory, tampered.map((put) => ({ put })));
      const again = await Database.open(key, { directory });
      const shown = TAGS.filter((t) => (again.get(t) as { generation: number }).generation === gen);
      if (again.corrupted.length === 0 && shown.length === 1) accepted++;
      await again.close();
      await rawWrite(directory, tampered.map((r) => ({ put: current.find((c) => keyOf(c) === keyOf(r))! })));
    }
    figure('limits.replay-same-tag', { trials, accepted, detected: trials - accepted });
    expect(accepted, 'replaying a record of the same tag is undetectable by design').toBe(trials);
  });

  test('rollback of the whole directory to an older copy is accepted', async () => {
    const directory = freshDirectory('rollback');
    const key = Keys.csprng();
    const db = await Database.open(key, { directory });
    db.set('balance', 100);
    (await db.metatag('old')).set('x', 1);
    await db.save();
    const backup = await rawDirectory(directory);
    db.set('balance', 5);
    await db.deleteMetatag('old');
    (await db.metatag('new')).set('y', 2);
    await db.save();
    await rawRestore(directory, backup);
    const again = await Database.open(key, { directory });
    expect(again.corrupted).toEqual([]);
    expect(again.get('balance')).toBe(100);
    expect(again.metatags).toEqual(['old']);
    figure('limits.rollback-whole-directory', { trials: 1, accepted: 1 });
  });

  test('an older header (metatag list) is accepted; a deleted header silently lists no metatags', async () => {
    const directory = freshDirectory('header-rollback');
    const key = Keys.csprng();
    const db = await Database.open(key, { directory });
    await db.metatag('a');
    await db.save();
    const oldHeader = (await rawDirectory(directory)).find((r) => r.store === 'headers')!;
    await db.metatag('b');
    await db.save();
    await rawWrite(directory, [{ put: oldHeader }]);
    const replayed = await Database.open(key, { directory });
    expect(replayed.corrupted).toEqual([]);
    expect(replayed.metatags).toEqual(['a']);
    await rawWrite(directory, [{ del: { store: 'headers', key: oldHeader.key } }]);
    const deleted = await Database.open(key, { directory });
    expect(deleted.corrupted).toEqual([]);
    expect(deleted.metatags).toEqual([]);
    // The children's records are still there, reachable by name.
    expect((await deleted.metatag('b')).tags).toEqual([]);
  });

  test('deleting a tag (both records, or its name record alone) is not detected; deleting its value alone is', async () => {
    const directory = freshDirectory('delete');
    const key = Keys.csprng();
    const db = await Database.open(key, { directory });
    for (const tag of TAGS) db.set(tag, tag.length);
    await db.save();
    const records = await rawDirectory(directory);
    const names = records.filter((r) => r.store === 'names');
    const counts = { both: 0, nameOnly: 0, valueOnlyDetected: 0 };
    for (const name of names) {
      const value = records.find((r) => r.store === 'values' && keyOf(r) === keyOf({ store: 'values', key: name.key }))!;
      for (const mode of ['both', 'nameOnly', 'valueOnly'] as const) {
        const gone = mode === 'both' ? [name, value] : mode === 'nameOnly' ? [name] : [value];
        await rawWrite(directory, gone.map((r) => ({ del: { store: r.store, key: r.key } })));
        const again = await Database.open(key, { directory });
        if (mode === 'valueOnly') {
          expect(again.corrupted).toEqual([expect.objectContaining({ kind: 'value', tagId: (name.key as string[])[1] })]);
          counts.valueOnlyDetected++;
        } else {
          expect(again.corrupted).toEqual([]);
          expect(again.size).toBe(TAGS.length - 1);
          counts[mode]++;
        }
        await again.close();
        await rawWrite(directory, gone.map((put) => ({ put })));
      }
    }
    figure('limits.deletion', { tags: names.length, undetectedBoth: counts.both, undetectedNameOnly: counts.nameOnly, detectedValueOnly: counts.valueOnlyDetected });
  });

  test('records of one vault copied into the same vault in another directory (same key) are accepted', async () => {
    const key = Keys.csprng();
    const d1 = freshDirectory('copy-a');
    const d2 = freshDirectory('copy-b');
    const a = await Database.open(key, { directory: d1 });
    a.set('tag', 'from directory A');
    await a.save();
    const b = await Database.open(key, { directory: d2 });
    b.set('tag', 'from directory B');
    await b.save();
    const fromA = (await rawDirectory(d1)).filter((r) => r.store !== 'profiles');
    await rawWrite(d2, fromA.map((put) => ({ put })));
    const again = await Database.open(key, { directory: d2 });
    expect(again.corrupted).toEqual([]);
    expect(again.get('tag')).toBe('from directory A');
  });
});

describe('found here, fixed', { timeout: TIMEOUT }, () => {
  // Found by the junk trials under stress (fixed): a header record replaced by a falsy value
  // read as "this vault has no header" and was not reported.
  test('a header replaced by null, 0, an empty string or false is reported as corrupt', async () => {
    const directory = freshDirectory('falsy-header');
    const key = Keys.csprng();
    const db = await Database.open(key, { directory });
    await db.metatag('child');
    await db.save();
    const header = (await rawDirectory(directory)).find((r) => r.store === 'headers')!;
    const missed: string[] = [];
    for (const value of [null, 0, '', false]) {
      await rawWrite(directory, [{ put: { ...header, value } }]);
      const again = await Database.open(key, { directory });
      if (!again.corrupted.some((c) => c.kind === 'header')) missed.push(JSON.stringify(value));
      await again.close();
    }
    expect(missed).toEqual([]);
  });
});
