// The backup file format (version 1), documented in docs/backup-format.md. A backup holds a vault
// and all its metatags as sealed records exactly as stored, framed with lengths, behind a header
// readable without the key and before a sealed trailer that authenticates the record count and a
// SHA-256 digest of every byte before it.
//
//   magic (8) ‖ version (u16) ‖ header length (u32) ‖ header (UTF-8 JSON)
//   ‖ records: store (u8) ‖ vault id length (u8) ‖ vault id ‖ id length (u8) ‖ id ‖ value length (u32) ‖ value
//   ‖ trailer: marker (u8 = 0) ‖ length (u32) ‖ sealed (count (u32) ‖ digest (32))
//
// Integers are big-endian. Everything here reads and writes bytes only: the keys are the
// engine's (engine/backup.ts).
import { fromBase64, toBase64Url } from '../bytes';
import { AuthenticationError, BackupFormatError } from '../errors';
import { parseSlot, type StoredSlot } from './profile-record';

/** "\x89TVBKUP\n": not text, not JSON; a line end to catch text-mode transfers. */
export const BACKUP_MAGIC = new Uint8Array([0x89, 0x54, 0x56, 0x42, 0x4b, 0x55, 0x50, 0x0a]);
/** The backup format this code writes and reads. */
export const BACKUP_VERSION = 1;
/** The longest header accepted (a passphrase slot and a few fields need far less). */
export const MAX_BACKUP_HEADER = 16 * 1024;
/** The most records a backup may say it holds. */
export const MAX_BACKUP_RECORDS = 10_000_000;
/** A record's value may not be longer than this (IndexedDB values of a vault stay far below). */
export const MAX_BACKUP_VALUE = 1024 * 1024 * 1024;
/** Bytes before the header: magic, version, header length. */
export const PREAMBLE_LENGTH = BACKUP_MAGIC.length + 2 + 4;
/** The trailer's sealed plaintext: the record count and the SHA-256 digest. */
export const TRAILER_PLAINTEXT_LENGTH = 4 + 32;
/** The byte that starts the trailer where a record's store code would be. */
const TRAILER_MARKER = 0;

/** The stores a record comes from, by their code in the file. */
export const BACKUP_STORES = { 1: 'tags', 2: 'names', 3: 'headers' } as const;
export type BackupStore = (typeof BACKUP_STORES)[keyof typeof BACKUP_STORES];
const STORE_CODES: Record<BackupStore, number> = { tags: 1, names: 2, headers: 3 };

/** The header, readable without the key. */
export interface BackupHeader {
  /** The file's random id (16 bytes, base64url): the trailer and the passphrase slot are bound to it. */
  id: string;
  /** When the backup was made (milliseconds since the epoch). */
  created: number;
  /** How many records follow, and of how many vaults (the root and its metatags). */
  records: number;
  vaults: number;
  /** Records left out because they failed authentication (`skipCorrupted`). */
  skipped: number;
  /** The root key in a passphrase slot (key-slot format), when the backup carries its key. */
  passphrase?: { secretSalt: Uint8Array; slot: StoredSlot };
}

/** One record of a backup: where it was stored, and its sealed bytes. */
export interface BackupRecord {
  store: BackupStore;
  vaultId: string;
  /** The tag id or name-block id; '' for a header. */
  id: string;
  value: Uint8Array;
}

function fail(what: string): never {
  throw new BackupFormatError(`this is not a readable tagvault backup (${what}): nothing was written`);
}

const ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** The header's fields in version 1 (a later version with more fields has a higher number). */
const HEADER_FIELDS = new Set(['format', 'id', 'created', 'records', 'vaults', 'skipped', 'passphrase']);

/** The file's first bytes: magic, version, header length and header. */
export function encodeHeader(header: BackupHeader): Uint8Array<ArrayBuffer> {
  const json = JSON.stringify({
    format: 'tagvault-backup',
    id: header.id,
    created: header.created,
    records: header.records,
    vaults: header.vaults,
    skipped: header.skipped,
    ...(header.passphrase ? { passphrase: { secretSalt: b64(header.passphrase.secretSalt), slot: slotJson(header.passphrase.slot) } } : {}),
  });
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(PREAMBLE_LENGTH + text.length);
  out.set(BACKUP_MAGIC);
  const view = new DataView(out.buffer);
  view.setUint16(BACKUP_MAGIC.length, BACKUP_VERSION);
  view.setUint32(BACKUP_MAGIC.length + 2, text.length);
  out.set(text, PREAMBLE_LENGTH);
  return out;
}

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function slotJson(slot: StoredSlot): Record<string, unknown> {
  return { ...slot, salt: b64(slot.salt), wrapped: b64(slot.wrapped) };
}

