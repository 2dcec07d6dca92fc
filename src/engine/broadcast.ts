// Telling other tabs what a write changed: one BroadcastChannel per directory.
import type { ChangeMessage } from '../wire/protocol';

/** Posts change messages on `BroadcastChannel("tagvault:" + directory)`. */
export class ChangeBroadcaster {
  readonly #channels = new Map<string, BroadcastChannel>();

  post(message: ChangeMessage): void {
    if (message.vaults.length === 0 || typeof BroadcastChannel === 'undefined') return;
    let channel = this.#channels.get(message.directory);
    if (!channel) {
      channel = new BroadcastChannel(`tagvault:${message.directory}`);
      this.#channels.set(message.directory, channel);
    }
    channel.postMessage(message);
  }
}
