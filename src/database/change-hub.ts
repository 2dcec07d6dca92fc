// Other tabs' writes: one BroadcastChannel listener per directory routes each change message to
// the listeners registered for its vaults, in the order the messages came.
import { engineId } from '../wire/client';
import type { ChangedVault, ChangeMessage } from '../wire/protocol';

/** What hears the changes of one vault (held weakly: a listener nobody else holds goes away). */
export interface ChangeListener {
  applyChange(change: ChangedVault): void;
}

export class ChangeHub {
  static readonly #hubs = new Map<string, ChangeHub>();
  readonly #byVault = new Map<string, Set<WeakRef<ChangeListener>>>();
  /** Messages kept for vaults being opened (they read storage before they can register). */
  readonly #early = new Set<ChangeMessage[]>();

  /** The hub of a directory; `undefined` where there is no BroadcastChannel. */
  static for(directory: string): ChangeHub | undefined {
    if (typeof BroadcastChannel === 'undefined') return undefined;
    let hub = ChangeHub.#hubs.get(directory);
    if (!hub) {
      hub = new ChangeHub(directory);
      ChangeHub.#hubs.set(directory, hub);
    }
    return hub;
  }

  private constructor(directory: string) {
    const channel = new BroadcastChannel(`tagvault:${directory}`);
    channel.onmessage = async (event: MessageEvent<ChangeMessage>) => {
      const message = event.data;
      if (message?.type !== 'tagvault:change') return;
      if (message.source === (await engineId())) return; // our own write
      for (const early of this.#early) early.push(message);
      for (const change of message.vaults) {
        for (const ref of this.#byVault.get(change.vaultId) ?? []) ref.deref()?.applyChange(change);
      }
    };
  }

  /** Delivers the vault's changes to `listener` until the returned function is called. */
  listen(vaultId: string, listener: ChangeListener): () => void {
    const ref = new WeakRef(listener);
    let set = this.#byVault.get(vaultId);
    if (!set) {
      set = new Set();
      this.#byVault.set(vaultId, set);
    }
    set.add(ref);
    return () => set.delete(ref);
  }

  /**
   * Runs `open` (which reads storage, then registers), and hands `replay` the changes of the
   * vault it opened that came while it read, so none is lost between reading and listening.
   */
  static async opening<T extends { vaultId: string }>(
    directory: string,
    open: () => Promise<T>,
    replay: (opened: T, change: ChangedVault) => void,
  ): Promise<T> {
    const hub = ChangeHub.for(directory);
    // biome-ignore lint/complexity/useOptionalChain: TypeScript refuses `?.` before a private name.
    const kept = hub && hub.#early;
    const early: ChangeMessage[] = [];
    kept?.add(early);
    try {
      const opened = await open();
      for (const message of early) for (const change of message.vaults) if (change.vaultId === opened.vaultId) replay(opened, change);
      return opened;
    } finally {
      kept?.delete(early);
    }
  }
}