/** The header length a preamble announces (after checking magic and version). */
export function readPreamble(bytes: Uint8Array): number {
  if (bytes.length < PREAMBLE_LENGTH) fail(bytes.length === 0 ? 'the file is empty' : 'the file is too short');
  for (let i = 0; i < BACKUP_MAGIC.length; i++) if (bytes[i] !== BACKUP_MAGIC[i]) fail('no tagvault backup signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, PREAMBLE_LENGTH);
  const version = view.getUint16(BACKUP_MAGIC.length);
  if (version !== BACKUP_VERSION)
    fail(version > BACKUP_VERSION ? `format version ${version}, newer than this tagvault reads (${BACKUP_VERSION})` : `format version ${version}`);
  const length = view.getUint32(BACKUP_MAGIC.length + 2);
  if (length === 0 || length > MAX_BACKUP_HEADER) fail('a header length out of range');
  return length;
}

/** The header's fields, checked: every count within its cap, the passphrase slot well formed. */
export function decodeHeader(text: Uint8Array): BackupHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch {
    return fail('a header that is not JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return fail('a header that is not an object');
  const h = json as Record<string, unknown>;
  if (h.format !== 'tagvault-backup') fail('a header of another format');
  // Every field known: a flipped bit in a field's name is a damaged file, not a missing field.
  for (const field of Object.keys(h)) if (!HEADER_FIELDS.has(field)) fail('a header with a field this version does not have');
  if (typeof h.id !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(h.id)) fail('the file id');
  const count = (v: unknown, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
  if (typeof h.created !== 'number' || !Number.isFinite(h.created)) fail('the creation date');
  if (!count(h.records, MAX_BACKUP_RECORDS)) fail('a record count out of range');
  if (!count(h.vaults, MAX_BACKUP_RECORDS) || (h.vaults as number) < 1) fail('a vault count out of range');
  if (!count(h.skipped, MAX_BACKUP_RECORDS)) fail('a skipped count out of range');
  const header: BackupHeader = {
    id: h.id as string,
    created: h.created as number,
    records: h.records as number,
    vaults: h.vaults as number,
    skipped: h.skipped as number,
  };
  if (h.passphrase !== undefined) header.passphrase = decodePassphrase(h.passphrase);
  return header;
}

function decodePassphrase(value: unknown): BackupHeader['passphrase'] {
  if (value === null || typeof value !== 'object') return fail('the passphrase slot');
  const p = value as Record<string, unknown>;
  if (Object.keys(p).some((k) => k !== 'secretSalt' && k !== 'slot')) return fail('the passphrase slot');
  const secretSalt = typeof p.secretSalt === 'string' ? fromBase64(p.secretSalt) : undefined;
  if (secretSalt?.length !== 32) return fail('the passphrase slot');
  const s = p.slot as Record<string, unknown> | null;
  if (s === null || typeof s !== 'object' || typeof s.salt !== 'string' || typeof s.wrapped !== 'string') return fail('the passphrase slot');
  const salt = fromBase64(s.salt);
  const wrapped = fromBase64(s.wrapped);
  if (!salt || !wrapped) return fail('the passphrase slot');
  let slot: StoredSlot;
  try {
    slot = parseSlot({ ...s, salt, wrapped });
  } catch (cause) {
    throw new BackupFormatError('this is not a readable tagvault backup (the passphrase slot): nothing was written', { cause });
  }
  if (slot.kind !== 'password') return fail('the passphrase slot');
  return { secretSalt, slot };
}

/** What precedes a record's value in its frame: store, vault id, id and value length. */
export function encodeRecordPrefix(record: BackupRecord): Uint8Array<ArrayBuffer> {
  const vault = new TextEncoder().encode(record.vaultId);
  const id = new TextEncoder().encode(record.id);
  const out = new Uint8Array(1 + 1 + vault.length + 1 + id.length + 4);
  let at = 0;
  out[at++] = STORE_CODES[record.store];
  out[at++] = vault.length;
  out.set(vault, at);
  at += vault.length;
  out[at++] = id.length;
  out.set(id, at);
  at += id.length;
  new DataView(out.buffer).setUint32(at, record.value.length);
  return out;
}

/** One record's whole frame (the export writes the prefix and the value as two Blob parts instead). */
export function encodeRecord(record: BackupRecord): Uint8Array<ArrayBuffer> {
  const prefix = encodeRecordPrefix(record);
  const out = new Uint8Array(prefix.length + record.value.length);
  out.set(prefix);
  out.set(record.value, prefix.length);
  return out;
}

/** The trailer's frame: its marker, length and sealed envelope. */
export function encodeTrailer(sealed: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(1 + 4 + sealed.length);
  out[0] = TRAILER_MARKER;
  new DataView(out.buffer).setUint32(1, sealed.length);
  out.set(sealed, 5);
  return out;
}

/** The trailer's plaintext: the record count and the digest. */
export function trailerPlaintext(count: number, digest: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(TRAILER_PLAINTEXT_LENGTH);
  new DataView(out.buffer).setUint32(0, count);
  out.set(digest, 4);
  return out;
}

/** What a whole file holds, framed (not yet authenticated). */
export interface ParsedBackup {
  header: BackupHeader;
  records: BackupRecord[];
  /** Where the trailer starts: the digest covers every byte before it. */
  trailerAt: number;
  /** The trailer's sealed envelope. */
  trailer: Uint8Array;
}

/**
 * Frames a whole file: the preamble, the header, every record, the trailer; refuses a length that
 * runs past the end, more records than the header says, an unknown store, a malformed id, bytes
 * after the trailer. Nothing here is authenticated yet: the engine checks the trailer's seal and
 * digest, and every record's own seal, before it writes anything.
 * @throws {BackupFormatError}
 */
export function parseBackup(bytes: Uint8Array): ParsedBackup {
  const headerLength = readPreamble(bytes);
  if (PREAMBLE_LENGTH + headerLength > bytes.length) fail('the file ends inside its header');
  const header = decodeHeader(bytes.subarray(PREAMBLE_LENGTH, PREAMBLE_LENGTH + headerLength));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const records: BackupRecord[] = [];
  let at = PREAMBLE_LENGTH + headerLength;
  const need = (n: number) => {
    if (at + n > bytes.length) fail('the file ends inside a record (truncated?)');
  };
  const text = (length: number): string => {
    need(length);
    let s: string;
    try {
      s = decoder.decode(bytes.subarray(at, at + length));
    } catch {
      return fail('a record id that is not text');
    }
    at += length;
    return s;
  };
  for (;;) {
    need(1);
    const code = bytes[at]!;
    if (code === TRAILER_MARKER) break;
    const store = BACKUP_STORES[code as keyof typeof BACKUP_STORES];
    if (!store) fail('a record of an unknown kind');
    if (records.length >= header.records) fail('more records than its header says');
    at += 1;
    need(1);
    const vaultId = text(bytes[at++]!);
    need(1);
    const id = text(bytes[at++]!);
    if (!ID.test(vaultId) || (store === 'headers' ? id !== '' : !ID.test(id))) fail('a malformed record key');
    need(4);
    const length = view.getUint32(at);
    at += 4;
    if (length > MAX_BACKUP_VALUE) fail('a record longer than the cap');
    need(length);
    records.push({ store, vaultId, id, value: bytes.subarray(at, at + length) });
    at += length;
  }
  if (records.length !== header.records) fail('fewer records than its header says (truncated?)');
  const trailerAt = at;
  need(5);
  const length = view.getUint32(at + 1);
  at += 5;
  if (length > 1024) fail('a trailer length out of range');
  need(length);
  const trailer = bytes.subarray(at, at + length);
  at += length;
  if (at !== bytes.length) fail('bytes after its trailer');
  return { header, records, trailerAt, trailer };
}

/** Compares a trailer's plaintext with what the file holds. */
export function checkTrailer(plaintext: Uint8Array, count: number, digest: Uint8Array): void {
  const expected = trailerPlaintext(count, digest);
  if (plaintext.length !== expected.length || !expected.every((b, i) => b === plaintext[i])) {
    throw new AuthenticationError('the backup was altered: its records do not match its sealed trailer (dropped, added, reordered or changed)');
  }
}

/** A new file id: 16 random bytes, base64url. */
export function newBackupId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}
