// The engine: owns the keys (as non-extractable CryptoKeys) and does all crypto and record I/O.
// It runs in a dedicated module Worker (workers/engine.worker.ts); where there is no Worker
// (inside a worker already), the same class runs in-thread.
import { argon2id } from './argon2';
import { checkArgon2Cost } from './argon2-cost';
import { concat, fromUtf8, lengthPrefixed, randomBytes, toBase64Url, utf8 } from './bytes';
import { blockId, blockLevel, decodeNameBlock, decodeTagRecord, encodeNameBlock, encodeTagRecords, levelOf, type NameEntry, type TagRecord } from './records';
import { openEnvelope, sealEnvelope, SubkeyCache } from './envelope';
import { AuthenticationError, DatabaseClosedError, ProfileNotFoundError, TagvaultError } from './errors';
import type {
  ChangeMessage,
  CommitResult,
  CorruptRecord,
  EngineApi,
  Handle,
  KdfSettings,
  LoadedTag,
  OpenedVault,
  OpenVaultRequest,
  ProfileRequest,
  TagColumns,
  RawRecord,
  VaultChange,
} from './protocol';
import { emptyBatch, Store, type ProfileRecord, type WriteBatch } from './store';
import { VaultCrypto, type PublicKind } from './vault-crypto';
import { XaesKey } from './xaes';

const HEADER_FORMAT = 1;

interface VaultHeader {
  format: number;
  metatags: string[];
}

/** A tag as an open or a load finds it; `json` (UTF-8) when its record was read and authenticated. */
interface OpenedTag {
  tagId: string;
  tag: string;
  order: number;
  json?: Uint8Array;
}

interface OpenVault {
  crypto: VaultCrypto;
  store: Store;
}

/** Runs `fn` holding the directory's write lock, so writes from every tab are serialised. */
async function withWriteLock<T>(directory: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return fn();
  // A fixed-length name: WebKit refuses lock names over 1,024 characters.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(directory)));
  return locks.request(`tagvault:${toBase64Url(digest)}`, { mode: 'exclusive' }, fn) as Promise<T>;
}

/**
 * Copies the JSON of a chunk of opened records into one new buffer (one transfer to the page
 * instead of one per record) and points each record's `json` into it. Runs as each chunk is
 * decrypted, while IndexedDB reads the next one.
 */
function packJson(records: (TagRecord | null | undefined)[]): (TagRecord | null | undefined)[] {
  let total = 0;
  for (const r of records) if (r) total += r.json.length;
  const buffer = new Uint8Array(total);
  let offset = 0;
  for (const r of records) {
    if (!r) continue;
    buffer.set(r.json, offset);
    r.json = buffer.subarray(offset, (offset += r.json.length));
  }
  return records;
}

/** Where each tag's JSON is among the packed buffers (see TagColumns.values). */
function valueColumns(listed: OpenedTag[]): Pick<TagColumns, 'values' | 'valueBuffers' | 'valueOffsets' | 'valueLengths'> {
  const buffers = new Map<ArrayBufferLike, number>();
  const values: Uint8Array<ArrayBuffer>[] = [];
  const valueBuffers = new Uint32Array(listed.length);
  const valueOffsets = new Uint32Array(listed.length);
  const valueLengths = new Uint32Array(listed.length);
  listed.forEach(({ json }, i) => {
    if (!json || json.length === 0) return;
    let index = buffers.get(json.buffer);
    if (index === undefined) {
      index = values.length;
      buffers.set(json.buffer, index);
      values.push(new Uint8Array(json.buffer as ArrayBuffer));
    }
    valueBuffers[i] = index;
    valueOffsets[i] = json.byteOffset;
    valueLengths[i] = json.length;
  });
  return { values, valueBuffers, valueOffsets, valueLengths };
}

function isHeader(value: unknown): value is VaultHeader {
  const h = value as VaultHeader;
  return !!h && typeof h === 'object' && typeof h.format === 'number' && Array.isArray(h.metatags) && h.metatags.every((m) => typeof m === 'string');
}

export class Engine implements EngineApi {
  readonly #id = crypto.randomUUID();
  readonly #stores = new Map<string, Store>();
  readonly #vaults = new Map<Handle, OpenVault>();
  readonly #channels = new Map<string, BroadcastChannel>();
  #nextHandle = 1;
  #lastOrder = 0;

