// The page's cache of one vault's tags: one TagState per tag, in the vault's order. Values stay
// the stored JSON (UTF-8, as it crossed the wire) until first read, so opening stays cheap and
// tags never handed out need no re-serialising at save.
import { fromUtf8 } from '../bytes';
import { AuthenticationError } from '../errors';
import { toJson } from '../json';
import type { TagColumns, VaultEdit } from '../wire/protocol';
import { readTagColumns } from '../wire/tag-columns';

/** Where a tag is stored: its id and creation order. */
interface Stored {
  id: string;
  order: number;
}

/**
 * A tag as the page caches it (cache layer):
 * - `listed`: stored, its name known, its value not read yet (after `preload: false`);
 * - `corrupt`: stored, and its record failed authentication: reading it throws;
 * - `stored`: read and never handed out: its stored JSON, parsed on first read;
 * - `live`: handed out or set: a value the page may change; `saved` is the JSON last stored
 *   (to skip unchanged tags at save), `version` counts `set()`s, `dirty` until saved.
 */
type TagState =
  | { kind: 'listed'; stored: Stored }
  | { kind: 'corrupt'; stored: Stored }
  | { kind: 'stored'; stored: Stored; json: string | Uint8Array }
  | { kind: 'live'; stored: Stored | undefined; value: unknown; saved: string | Uint8Array | undefined; version: number; dirty: boolean };

type Live = Extract<TagState, { kind: 'live' }>;
type Written = Extract<TagState, { kind: 'stored' | 'live' }>;

/** A tag's JSON sent to be written, to mark it saved once the write succeeded. */
export interface PendingWrite {
  state: Written;
  json: string;
  /** The live state's version when sent: a `set()` since then keeps it dirty. */
  version: number;
}

/** What a save writes of one vault's tags. */
export interface Collected {
  upserts: VaultEdit['upserts'];
  /** The upserts' JSON texts joined by U+0000 (see VaultEdit.values). */
  values: string;
  pending: PendingWrite[];
}

function text(json: string | Uint8Array): string {
  return typeof json === 'string' ? json : fromUtf8(json);
}

/** Gives the event loop a turn between slices of long work (a message: no 4 ms timer clamp; not
 * scheduler.yield(), whose continuations jump ahead of the page's queued timers). */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

export class TagCache {
  readonly #tags = new Map<string, TagState>();

  get size(): number {
    return this.#tags.size;
  }

  tags(): string[] {
    return [...this.#tags.keys()];
  }

  has(tag: string): boolean {
    return this.#tags.has(tag);
  }

  /** Whether the tag's value is in the cache (set, or read from storage and authentic). */
  isLoaded(tag: string): boolean {
    const kind = this.#tags.get(tag)?.kind;
    return kind === 'stored' || kind === 'live';
  }

  /** The value of a tag in the cache; `undefined` when absent or not loaded. Hot path: one lookup. */
  get(tag: string): unknown {
    const state = this.#tags.get(tag);
    if (state !== undefined && state.kind === 'live') return state.value;
    return this.#read(tag, state);
  }

  /** `get` of a tag that is not live: absent, listed, corrupt, or stored (parsed now). */
  #read(tag: string, state: TagState | undefined): unknown {
    if (state === undefined || state.kind === 'listed') return undefined;
    if (state.kind === 'corrupt') throw new AuthenticationError('the stored value of this tag failed authentication');
    return state.kind === 'live' ? state.value : this.#parse(tag, state).value;
  }

