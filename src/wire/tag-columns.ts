// Tags as columns across the wire (see TagColumns), read on the page (the engine builds them:
// wire/tag-columns-writer.ts, apart so the page does not ship the writer).
import type { TagColumns } from './protocol';

/** Tag ids are 43 characters: 32 bytes of HMAC in unpadded base64url. */
const TAG_ID_LENGTH = 43;

/** Calls `visit` for each tag of the columns, in order; `json` is a view of its UTF-8 value. */
export function readTagColumns(columns: TagColumns, visit: (tag: string, tagId: string, order: number, json: Uint8Array | undefined) => void): void {
  const { names, nameLengths, ids, orders, values } = columns;
  let at = 0;
  for (let i = 0; i < orders.length; i++) {
    const tag = names.slice(at, at + nameLengths[i]!);
    at += nameLengths[i]!;
    const tagId = ids.slice(i * TAG_ID_LENGTH, (i + 1) * TAG_ID_LENGTH);
    const length = values?.length[i] ?? 0;
    const offset = values?.offset[i] ?? 0;
    visit(tag, tagId, orders[i]!, length > 0 ? values!.buffers[values!.buffer[i]!]!.subarray(offset, offset + length) : undefined);
  }
}
