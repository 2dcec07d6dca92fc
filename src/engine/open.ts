// Reading a vault: its header, its tags (every record with `preload`, else the name blocks), and
// what failed authentication, as the columns that cross to the page.
import type { VaultCrypto } from '../crypto/vault-crypto';
import { decodeHeader, emptyHeader, type VaultHeader } from '../format/header';
import { decodeNameBlock, decodeTagRecord, type NameEntry, type TagRecord } from '../format/records';
import type { CorruptRecord, TagColumns } from '../wire/protocol';
import { TagColumnsWriter } from '../wire/tag-columns-writer';
import type { Store } from './store';

/** A record as opened: its contents, `undefined` where none is stored, `null` where it fails. */
type Opened = TagRecord | null | undefined;

/** A vault's header; no record is a vault never saved. Anything stored must authenticate. */
export async function readHeader(vault: VaultCrypto, envelope: Uint8Array | undefined): Promise<VaultHeader> {
  if (envelope === undefined) return emptyHeader();
  return decodeHeader(await vault.openHeader(envelope));
}

/** The metatags a vault's stored header lists. */
export async function readMetatags(vault: VaultCrypto, store: Store): Promise<string[]> {
  const [envelope] = await store.readHeaders([vault.vaultId]);
  return (await readHeader(vault, envelope)).metatags;
}

/** The names in a vault's name blocks, by tag id (the latest creation wins); failures are reported. */
export async function readNames(vault: VaultCrypto, blocks: [string, Uint8Array][]): Promise<{ names: Map<string, NameEntry>; corrupted: CorruptRecord[] }> {
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

/**
 * Copies the JSON of a chunk of opened records into one new buffer (one transfer to the page
 * instead of one per record) and points each record's `json` into it.
 */
function packJson(records: Opened[]): Opened[] {
  let total = 0;
  for (const r of records) if (r) total += r.json.length;
  const buffer = new Uint8Array(total);
  let offset = 0;
  for (const r of records) {
    if (!r) continue;
    buffer.set(r.json, offset);
    const end = offset + r.json.length;
    r.json = buffer.subarray(offset, end);
    offset = end;
  }
  return records;
}

/** Opens tag records (index-aligned with `ids`), their JSON packed into one buffer. */
async function openRecords(vault: VaultCrypto, ids: string[], envelopes: (Uint8Array | undefined)[]): Promise<Opened[]> {
  const stored = envelopes.filter((e): e is Uint8Array => e !== undefined);
  const plaintexts = await vault.openRecords('tag', stored.length === ids.length ? ids : ids.filter((_, i) => envelopes[i] !== undefined), stored);
  let k = 0;
  const opened = envelopes.map((env): Opened => {
    if (env === undefined) return undefined;
    const plaintext = plaintexts[k++];
    try {
      return plaintext ? decodeTagRecord(plaintext) : null;
    } catch {
      return null;
    }
  });
  return packJson(opened);
}

/**
 * Adds opened records to `out`. A record that failed is reported: as a listed tag that cannot be
 * read when `names` knows its name, else as an unknown one. Missing records are left out.
 */
function classify(ids: string[], opened: Opened[], out: TagColumnsWriter, corrupted: CorruptRecord[], names?: Map<string, NameEntry>, values = true): void {
  opened.forEach((r, i) => {
    const tagId = ids[i]!;
    if (r) out.add(tagId, r.tag, r.order, values ? r.json : undefined);
    else if (r === null) {
      const named = names?.get(tagId);
      if (named) {
        out.add(tagId, named[1], named[2]);
        corrupted.push({ kind: 'value', tagId, tag: named[1] });
      } else {
        corrupted.push({ kind: 'name', tagId });
      }
    }
  });
}

/** What opening a vault read, ready for the wire. */
export interface ReadVault {
  metatags: string[];
  tags: TagColumns;
  corrupted: CorruptRecord[];
  /** The buffers to transfer with `tags`. */
  transfer: ArrayBuffer[];
}

/** Reads a whole vault: with `preload` every record, else the tag names only. */
export async function readVault(vault: VaultCrypto, store: Store, preload: boolean): Promise<ReadVault> {
  // With preload, each chunk of records is decrypted while IndexedDB reads the next one.
  const chunks: Promise<Opened[]>[] = [];
  const stored = await store.readVault(vault.vaultId, preload ? (ids, envelopes) => void chunks.push(openRecords(vault, ids, envelopes)) : undefined);
  const corrupted: CorruptRecord[] = [];
  let metatags: string[] = [];
  try {
    metatags = (await readHeader(vault, stored.header)).metatags;
  } catch {
    corrupted.push({ kind: 'header' });
  }
  const out = new TagColumnsWriter();
  if (preload) {
    // The records name their tags; the name blocks are read only to name records that fail.
    const records = (await Promise.all(chunks)).flat();
    let names: Map<string, NameEntry> | undefined;
    if (records.includes(null)) {
      const named = await readNames(vault, await store.allBlocks(vault.vaultId));
      corrupted.push(...named.corrupted);
      names = named.names;
    }
    classify(stored.tagIds, records, out, corrupted, names);
  } else {
    const named = await readNames(vault, stored.blocks);
    corrupted.push(...named.corrupted);
    // The names come from the blocks; a tag no block names (its block was lost, or another tab
    // raced us) is named by its own record.
    const unnamed: string[] = [];
    for (const tagId of stored.tagIds) {
      const entry = named.names.get(tagId);
      if (entry) out.add(tagId, entry[1], entry[2]);
      else unnamed.push(tagId);
    }
    if (unnamed.length > 0) {
      // Only their names: without preload, no value crosses to the page.
      classify(unnamed, await openRecords(vault, unnamed, await store.readTags(vault.vaultId, unnamed)), out, corrupted, undefined, false);
    }
  }
  const { columns, transfer } = out.build({ sorted: true, values: preload });
  return { metatags, tags: columns, corrupted, transfer };
}

/**
 * Reads some tags of a vault by id. A record that fails is a listed tag that cannot be read
 * (`kind: 'value'`); `tags`, when given, are the names the page knows them by (index-aligned).
 */
export async function readTags(vault: VaultCrypto, store: Store, ids: string[], tags?: string[]): Promise<Omit<ReadVault, 'metatags'>> {
  const out = new TagColumnsWriter();
  const corrupted: CorruptRecord[] = [];
  classify(ids, await openRecords(vault, ids, await store.readTags(vault.vaultId, ids)), out, corrupted);
  for (const c of corrupted) {
    c.kind = 'value';
    if (tags) c.tag = tags[ids.indexOf(c.tagId!)];
  }
  const { columns, transfer } = out.build();
  return { tags: columns, corrupted, transfer };
}
