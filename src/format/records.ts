// format/: every stored format, in one home (records and name blocks here; the vault header,
// the profile record and the envelope's byte layout beside it). Here, the plaintexts of the two
// kinds of sealed records a vault keeps (before encryption):
//
//   tag record   order (8, float64 big-endian) ‖ name length (4, big-endian) ‖ name (UTF-8) ‖ JSON (UTF-8)
//   name block   JSON: [[tagId, name, order], …] — the names of the tags first saved in one commit
//
// One record per tag holds everything about it, so a save writes one record per dirty tag and an
// open with `preload: true` reads one. Name blocks exist so `preload: false` can list the tags
// without decrypting every value: a few records instead of one per tag.
import { fromUtf8, utf8 } from '../bytes';
import { AuthenticationError } from '../errors';

const PREFIX = 12;

/** A tag as its record stores it (format layer; `tagId` is its key, not part of the record). */
export interface TagRecord {
  order: number;
  tag: string;
  /** The value's JSON as UTF-8: a view into the record's plaintext. */
  json: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();
/** Records are encoded into shared buffers of this size (fewer, larger allocations). */
const ARENA = 1 << 22;

/**
 * The plaintexts of tag records (index-aligned arrays). UTF-8 is encoded straight into the
 * records, which are views into a few shared buffers: no copy of any text per record.
 */
export function encodeTagRecords(orders: number[], tags: string[], texts: string[]): Uint8Array<ArrayBuffer>[] {
  const out: Uint8Array<ArrayBuffer>[] = [];
  let arena = new Uint8Array(0);
  let view = new DataView(arena.buffer);
  let used = 0;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!;
    const text = texts[i]!;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const bound = PREFIX + 3 * (tag.length + text.length);
    if (bound > arena.length - used) {
      arena = new Uint8Array(Math.max(ARENA, bound));
      view = new DataView(arena.buffer);
      used = 0;
    }
    const start = used;
    view.setFloat64(start, orders[i]!);
    const name = encoder.encodeInto(tag, arena.subarray(start + PREFIX)).written;
    view.setUint32(start + 8, name);
    used = start + PREFIX + name + encoder.encodeInto(text, arena.subarray(start + PREFIX + name)).written;
    out.push(arena.subarray(start, used));
  }
  return out;
}

/** Reads an authenticated tag record's plaintext; anything malformed is an AuthenticationError. */
export function decodeTagRecord(plaintext: Uint8Array<ArrayBuffer>): TagRecord {
  if (plaintext.length < PREFIX) throw new AuthenticationError('tag record is not in a known format');
  const view = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const order = view.getFloat64(0);
  const nameLength = view.getUint32(8);
  if (!Number.isFinite(order) || PREFIX + nameLength > plaintext.length) throw new AuthenticationError('tag record is not in a known format');
  return { order, tag: fromUtf8(plaintext.subarray(PREFIX, PREFIX + nameLength)), json: plaintext.subarray(PREFIX + nameLength) };
}

/** One entry of a name block. */
export type NameEntry = [tagId: string, tag: string, order: number];

export function encodeNameBlock(entries: NameEntry[]): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify(entries));
}

export function decodeNameBlock(plaintext: Uint8Array): NameEntry[] {
  const entries: unknown = JSON.parse(fromUtf8(plaintext));
  const ok =
    Array.isArray(entries) &&
    entries.every((e) => Array.isArray(e) && e.length === 3 && typeof e[0] === 'string' && typeof e[1] === 'string' && typeof e[2] === 'number');
  if (!ok) throw new AuthenticationError('name block is not in a known format');
  return entries as NameEntry[];
}

/**
 * The level of a name block of `count` entries: floor(log2(count)). A commit's new block merges
 * with a stored block of its level, again and again, so a vault keeps about log2(tags) blocks and
 * each name is rewritten about log2(tags) times in all (as in a log-structured merge tree).
 */
export function blockLevel(count: number): number {
  return count < 1 ? 0 : Math.floor(Math.log2(count));
}

/** A block's id: its level, then random bits (ids only need to be unique in their vault). */
export function blockId(level: number, random: string): string {
  return `${String(level).padStart(2, '0')}.${random}`;
}

/** The level written in a block id; NaN for an id not made by {@link blockId}. */
export function levelOf(id: string): number {
  const m = /^(\d{2})\./.exec(id);
  return m ? Number(m[1]) : NaN;
}
