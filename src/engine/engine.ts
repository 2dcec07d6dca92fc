// engine/: what runs where the keys live (the engine's worker, or in-thread behind the same wire).
// Here, the Engine: the registry of open vaults by handle and the API the worker exposes, each
// method delegating to reading (open.ts), committing (commit.ts), profiles (profiles.ts) and
// IndexedDB (store.ts). Buffers it returns are transferred, not copied.
import { transfer } from 'comlink';
import { type SlotSecret, wipeSecret } from '../crypto/slot-keys';
import { type PublicKind, VaultCrypto } from '../crypto/vault-crypto';
import { AuthenticationError, DatabaseClosedError, ProfileNotFoundError, ValidationError } from '../errors';
import type {
  BackupProgress,
  CommitResult,
  EngineApi,
  ExportRequest,
  Handle,
  ImportRequest,
  KdfSettings,
  KeySlotInfo,
  LoadedTags,
  NewKeySlot,
  OpenedVault,
  OpenVaultRequest,
  ProfileLocation,
  ProfileOpening,
  ProfileRequest,
  RawRecord,
  RotatedProfile,
  SkippedRecord,
  TagSelector,
  VaultChange,
} from '../wire/protocol';
import { type ExportKey, exportBackup, importBackup } from './backup';
import { ChangeBroadcaster } from './broadcast';
import { commit } from './commit';
import * as keySlots from './key-slots';
import { listSlots, type ProfileRef } from './key-slots';
import { type ReadVault, readMetatags, readTags, readVault } from './open';
import * as profiles from './profiles';
import { Store } from './store';

/** An open vault: its keys, where it is stored, and (a profile's root vault) which profile. */
interface OpenVault {
  crypto: VaultCrypto;
  store: Store;
  /** A root vault (opened by key or profile), not a metatag. */
  root: boolean;
  profile?: ProfileRef;
}

/** An unlock checked by holdUnlock, kept for one addKeySlot while a passkey is made on the page. */
interface HeldUnlock {
  handle: Handle;
  secret: SlotSecret;
  timer: ReturnType<typeof setTimeout>;
}

/** How long a held unlock lasts: longer than a WebAuthn prompt's timeout (60 s) and its retry. */
const HOLD_MS = 120_000;

/** Marks the bytes' buffer to be moved to the page. */
function moved(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return transfer(bytes, [bytes.buffer]);
}