  /** Parses a stored tag's JSON on first read: from now on the page may change its value. */
  #parse(tag: string, state: Extract<TagState, { kind: 'stored' }>): Live {
    const live: Live = { kind: 'live', stored: state.stored, value: JSON.parse(text(state.json)), saved: state.json, version: 0, dirty: false };
    this.#tags.set(tag, live);
    return live;
  }

  /** Sets a tag's value (already validated), to be written at the next save. */
  set(tag: string, value: unknown): void {
    const state = this.#tags.get(tag);
    if (state?.kind === 'live') {
      state.value = value;
      state.dirty = true;
      state.version++;
      return;
    }
    this.#tags.set(tag, { kind: 'live', stored: state?.stored, value, saved: state?.kind === 'stored' ? state.json : undefined, version: 1, dirty: true });
  }

  /** Caches tags as they crossed the wire: with a value when it was read, else listed. */
  remember(columns: TagColumns, skip?: (tag: string) => boolean): string[] {
    const remembered: string[] = [];
    readTagColumns(columns, (tag, id, order, json) => {
      if (skip?.(tag)) return;
      this.#tags.set(tag, json === undefined ? { kind: 'listed', stored: { id, order } } : { kind: 'stored', stored: { id, order }, json });
      remembered.push(tag);
    });
    return remembered;
  }

  /** Caches the values of tags that were only listed (a tag set meanwhile keeps its value). */
  fill(columns: TagColumns): void {
    readTagColumns(columns, (tag, _id, _order, json) => {
      const state = this.#tags.get(tag);
      if (state?.kind === 'listed' && json !== undefined) this.#tags.set(tag, { kind: 'stored', stored: state.stored, json });
    });
  }

  /** Marks a stored tag as failing authentication; its name, or undefined when unknown. */
  markCorrupt(tag: string | undefined): void {
    const state = tag === undefined ? undefined : this.#tags.get(tag);
    if (state?.stored && state.kind !== 'live') this.#tags.set(tag!, { kind: 'corrupt', stored: state.stored });
  }

  /** The cached tags by the id they are stored under (built once per batch of ids to look up). */
  byId(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [tag, state] of this.#tags) if (state.stored) out.set(state.stored.id, tag);
    return out;
  }

  /** The ids of the tags listed but not read yet. */
  unreadIds(): string[] {
    const ids: string[] = [];
    for (const state of this.#tags.values()) if (state.kind === 'listed') ids.push(state.stored.id);
    return ids;
  }

  /** Tags changed by `set()` since they were last saved. */
  unsaved(): string[] {
    const out: string[] = [];
    for (const [tag, state] of this.#tags) if (state.kind === 'live' && state.dirty) out.push(tag);
    return out;
  }

  /**
   * `[tag, value]` of every loaded, authentic tag: the values themselves (parsed as they are
   * handed out), or with `copy` copies that share nothing with the cache (for mirroring).
   */
  entries(copy = false): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const [tag, state] of [...this.#tags]) {
      if (state.kind === 'live') out.push([tag, copy ? structuredClone(state.value) : state.value]);
      else if (state.kind === 'stored') out.push([tag, copy ? JSON.parse(text(state.json)) : this.#parse(tag, state).value]);
    }
    return out;
  }

  /** Whether removing the tag must write a delete (it is, or may be, stored). */
  isStored(tag: string): boolean {
    const state = this.#tags.get(tag);
    return !!state && (state.kind !== 'live' || state.stored !== undefined || state.saved !== undefined);
  }

  delete(tag: string): void {
    this.#tags.delete(tag);
  }

  clear(): void {
    this.#tags.clear();
  }

  /**
   * Empties the cache after zero-filling the UTF-8 of values it holds as bytes (read and never
   * handed out, or the stored JSON of one handed out): the whole buffers they crossed the wire
   * in, which only this cache holds. For close(). Values already handed out are JavaScript
   * objects and strings: they cannot be wiped.
   */
  wipe(): void {
    for (const state of this.#tags.values()) {
      const bytes = state.kind === 'stored' ? state.json : state.kind === 'live' ? state.saved : undefined;
      if (bytes instanceof Uint8Array) new Uint8Array(bytes.buffer).fill(0);
    }
    this.#tags.clear();
  }

  /**
   * What `saveTag(tag)` writes: the tag's JSON (validated now), or nothing when it is only listed
   * or corrupt. A tag read and never handed out is written as stored.
   */
  collectOne(tag: string): { upsert: VaultEdit['upserts'][number]; pending: PendingWrite } | undefined {
    const state = this.#tags.get(tag);
    if (!state || (state.kind !== 'live' && state.kind !== 'stored')) return undefined;
    const json = state.kind === 'live' ? toJson(state.value, 'value') : text(state.json);
    const upsert = { tag, ...(state.stored ? { order: state.stored.order } : {}) };
    return { upsert, pending: { state, json, version: state.kind === 'live' ? state.version : 0 } };
  }

  /** What `save` writes: every changed tag (validated now), yielding to the page while it works. */
  async collect(): Promise<Collected> {
    const upserts: VaultEdit['upserts'] = [];
    const texts: string[] = [];
    const pending: PendingWrite[] = [];
    let slice = performance.now();
    for (const [tag, state] of this.#tags) {
      // Listed, corrupt, or read but never handed out: unchanged.
      if (state.kind !== 'live') continue;
      const json = toJson(state.value, `value of a tag`);
      if (!state.dirty && state.saved !== undefined && json === this.#savedText(state)) continue;
      upserts.push({ tag, ...(state.stored ? { order: state.stored.order } : {}) });
      texts.push(json);
      pending.push({ state, json, version: state.version });
      // Serialising thousands of values is long work: let the page breathe every few ms.
      if ((pending.length & 63) === 0 && performance.now() - slice > 8) {
        await yieldToPage();
        slice = performance.now();
      }
    }
    return { upserts, values: texts.join('\0'), pending };
  }

  /** The stored JSON of a live tag as text (decoded once). */
  #savedText(state: Live): string {
    if (state.saved instanceof Uint8Array) state.saved = fromUtf8(state.saved);
    return state.saved!;
  }

  /** Marks a written tag saved under its id and order: clean, unless set() ran since. */
  saved(pending: PendingWrite, id: string, order: number): void {
    const { state, json } = pending;
    state.stored = { id, order };
    if (state.kind === 'stored') state.json = json;
    else {
      state.saved = json;
      if (state.version === pending.version) state.dirty = false;
    }
  }

  /** Whether the tag has changes of this page's that another tab's write must not overwrite. */
  isDirty(tag: string): boolean {
    const state = this.#tags.get(tag);
    return state?.kind === 'live' && state.dirty;
  }
}
