// The engine: owns the keys (as non-extractable CryptoKeys) and does all crypto and record I/O.
// It runs in a dedicated module Worker (workers/engine.worker.ts); where there is no Worker
// (inside a worker already), the same class runs in-thread.
import { argon2id } from './argon2';
import { checkArgon2Cost } from './argon2-cost';
import { concat, fromUtf8, lengthPrefixed, randomBytes, toBase64Url, utf8 } from './bytes';
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
import { VaultCrypto, type PublicKind, type SealRequest } from './vault-crypto';
import { XaesKey } from './xaes';

const HEADER_FORMAT = 1;

interface VaultHeader {
  format: number;
  metatags: string[];
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

/** The plaintext of a tag's name record: the name and its creation order. */
interface NameRecord {
  tag: string;
  order: number;
}

function parseName(plaintext: Uint8Array): NameRecord {
  const record = JSON.parse(fromUtf8(plaintext)) as NameRecord;
  if (typeof record?.tag !== 'string' || typeof record.order !== 'number') throw new AuthenticationError('name record is not in a known format');
  return record;
}

/** UTF-8 texts joined by 0x00 into one string (one structured-clone copy instead of n). */
function joinTexts(parts: (Uint8Array | undefined)[]): string {
  let length = parts.length;
  for (const p of parts) length += p?.length ?? 0;
  const out = new Uint8Array(length);
  let offset = 0;
  parts.forEach((p, i) => {
    if (i > 0) out[offset++] = 0;
    if (p) {
      out.set(p, offset);
      offset += p.length;
    }
  });
  return fromUtf8(out.subarray(0, offset));
}

/** The `count` UTF-8 texts joined by 0x00, as views (no copies). */
function splitTexts(bytes: Uint8Array<ArrayBuffer>, count: number): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    out.push(bytes.subarray(start, end));
    start = end + 1;
  }
  if (count > 0 && start < bytes.length) throw new TypeError('upsert values do not match the upserts');
  return out;
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

  /** Decrypts names (and values) of stored records; failures are reported, never fatal. */
  async #decryptTags(
    vault: VaultCrypto,
    names: [string, Uint8Array][],
    values: Map<string, Uint8Array> | undefined,
  ): Promise<{ tags: LoadedTag[]; corrupted: CorruptRecord[] }> {
    const { tags, plaintexts, corrupted } = await this.#decryptRaw(vault, names, values);
    tags.forEach((t, i) => {
      const p = plaintexts[i];
      if (p) t.json = fromUtf8(p);
    });
    return { tags, corrupted };
  }

  /** As #decryptTags, but the values stay UTF-8 bytes (index-aligned with `tags`), in order. */
  async #decryptRaw(
    vault: VaultCrypto,
    names: [string, Uint8Array][],
    values: Map<string, Uint8Array> | undefined,
  ): Promise<{ tags: LoadedTag[]; plaintexts: (Uint8Array | undefined)[]; corrupted: CorruptRecord[] }> {
    const corrupted: CorruptRecord[] = [];
    const results = await Promise.allSettled(
      names.map(async ([tagId, nameEnv]) => {
        const { tag, order } = parseName(await vault.openRecord(tagId, 'name', nameEnv));
        const loaded: LoadedTag = { tag, tagId, order };
        if (!values) return { loaded, plaintext: undefined };
        const valueEnv = values.get(tagId);
        try {
          if (!valueEnv) throw new AuthenticationError('value record is missing');
          return { loaded, plaintext: await vault.openRecord(tagId, 'value', valueEnv) };
        } catch {
          corrupted.push({ kind: 'value', tagId, tag });
          return { loaded, plaintext: undefined };
        }
      }),
    );
    const ok: { loaded: LoadedTag; plaintext: Uint8Array | undefined }[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') ok.push(r.value);
      else corrupted.push({ kind: 'name', tagId: names[i]![0] });
    });
    ok.sort((a, b) => a.loaded.order - b.loaded.order);
    return { tags: ok.map((x) => x.loaded), plaintexts: ok.map((x) => x.plaintext), corrupted };
  }

  async #openWith(crypto: VaultCrypto, store: Store, preload: boolean): Promise<OpenedVault> {
    const stored = await store.readVault(crypto.vaultId, preload);
    const corrupted: CorruptRecord[] = [];
    let metatags: string[] = [];
    try {
      metatags = (await this.#readHeader(crypto, stored.header)).metatags;
    } catch {
      corrupted.push({ kind: 'header' });
    }
    const decrypted = await this.#decryptRaw(crypto, stored.names, stored.values);
    corrupted.push(...decrypted.corrupted);
    const handle = this.#register(crypto, store);
    const t = decrypted.tags;
    const tags: TagColumns = {
      names: t.map((x) => x.tag).join(''),
      nameLengths: Uint32Array.from(t, (x) => x.tag.length),
      ids: t.map((x) => x.tagId).join(''),
      orders: Float64Array.from(t, (x) => x.order),
    };
    if (stored.values) tags.json = joinTexts(decrypted.plaintexts);
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
    const records = await store.readTags(crypto.vaultId, ids);
    const names: [string, Uint8Array][] = [];
    const values = new Map<string, Uint8Array>();
    const missing: string[] = [];
    records.forEach((r, i) => {
      const id = ids[i]!;
      if (!r.name) return void missing.push(id);
      names.push([id, r.name]);
      if (r.value) values.set(id, r.value);
    });
    return { ...(await this.#decryptTags(crypto, names, values)), missing };
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
        const requests: SealRequest[] = [];
        const orders = change.upserts.map((u) => u.order ?? this.#nextOrder());
        const texts = splitTexts(utf8(change.values), change.upserts.length);
        change.upserts.forEach((u, j) => {
          const name: NameRecord = { tag: u.tag, order: orders[j]! };
          requests.push({ tagId: ids[j]!, field: 'name', plaintext: utf8(JSON.stringify(name)) });
          requests.push({ tagId: ids[j]!, field: 'value', plaintext: texts[j]! });
        });
        const sealed = await vault.sealRecords(requests);
        return { ids, deleteIds, sealed, orders };
      }),
    );
    // 2. Under the lock: merge headers with what other tabs stored, then one transaction.
    return withWriteLock(directory, async () => {
      const batch: WriteBatch = emptyBatch();
      const metatags: (string[] | undefined)[] = [];
      const message: ChangeMessage = { type: 'tagvault:change', source: this.#id, directory, vaults: [] };
      for (const [i, change] of changes.entries()) {
        const vault = vaults[i]!;
        const { ids, deleteIds, sealed } = prepared[i]!;
        if (change.drop) {
          await this.#drop(vault, store, [[], ...(change.removeTrees ?? [])], batch, message);
          metatags.push([]);
          continue;
        }
        for (const id of deleteIds) batch.deleteTags.push([vault.vaultId, id]);
        ids.forEach((id, j) => {
          batch.names.push([[vault.vaultId, id], sealed[2 * j]!]);
          batch.values.push([[vault.vaultId, id], sealed[2 * j + 1]!]);
        });
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