export class Engine implements EngineApi {
  readonly #id = crypto.randomUUID();
  readonly #stores = new Map<string, Store>();
  readonly #vaults = new Map<Handle, OpenVault>();
  readonly #broadcaster = new ChangeBroadcaster();
  readonly #held = new Map<number, HeldUnlock>();
  #nextHandle = 1;
  #nextTicket = 1;
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
  async #open(crypto: VaultCrypto, store: Store, preload: boolean, wanted?: () => boolean, profile?: ProfileRef): Promise<OpenedVault> {
    let read: ReadVault;
    try {
      read = await readVault(crypto, store, preload);
      if (wanted && !wanted()) throw new DatabaseClosedError();
    } catch (error) {
      crypto.destroy();
      throw error;
    }
    const handle = this.#nextHandle++;
    this.#vaults.set(handle, { crypto, store, root: !wanted, ...(profile ? { profile } : {}) });
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
    for (const [ticket, held] of this.#held) if (held.handle === handle) this.#release(ticket);
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
    try {
      const root = await profiles.profileRoot(store, req, opening);
      return this.#open(await VaultCrypto.fromRoot(root), store, preload, undefined, {
        directory: req.directory,
        profileId: req.profileId,
        identity: req.identity,
      });
    } finally {
      if (opening.mode === 'unlock') wipeSecret(opening.secret);
    }
  }

  async unlockProfile(location: ProfileLocation, secret: SlotSecret, preload: boolean): Promise<OpenedVault> {
    const store = this.#store(location.directory);
    try {
      const root = await profiles.unlockRoot(store, location, secret);
      return this.#open(await VaultCrypto.fromRoot(root), store, preload, undefined, { directory: location.directory, profileId: location.profileId });
    } finally {
      wipeSecret(secret);
    }
  }

  async listKeySlots(location: ProfileLocation): Promise<KeySlotInfo[]> {
    return listSlots(await profiles.readRecord(this.#store(location.directory), location));
  }

  /** The open vault of a profile's root, or ProfileNotFoundError (a vault opened by key, a metatag). */
  #profileVault(handle: Handle): OpenVault & { profile: ProfileRef } {
    const vault = this.#vault(handle);
    if (!vault.profile) throw new ProfileNotFoundError('this vault was not opened from a profile: only a profile (its root vault) has key slots');
    return vault as OpenVault & { profile: ProfileRef };
  }

  /** Checks that a root unlocked for `vault`'s profile is still the one `vault` was opened with. */
  #sameRoot(vault: OpenVault): (root: Uint8Array<ArrayBuffer>) => Promise<void> {
    return async (root) => {
      const check = await VaultCrypto.fromRoot(root.slice());
      const same = check.vaultId === vault.crypto.vaultId;
      check.destroy();
      if (!same) throw new AuthenticationError("this profile's root key was rotated since this vault was opened: open it again (nothing was written)");
    };
  }

  async profileIdOf(handle: Handle): Promise<string> {
    return this.#profileVault(handle).profile.profileId;
  }

  async keySlots(handle: Handle): Promise<KeySlotInfo[]> {
    const { store, profile } = this.#profileVault(handle);
    return listSlots(await profiles.readRecord(store, profile));
  }

  async holdUnlock(handle: Handle, unlock: SlotSecret): Promise<number> {
    const vault = this.#profileVault(handle);
    try {
      await this.#sameRoot(vault)(await profiles.unlockRoot(vault.store, vault.profile, unlock));
    } catch (error) {
      wipeSecret(unlock);
      throw error;
    }
    const ticket = this.#nextTicket++;
    this.#held.set(ticket, { handle, secret: unlock, timer: setTimeout(() => this.#release(ticket), HOLD_MS) });
    return ticket;
  }

  #release(ticket: number): void {
    const held = this.#held.get(ticket);
    if (!held) return;
    this.#held.delete(ticket);
    clearTimeout(held.timer);
    wipeSecret(held.secret);
  }

  async releaseUnlock(ticket: number): Promise<void> {
    this.#release(ticket);
  }

  async addKeySlot(handle: Handle, unlock: SlotSecret | { ticket: number }, slot: NewKeySlot): Promise<KeySlotInfo> {
    const vault = this.#profileVault(handle);
    let secret: SlotSecret;
    if ('ticket' in unlock) {
      const held = this.#held.get(unlock.ticket);
      if (!held || held.handle !== handle) throw new AuthenticationError('the unlock given for this change expired (after two minutes) or was used: try again');
      this.#held.delete(unlock.ticket);
      clearTimeout(held.timer);
      secret = held.secret;
    } else secret = unlock;
    try {
      return await keySlots.addSlot(vault.store, vault.profile, secret, slot, this.#sameRoot(vault));
    } finally {
      wipeSecret(secret);
      wipeSecret(slot.secret);
    }
  }

  async removeKeySlot(handle: Handle, unlock: SlotSecret, slotId: string): Promise<void> {
    const vault = this.#profileVault(handle);
    try {
      await keySlots.removeSlot(vault.store, vault.profile, unlock, slotId, this.#sameRoot(vault));
    } finally {
      wipeSecret(unlock);
    }
  }

  async changePassword(req: ProfileRequest, newPassword: string, kdf?: KdfSettings): Promise<void> {
    await profiles.changePassword(this.#store(req.directory), req, newPassword, kdf);
  }

  async rotateProfile(req: ProfileRequest, newPassword: string, kdf: KdfSettings | undefined, keep: SlotSecret[]): Promise<RotatedProfile> {
    try {
      return await profiles.rotate(this.#store(req.directory), req, newPassword, kdf, keep, this.#id, (message) => this.#broadcaster.post(message));
    } finally {
      for (const secret of keep) wipeSecret(secret);
    }
  }

  async deleteProfile(req: ProfileRequest): Promise<void> {
    await profiles.deleteProfile(this.#store(req.directory), req, this.#id, (message) => this.#broadcaster.post(message));
  }

  async exportBackup(handle: Handle, request: ExportRequest, onProgress?: (p: BackupProgress) => void): Promise<{ file: Blob; skipped: SkippedRecord[] }> {
    const vault = this.#vault(handle);
    if (!vault.root) throw new ValidationError('db', 'is a metatag: export its root vault, which carries every metatag');
    // A profile's root key is known to no one: without a passphrase slot its backup could never be imported.
    if (vault.profile && !request.passphrase)
      throw new ValidationError(
        'options.passphrase',
        "is required for a profile's vault: its key is known to no one, so only a passphrase can open its backup",
      );
    let key: ExportKey | undefined;
    if (request.passphrase) {
      const unlock = request.unlock;
      if (!unlock) throw new ValidationError('options.unlock', 'is required with a passphrase: the worker keeps no raw root key');
      let root: Uint8Array<ArrayBuffer>;
      if ('key' in unlock) {
        if (vault.profile) throw new ValidationError('options.unlock', 'is a key, but this vault was opened from a profile: unlock by one of its slots');
        root = unlock.key;
      } else {
        if (!vault.profile) throw new ValidationError('options.unlock', 'is a profile secret, but this vault was opened by key: unlock by { key }');
        try {
          root = await profiles.unlockRoot(vault.store, vault.profile, unlock.secret);
        } finally {
          wipeSecret(unlock.secret);
        }
      }
      try {
        await this.#sameRoot(vault)(root);
      } catch (error) {
        root.fill(0);
        throw 'key' in unlock ? new AuthenticationError("this key is not this vault's (nothing was exported)") : error;
      }
      key = { passphrase: request.passphrase.password, kdf: request.passphrase.kdf, root };
    }
    const result = await exportBackup(vault.store, vault.store.directory, vault.crypto, {
      ...(key ? { key } : {}),
      skipCorrupted: request.skipCorrupted,
      ...(onProgress ? { onProgress } : {}),
    });
    return result;
  }

  async importBackup(file: Blob, request: ImportRequest, onProgress?: (p: BackupProgress) => void): Promise<OpenedVault> {
    const store = this.#store(request.directory);
    const root = await importBackup(store, request.directory, file, request.key, {
      replace: request.replace,
      ...(request.profile ? { profile: request.profile } : {}),
      ...(onProgress ? { onProgress } : {}),
      announce: (vaults) => this.#broadcaster.post({ type: 'tagvault:change', source: this.#id, directory: request.directory, vaults }),
    });
    const profile = request.profile ? { directory: request.directory, profileId: request.profile.profileId } : undefined;
    return this.#open(root, store, request.preload, undefined, profile);
  }

  async dump(directory: string): Promise<RawRecord[]> {
    return this.#store(directory).dump();
  }
}
