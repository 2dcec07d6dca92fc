// engine/: what runs where the keys live (the engine's worker, or in-thread behind the same wire).
// Here, the Engine: the registry of open vaults by handle and the API the worker exposes, each
// method delegating to reading (open.ts), committing (commit.ts), profiles (profiles.ts) and
// IndexedDB (store.ts). Buffers it returns are transferred, not copied.
import { transfer } from 'comlink';
import { type PublicKind, VaultCrypto } from '../crypto/vault-crypto';
import { DatabaseClosedError } from '../errors';
import type {
  CommitResult,
  EngineApi,
  Handle,
  KdfSettings,
  LoadedTags,
  OpenedVault,
  OpenVaultRequest,
  ProfileOpening,
  ProfileRequest,
  RawRecord,
  RotatedProfile,
  TagSelector,
  VaultChange,
} from '../wire/protocol';
import { ChangeBroadcaster } from './broadcast';
import { commit } from './commit';
import { type ReadVault, readMetatags, readTags, readVault } from './open';
import * as profiles from './profiles';
import { Store } from './store';

/** An open vault: its keys and where it is stored. */
interface OpenVault {
  crypto: VaultCrypto;
  store: Store;
}

/** Marks the bytes' buffer to be moved to the page. */
function moved(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return transfer(bytes, [bytes.buffer]);
}

export class Engine implements EngineApi {
  readonly #id = crypto.randomUUID();
  readonly #stores = new Map<string, Store>();
  readonly #vaults = new Map<Handle, OpenVault>();
  readonly #broadcaster = new ChangeBroadcaster();
  #nextHandle = 1;
  #lastOrder = 0;

  /** The next creation order: microseconds since the epoch, strictly increasing in this engine. */
  #nextOrder(): number {
    this.#lastOrder = Math.max(Date.now() * 1000, this.#lastOrder + 1);
    return this.#lastOrder;
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
    if (!vault) throw new DatabaseClosedError();
    return vault;
  }

  /**
   * Reads a vault and registers it under a new handle. Its keys are destroyed when it fails, or
   * when `wanted` says it is no longer (a metatag whose parent was closed meanwhile).
   */
  async #open(crypto: VaultCrypto, store: Store, preload: boolean, wanted = () => true): Promise<OpenedVault> {
    let read: ReadVault;
    try {
      read = await readVault(crypto, store, preload);
      if (!wanted()) throw new DatabaseClosedError();
    } catch (error) {
      crypto.destroy();
      throw error;
    }
    const handle = this.#nextHandle++;
    this.#vaults.set(handle, { crypto, store });
    return transfer({ handle, vaultId: crypto.vaultId, metatags: read.metatags, tags: read.tags, corrupted: read.corrupted }, read.transfer);
  }

  async id(): Promise<string> {
    return this.#id;
  }

  async openVault(req: OpenVaultRequest): Promise<OpenedVault> {
    if (req.kind === 'root') return this.#open(await VaultCrypto.fromRoot(req.root), this.#store(req.directory), req.preload);
    const parent = this.#vault(req.parent);
    return this.#open(await parent.crypto.child(req.name), parent.store, req.preload, () => this.#vaults.get(req.parent) === parent);
  }

  /**
   * Forgets the handle and destroys its vault's keys (VaultCrypto.destroy: raw key bytes
   * zero-filled, CryptoKeys dropped): work still in flight under them fails with
   * DatabaseClosedError. Each handle has a VaultCrypto of its own (a metatag's is derived, not
   * shared), so this destroys no other handle's keys: the page closes a vault's open metatags
   * handle by handle. Idempotent.
   */
  async closeVault(handle: Handle): Promise<void> {
    const vault = this.#vaults.get(handle);
    this.#vaults.delete(handle);
    vault?.crypto.destroy();
  }

  async loadTags(handle: Handle, selector: TagSelector): Promise<LoadedTags> {
    const { crypto, store } = this.#vault(handle);
    const read =
      selector.by === 'id' ? await readTags(crypto, store, selector.tagIds) : await readTags(crypto, store, await crypto.tagIds(selector.tags), selector.tags);
    return transfer({ tags: read.tags, corrupted: read.corrupted }, read.transfer);
  }

  async readMetatags(handle: Handle): Promise<string[]> {
    const { crypto, store } = this.#vault(handle);
    return readMetatags(crypto, store);
  }

  async tagIds(handle: Handle, tags: string[]): Promise<string[]> {
    return this.#vault(handle).crypto.tagIds(tags);
  }

  async commit(directory: string, changes: VaultChange[], durability: IDBTransactionDurability): Promise<CommitResult> {
    const targets = changes.map((change) => ({ vault: this.#vault(change.handle).crypto, change }));
    return commit(
      {
        store: this.#store(directory),
        source: this.#id,
        durability,
        nextOrder: () => this.#nextOrder(),
        announce: (message) => this.#broadcaster.post(message),
      },
      targets,
    );
  }

  async encrypt(handle: Handle, plaintext: Uint8Array<ArrayBuffer>, kind: PublicKind, filename: string): Promise<Uint8Array<ArrayBuffer>> {
    return moved(await this.#vault(handle).crypto.encrypt(plaintext, kind, filename));
  }

  async decrypt(handle: Handle, envelope: Uint8Array<ArrayBuffer>, kind: PublicKind, filename: string, ttl?: number): Promise<Uint8Array<ArrayBuffer>> {
    const { plaintext } = await this.#vault(handle).crypto.decrypt(envelope, kind, filename, ttl);
    // A view into a larger buffer (no copy was made) is sent as a copy of its own bytes.
    return plaintext.byteOffset === 0 && plaintext.byteLength === plaintext.buffer.byteLength ? moved(plaintext) : plaintext;
  }

  async hmac(handle: Handle, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    return moved(await this.#vault(handle).crypto.hmac(data));
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

  async profileExists(directory: string, profileId: string): Promise<boolean> {
    return profiles.profileExists(this.#store(directory), profileId);
  }

  async openProfile(req: ProfileRequest, opening: ProfileOpening, preload: boolean): Promise<OpenedVault> {
    const store = this.#store(req.directory);
    return this.#open(await VaultCrypto.fromRoot(await profiles.profileRoot(store, req, opening)), store, preload);
  }

  async changePassword(req: ProfileRequest, newPassword: string, kdf?: KdfSettings): Promise<void> {
    await profiles.changePassword(this.#store(req.directory), req, newPassword, kdf);
  }

  async rotateProfile(req: ProfileRequest, newPassword: string, kdf?: KdfSettings): Promise<RotatedProfile> {
    return profiles.rotate(this.#store(req.directory), req, newPassword, kdf, this.#id, (message) => this.#broadcaster.post(message));
  }

  async deleteProfile(req: ProfileRequest): Promise<void> {
    await profiles.deleteProfile(this.#store(req.directory), req, this.#id, (message) => this.#broadcaster.post(message));
  }

  async dump(directory: string): Promise<RawRecord[]> {
    return this.#store(directory).dump();
  }
}
