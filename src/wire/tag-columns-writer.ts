// Tags as columns across the wire (see TagColumns), built in the engine (the page reads them:
// wire/tag-columns.ts).
import type { TagColumns } from './protocol';

/** Collects tags in the engine and turns them into {@link TagColumns}. */
export class TagColumnsWriter {
  readonly #ids: string[] = [];
  readonly #tags: string[] = [];
  readonly #orders: number[] = [];
  readonly #json: (Uint8Array | undefined)[] = [];
  #withValues = false;

  /** Adds a tag; `json` (UTF-8, a view into a packed buffer) when its value was read. */
  add(tagId: string, tag: string, order: number, json?: Uint8Array): void {
    this.#ids.push(tagId);
    this.#tags.push(tag);
    this.#orders.push(order);
    this.#json.push(json);
    if (json) this.#withValues = true;
  }

  /**
   * The columns, in the order tags were added or (with `sorted`) by creation order, and the
   * buffers to transfer with them.
   */
  build(options: { sorted?: boolean; values?: boolean } = {}): { columns: TagColumns; transfer: ArrayBuffer[] } {
    const n = this.#ids.length;
    const at = Array.from({ length: n }, (_, i) => i);
    if (options.sorted) at.sort((a, b) => this.#orders[a]! - this.#orders[b]!);
    const columns: TagColumns = {
      names: at.map((i) => this.#tags[i]).join(''),
      nameLengths: Uint32Array.from(at, (i) => this.#tags[i]!.length),
      ids: at.map((i) => this.#ids[i]).join(''),
      orders: Float64Array.from(at, (i) => this.#orders[i]!),
    };
    if (!(options.values ?? this.#withValues)) return { columns, transfer: [] };
    const index = new Map<ArrayBufferLike, number>();
    const buffers: Uint8Array<ArrayBuffer>[] = [];
    const buffer = new Uint32Array(n);
    const offset = new Uint32Array(n);
    const length = new Uint32Array(n);
    at.forEach((from, i) => {
      const json = this.#json[from];
      if (!json || json.length === 0) return;
      let b = index.get(json.buffer);
      if (b === undefined) {
        b = buffers.length;
        index.set(json.buffer, b);
        buffers.push(new Uint8Array(json.buffer as ArrayBuffer));
      }
      buffer[i] = b;
      offset[i] = json.byteOffset;
      length[i] = json.length;
    });
    columns.values = { buffers, buffer, offset, length };
    return { columns, transfer: buffers.map((b) => b.buffer) };
  }
}