  /** The next creation order: microseconds since the epoch, strictly increasing in this engine. */
  #nextOrder(): number {
    this.#lastOrder = Math.max(Date.now() * 1000, this.#lastOrder + 1);
    return this.#lastOrder;
  }

  async id(): Promise<string> {
    return this.#id;
  }

  #store(directory: string): Store {
    let store = this.#stores.get(directory);
    if (!store) {
      store = new Store(directory);
      this.#stores.set(directory, store);
    }
    return store;
  }

  #vault(handle: Handle): OpenVault {
    const vault = this.#vaults.get(handle);
    if (!vault) throw new DatabaseClosedError('this database was closed or deleted');
    return vault;
  }

  #register(crypto: VaultCrypto, store: Store): Handle {
    const handle = this.#nextHandle++;
    this.#vaults.set(handle, { crypto, store });
    return handle;
  }

  async #readHeader(vault: VaultCrypto, envelope: Uint8Array | undefined): Promise<VaultHeader> {
    // No record: a vault never saved. Anything else stored here must authenticate.
    if (envelope === undefined) return { format: HEADER_FORMAT, metatags: [] };
    const header: unknown = JSON.parse(fromUtf8(await vault.openHeader(envelope)));
    if (!isHeader(header)) throw new AuthenticationError('vault header is not in a known format');
    return header;
  }

  /** The names in a vault's name blocks, by tag id (the latest creation wins); failures are reported. */
  async #readNames(vault: VaultCrypto, blocks: [string, Uint8Array][]): Promise<{ names: Map<string, NameEntry>; corrupted: CorruptRecord[] }> {
    const names = new Map<string, NameEntry>();
    const corrupted: CorruptRecord[] = [];
    const opened = await Promise.allSettled(blocks.map(async ([id, env]) => decodeNameBlock(await vault.openRecord('names', id, env))));
    for (const r of opened) {
      if (r.status === 'rejected') corrupted.push({ kind: 'names' });
      else {
        for (const entry of r.value) {
          const seen = names.get(entry[0]);
          if (!seen || entry[2] > seen[2]) names.set(entry[0], entry);
        }
      }
    }
    return { names, corrupted };
  }

  /** Opens tag records: each one's contents, `undefined` where none is stored, `null` where it fails. */
  async #openRecords(vault: VaultCrypto, ids: string[], envelopes: (Uint8Array | undefined)[]): Promise<(TagRecord | null | undefined)[]> {
    const stored = envelopes.filter((e): e is Uint8Array => e !== undefined);
    const plaintexts = await vault.openRecords('tag', stored.length === ids.length ? ids : ids.filter((_, i) => envelopes[i] !== undefined), stored);
    let k = 0;
    return envelopes.map((env) => {
      if (env === undefined) return undefined;
      const plaintext = plaintexts[k++];
      try {
        return plaintext ? decodeTagRecord(plaintext) : null;
      } catch {
        return null;
      }
    });
  }

  /**
   * Sorts opened records into tags, failures and missing ones. A record that failed is reported:
   * as a listed tag that cannot be read when `names` knows its name, else as an unknown one.
   */
  #classify(
    ids: string[],
    opened: (TagRecord | null | undefined)[],
    names?: Map<string, NameEntry>,
  ): { tags: OpenedTag[]; corrupted: CorruptRecord[]; missing: string[] } {
    const tags: OpenedTag[] = [];
    const corrupted: CorruptRecord[] = [];
    const missing: string[] = [];
    opened.forEach((r, i) => {
      const tagId = ids[i]!;
      if (r) return void tags.push({ tagId, tag: r.tag, order: r.order, json: r.json });
      if (r === undefined) return void missing.push(tagId);
      const named = names?.get(tagId);
      if (named) {
        tags.push({ tagId, tag: named[1], order: named[2] });
        corrupted.push({ kind: 'value', tagId, tag: named[1] });
      } else {
        corrupted.push({ kind: 'name', tagId });
      }
    });
    return { tags, corrupted, missing };
  }

  async #openWith(crypto: VaultCrypto, store: Store, preload: boolean): Promise<OpenedVault> {
    // With preload, each chunk of records is decrypted while IndexedDB reads the next one.
    const chunks: Promise<(TagRecord | null | undefined)[]>[] = [];
    const stored = await store.readVault(
      crypto.vaultId,
      preload ? (ids, envelopes) => void chunks.push(this.#openRecords(crypto, ids, envelopes).then(packJson)) : undefined,
    );
    const corrupted: CorruptRecord[] = [];
    let metatags: string[] = [];
    try {
      metatags = (await this.#readHeader(crypto, stored.header)).metatags;
    } catch {
      corrupted.push({ kind: 'header' });
    }
    let listed: OpenedTag[];
    if (preload) {
      // The records name their tags; the name blocks are read only to name records that fail.
      const records = (await Promise.all(chunks)).flat();
      let names: Map<string, NameEntry> | undefined;
      if (records.includes(null)) {
        const named = await this.#readNames(crypto, await store.allBlocks(crypto.vaultId));
        corrupted.push(...named.corrupted);
        names = named.names;
      }
      const opened = this.#classify(stored.tagIds, records, names);
      listed = opened.tags;
      corrupted.push(...opened.corrupted);
    } else {
      const named = await this.#readNames(crypto, stored.blocks);
      corrupted.push(...named.corrupted);
      // The names come from the blocks; a tag no block names (its block was lost, or another tab
      // raced us) is named by its own record.
      listed = [];
      const unnamed: string[] = [];
      for (const tagId of stored.tagIds) {
        const entry = named.names.get(tagId);
        if (entry) listed.push({ tagId, tag: entry[1], order: entry[2] });
        else unnamed.push(tagId);
      }
      if (unnamed.length > 0) {
        const opened = this.#classify(unnamed, await this.#openRecords(crypto, unnamed, await store.readTags(crypto.vaultId, unnamed)));
        for (const t of opened.tags) listed.push({ tagId: t.tagId, tag: t.tag, order: t.order });
        corrupted.push(...opened.corrupted);
      }
    }
    listed.sort((a, b) => a.order - b.order);
    const handle = this.#register(crypto, store);
    const tags: TagColumns = {
      names: listed.map((x) => x.tag).join(''),
      nameLengths: Uint32Array.from(listed, (x) => x.tag.length),
      ids: listed.map((x) => x.tagId).join(''),
      orders: Float64Array.from(listed, (x) => x.order),
      ...(preload ? valueColumns(listed) : {}),
    };
    return { handle, vaultId: crypto.vaultId, metatags, tags, corrupted };
  }

  async openVault(req: OpenVaultRequest): Promise<OpenedVault> {
    let vault: VaultCrypto;
    let store: Store;
    if (req.root) {
      vault = await VaultCrypto.fromRoot(req.root);
      store = this.#store(req.directory);
    } else {
      const parent = this.#vault(req.parent!);
      vault = await parent.crypto.child(req.name!);
      store = parent.store;
    }
    return this.#openWith(vault, store, req.preload);
  }

  async closeVault(handle: Handle): Promise<void> {
    this.#vaults.delete(handle);
  }

  async loadTags(handle: Handle, by: { tags?: string[]; tagIds?: string[] }): Promise<{ tags: LoadedTag[]; corrupted: CorruptRecord[]; missing: string[] }> {
    const { crypto, store } = this.#vault(handle);
    const ids = by.tagIds ?? (await crypto.tagIds(by.tags ?? []));
    const { tags, corrupted, missing } = this.#classify(ids, await this.#openRecords(crypto, ids, await store.readTags(crypto.vaultId, ids)));
    // A record that fails here is a listed tag that cannot be read; its name is the caller's.
    for (const c of corrupted) {
      c.kind = 'value';
      if (by.tags) c.tag = by.tags[ids.indexOf(c.tagId!)];
    }
    return { tags: tags.map((t) => ({ tag: t.tag, tagId: t.tagId, order: t.order, json: fromUtf8(t.json!) })), corrupted, missing };
  }

  async readMetatags(handle: Handle): Promise<string[]> {
    const { crypto, store } = this.#vault(handle);
    const [env] = await store.readHeaders([crypto.vaultId]);
    return (await this.#readHeader(crypto, env)).metatags;
  }

  async tagIds(handle: Handle, tags: string[]): Promise<string[]> {
    return this.#vault(handle).crypto.tagIds(tags);
  }

  /** The vault ids of a vault and all its metatags, recursively, read from storage. */
  async #tree(vault: VaultCrypto, store: Store, seen = new Set<string>()): Promise<string[]> {
    if (seen.has(vault.vaultId)) return [];
    seen.add(vault.vaultId);
    const [env] = await store.readHeaders([vault.vaultId]);
    let metatags: string[] = [];
    try {
      metatags = (await this.#readHeader(vault, env)).metatags;
    } catch {
      // A corrupt header: its children cannot be found, but the vault itself is still removed.
    }
    const ids = [vault.vaultId];
    for (const name of metatags) ids.push(...(await this.#tree(await vault.child(name), store, seen)));
    return ids;
  }

  /**
   * Adds to `batch` (and `message`) the removal of the vaults at `paths` below `vault` (`[]` is
   * `vault` itself) and of everything their stored headers list below them, each vault once.
   */
  async #drop(vault: VaultCrypto, store: Store, paths: string[][], batch: WriteBatch, message: ChangeMessage): Promise<void> {
    const seen = new Set<string>();
    for (const path of paths) {
      let target = vault;
      for (const name of path) target = await target.child(name);
      for (const vaultId of await this.#tree(target, store, seen)) {
        batch.dropVaults.push(vaultId);
        message.vaults.push({ vaultId, upserted: [], deleted: [], header: true, dropped: true });
      }
    }
  }

  /**
   * Adds to `batch` a name block with `created`, merged with the stored blocks of its level, and of
   * the level the merge reaches, and so on (records.ts). Merging drops the names of tags that no
   * longer exist; `written` and `deleted` are the tag ids this commit writes and deletes.
   */
  async #addNames(vault: VaultCrypto, store: Store, created: NameEntry[], written: Set<string>, deleted: Set<string>, batch: WriteBatch): Promise<void> {
    const vaultId = vault.vaultId;
    const byLevel = new Map<number, string[]>();
    for (const id of await store.blockIds(vaultId)) {
      const level = levelOf(id);
      if (!Number.isNaN(level)) byLevel.set(level, [...(byLevel.get(level) ?? []), id]);
    }
    const entries = new Map(created.map((e) => [e[0], e]));
    let level = blockLevel(entries.size);
    for (let ids = byLevel.get(level); ids; ids = byLevel.get(level)) {
      byLevel.delete(level);
      const envelopes = await store.readBlocks(vaultId, ids);
      const blocks = await Promise.all(
        envelopes.map(async (env, k) => {
          try {
            return decodeNameBlock(await vault.openRecord('names', ids![k]!, env!));
          } catch {
            return undefined;
          }
        }),
      );
      // A block that does not open stays as it is (a `preload: false` open reports it; the
      // records name its tags); the others merge.
      const old = blocks.flatMap((b) => b ?? []);
      const others = old.filter((e) => !written.has(e[0]) && !deleted.has(e[0]));
      const exists = await store.hasTags(vaultId, others.map((e) => e[0]));
      for (const e of [...old.filter((e) => written.has(e[0])), ...others.filter((_, k) => exists[k])]) {
        const seen = entries.get(e[0]);
        if (!seen || e[2] > seen[2]) entries.set(e[0], e);
      }
      ids.forEach((id, k) => {
        if (blocks[k]) batch.deleteNames.push([vaultId, id]);
      });
      level = blockLevel(entries.size);
    }
    const id = blockId(level, toBase64Url(randomBytes(9)));
    const [sealed] = await vault.sealRecords('names', [id], [encodeNameBlock([...entries.values()])]);
    batch.names.push([[vaultId, id], sealed!]);
  }

  async commit(directory: string, changes: VaultChange[], durability: IDBTransactionDurability = 'default'): Promise<CommitResult> {
    const store = this.#store(directory);
    const vaults = changes.map((c) => this.#vault(c.handle).crypto);
    // 1. Everything that does not depend on what is stored: ids and sealed records, outside the lock.
    const prepared = await Promise.all(
      changes.map(async (change, i) => {
        const vault = vaults[i]!;
        const [ids, deleteIds] = await Promise.all([
          vault.tagIds(change.upserts.map((u) => u.tag)),
          vault.tagIds(change.deletes),
        ]);
        const orders = change.upserts.map((u) => u.order ?? this.#nextOrder());
        const texts = change.upserts.length > 0 ? change.values.split('\0') : [];
        if (texts.length !== change.upserts.length) throw new TypeError('upsert values do not match the upserts');
        const plaintexts = encodeTagRecords(orders, change.upserts.map((u) => u.tag), texts);
        const sealed = await vault.sealRecords('tag', ids, plaintexts);
        // Tags saved for the first time: their names go to a new name block.
        const created: NameEntry[] = [];
        change.upserts.forEach((u, j) => {
          if (u.order === undefined) created.push([ids[j]!, u.tag, orders[j]!]);
        });
        return { ids, deleteIds, sealed, orders, created };
      }),
    );
    // 2. Under the lock: merge headers with what other tabs stored, then one transaction.
    return withWriteLock(directory, async () => {
      const batch: WriteBatch = emptyBatch();
      const metatags: (string[] | undefined)[] = [];
      const message: ChangeMessage = { type: 'tagvault:change', source: this.#id, directory, vaults: [] };
      for (const [i, change] of changes.entries()) {
        const vault = vaults[i]!;
        const { ids, deleteIds, sealed, created } = prepared[i]!;
        if (change.drop) {
          await this.#drop(vault, store, [[], ...(change.removeTrees ?? [])], batch, message);
          metatags.push([]);
          continue;
        }
        for (const id of deleteIds) batch.deleteTags.push([vault.vaultId, id]);
        ids.forEach((id, j) => batch.tags.push([[vault.vaultId, id], sealed[j]!]));
        if (created.length > 0) await this.#addNames(vault, store, created, new Set(ids), new Set(deleteIds), batch);
        let header = false;
        if (change.addMetatags.length || change.removeMetatags.length) {
          const [env] = await store.readHeaders([vault.vaultId]);
          const current = await this.#readHeader(vault, env);
          const removed = new Set(change.removeMetatags);
          const next = current.metatags.filter((m) => !removed.has(m));
          for (const m of change.addMetatags) if (!next.includes(m) && !removed.has(m)) next.push(m);
          // Drop every removed metatag's vault, listed in the stored header or not (it may have
          // been written with saveTag before its parent was saved), and everything below it: what
          // stored headers list, and the paths the main thread knows of.
          await this.#drop(vault, store, [...change.removeMetatags.map((name) => [name]), ...(change.removeTrees ?? [])], batch, message);
          const plaintext = utf8(JSON.stringify({ format: HEADER_FORMAT, metatags: next } satisfies VaultHeader));
          batch.headers.push([vault.vaultId, await vault.sealHeader(plaintext)]);
          metatags.push(next);
          header = true;
        } else {
          metatags.push(undefined);
        }
        if (ids.length || deleteIds.length || header) {
          message.vaults.push({ vaultId: vault.vaultId, upserted: ids, deleted: deleteIds, header, dropped: false });
        }
      }
      await store.write(batch, durability);
      this.#broadcast(message);
      return { ids: prepared.map((p) => p.ids), orders: prepared.map((p) => p.orders), metatags };
    });
  }

  #broadcast(message: ChangeMessage): void {
    if (message.vaults.length === 0 || typeof BroadcastChannel === 'undefined') return;
    let channel = this.#channels.get(message.directory);
    if (!channel) {
      channel = new BroadcastChannel(`tagvault:${message.directory}`);
      this.#channels.set(message.directory, channel);
    }
    channel.postMessage(message);
  }

  async encrypt(handle: Handle, plaintext: Uint8Array<ArrayBuffer>, kind: PublicKind, filename: string): Promise<Uint8Array<ArrayBuffer>> {
    return this.#vault(handle).crypto.encrypt(plaintext, kind, filename);
  }

  async decrypt(handle: Handle, envelope: Uint8Array<ArrayBuffer>, kind: PublicKind, filename: string, ttl?: number): Promise<Uint8Array<ArrayBuffer>> {
    return (await this.#vault(handle).crypto.decrypt(envelope, kind, filename, ttl)).plaintext;
  }

  async hmac(handle: Handle, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    return this.#vault(handle).crypto.hmac(data);
  }

  async verifyHmac(handle: Handle, data: Uint8Array<ArrayBuffer>, mac: Uint8Array<ArrayBuffer>): Promise<boolean> {
    return this.#vault(handle).crypto.verifyHmac(data, mac);
  }

  async uuid(handle: Handle, category: string, salt: Uint8Array<ArrayBuffer>, value: Uint8Array<ArrayBuffer>, size: number): Promise<string> {
    return this.#vault(handle).crypto.uuid(category, salt, value, size);
  }

  async passcrypt(handle: Handle, password: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, memoryKiB: number, iterations: number): Promise<string> {
    return this.#vault(handle).crypto.passcrypt(password, salt, memoryKiB, iterations);
  }

  // --- Profiles -------------------------------------------------------------------------------

  async profileExists(directory: string, profileId: string): Promise<boolean> {
    return (await this.#store(directory).readProfile(profileId)) !== undefined;
  }

  /** The key that wraps a profile's root: Argon2id(password, identity ‖ secret salt). */
  async #kek(req: ProfileRequest, record: Pick<ProfileRecord, 'secretSalt' | 'memoryKiB' | 'iterations'>): Promise<SubkeyCache> {
    // A stored cost is read from data an attacker may have written: cap it (argon2.ts) so a
    // hostile record cannot make this tab allocate gigabytes or spin for minutes.
    try {
      checkArgon2Cost(record.memoryKiB, record.iterations, { memory: 'profile memoryKiB', iterations: 'profile iterations' });
    } catch (cause) {
      throw new TagvaultError('the stored profile has Argon2 settings out of the accepted range', { cause });
    }
    const raw = await argon2id({
      password: utf8(req.password),
      salt: concat(req.identity, record.secretSalt),
      memoryKiB: record.memoryKiB,
      iterations: record.iterations,
      hashLength: 32,
    });
    const key = await XaesKey.fromRaw(raw);
    raw.fill(0);
    return new SubkeyCache(key);
  }

  #wrapContext(profileId: string): Uint8Array<ArrayBuffer> {
    return lengthPrefixed('profile', profileId);
  }

  async #wrap(req: ProfileRequest, password: string, root: Uint8Array<ArrayBuffer>, kdf: KdfSettings): Promise<ProfileRecord> {
    const secretSalt = randomBytes(32);
    const settings = { secretSalt, memoryKiB: kdf.memoryKiB, iterations: kdf.iterations };
    const kek = await this.#kek({ ...req, password }, settings);
    const subkey = await kek.get(randomBytes(12));
    const wrapped = await sealEnvelope(subkey, root, this.#wrapContext(req.profileId));
    return { version: 1, ...settings, wrapped };
  }

  async #unwrap(req: ProfileRequest, record: ProfileRecord): Promise<Uint8Array<ArrayBuffer>> {
    const kek = await this.#kek(req, record);
    try {
      return (await openEnvelope(kek, record.wrapped, this.#wrapContext(req.profileId))).plaintext;
    } catch (cause) {
      throw new AuthenticationError('wrong password for this profile (or its record was altered)', { cause });
    }
  }

  async #profileRoot(req: ProfileRequest, create: KdfSettings | undefined): Promise<Uint8Array<ArrayBuffer>> {
    const store = this.#store(req.directory);
    const existing = await store.readProfile(req.profileId);
    if (existing) return this.#unwrap(req, existing);
    if (!create) throw new ProfileNotFoundError('no profile exists for these credentials in this directory');
    const root = randomBytes(64);
    const record = await this.#wrap(req, req.password, root, create);
    // Another tab may have created the same profile meanwhile: the first one wins.
    const winner = await withWriteLock(req.directory, async () => {
      const again = await store.readProfile(req.profileId);
      if (again) return again;
      const batch = emptyBatch();
      batch.profiles.push([req.profileId, record]);
      await store.write(batch);
      return undefined;
    });
    return winner ? this.#unwrap(req, winner) : root;
  }

  async openProfile(req: ProfileRequest, create: KdfSettings | undefined, preload: boolean): Promise<OpenedVault> {
    const root = await this.#profileRoot(req, create);
    return this.openVault({ directory: req.directory, root, preload });
  }

  async changePassword(req: ProfileRequest, newPassword: string, kdf: KdfSettings | undefined): Promise<void> {
    const store = this.#store(req.directory);
    await withWriteLock(req.directory, async () => {
      const record = await store.readProfile(req.profileId);
      if (!record) throw new ProfileNotFoundError('no profile exists for these credentials in this directory');
      const root = await this.#unwrap(req, record);
      const next = await this.#wrap(req, newPassword, root, kdf ?? { memoryKiB: record.memoryKiB, iterations: record.iterations });
      root.fill(0);
      const batch = emptyBatch();
      batch.profiles.push([req.profileId, next]);
      await store.write(batch);
    });
  }

  async deleteProfile(req: ProfileRequest): Promise<void> {
    const store = this.#store(req.directory);
    const record = await store.readProfile(req.profileId);
    if (!record) throw new ProfileNotFoundError('no profile exists for these credentials in this directory');
    const vault = await VaultCrypto.fromRoot(await this.#unwrap(req, record));
    await withWriteLock(req.directory, async () => {
      const batch = emptyBatch();
      const message: ChangeMessage = { type: 'tagvault:change', source: this.#id, directory: req.directory, vaults: [] };
      await this.#drop(vault, store, [[]], batch, message);
      batch.deleteProfiles.push(req.profileId);
      await store.write(batch);
      this.#broadcast(message);
    });
  }

  async dump(directory: string): Promise<RawRecord[]> {
    return this.#store(directory).dump();
  }
}
