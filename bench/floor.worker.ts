// The platform floor of tagvault's storage layout, without tagvault: what any library pays on
// this browser to keep each tag as one AES-256-GCM record (name and value) under an HMAC id,
// sealed by WebCrypto in a worker and written with IndexedDB. No key schedule, no XAES subkeys,
// no name blocks, no messages per tag, no JSON: a lower bound that shows how much of a ratio is
// the layout and how much is tagvault.
import { type IDBPDatabase, openDB } from 'idb';

export type FloorRequest =
  | { op: 'init'; tags: string[]; texts: string[] }
  | { op: 'save'; name: string }
  | { op: 'open'; name: string }
  | { op: 'close' }
  /** The floor of a backup: every record read in one transaction, opened (verified), framed, SHA-256, a Blob. */
  | { op: 'export'; name: string }
  /** The floor of restoring one: the file read whole, its SHA-256 and every record checked, one write transaction. */
  | { op: 'import'; name: string; file: Blob };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let tags: Uint8Array<ArrayBuffer>[] = [];
/** name ‖ value of each tag: what its one record holds. */
let records: Uint8Array<ArrayBuffer>[] = [];
let keys: { aes: CryptoKey; hmac: CryptoKey } | undefined;
let db: IDBPDatabase | undefined;
const VAULT = 'floor-vault-0000000000000000';

function aad(tagId: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`tag\u0000${VAULT}\u0000${tagId}`);
}

async function seal(plaintext: Uint8Array<ArrayBuffer>, tagId: string, nonce: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad(tagId) }, keys!.aes, plaintext);
  const out = new Uint8Array(12 + ct.byteLength);
  out.set(nonce);
  out.set(new Uint8Array(ct), 12);
  return out;
}

async function open(envelope: Uint8Array<ArrayBuffer>, tagId: string): Promise<string> {
  const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: envelope.subarray(0, 12), additionalData: aad(tagId) }, keys!.aes, envelope.subarray(12));
  return decoder.decode(pt);
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The floor's backup: per record u32 id length ‖ id ‖ u32 envelope length ‖ envelope, then a SHA-256 of all of it. */
async function exportFile(name: string): Promise<Blob> {
  db ??= await openDB(name, 1, {
    upgrade(d) {
      d.createObjectStore('tags');
    },
  });
  const tx = db.transaction('tags', 'readonly');
  const range = IDBKeyRange.bound([VAULT], [VAULT, []]);
  const [recordKeys, envelopes] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range), tx.done]);
  const ids = recordKeys.map((k) => encoder.encode((k as string[])[1]!));
  await Promise.all(envelopes.map((e, i) => open(e as Uint8Array<ArrayBuffer>, (recordKeys[i] as string[])[1]!)));
  let total = 0;
  for (let i = 0; i < ids.length; i++) total += 8 + ids[i]!.length + (envelopes[i] as Uint8Array).length;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const e = envelopes[i] as Uint8Array;
    view.setUint32(at, id.length);
    bytes.set(id, at + 4);
    at += 4 + id.length;
    view.setUint32(at, e.length);
    bytes.set(e, at + 4);
    at += 4 + e.length;
  }
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return new Blob([bytes, digest]);
}

async function importFile(name: string, file: Blob): Promise<number> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const body = bytes.subarray(0, bytes.length - 32);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  if (!digest.every((b, i) => b === bytes[body.length + i])) throw new Error('floor import: digest mismatch');
  const view = new DataView(bytes.buffer);
  const ids: string[] = [];
  const values: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0; at < body.length; ) {
    const idLength = view.getUint32(at);
    ids.push(decoder.decode(body.subarray(at + 4, at + 4 + idLength)));
    at += 4 + idLength;
    const length = view.getUint32(at);
    values.push(body.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  await Promise.all(values.map((e, i) => open(e, ids[i]!)));
  const target = await openDB(name, 1, {
    upgrade(d) {
      d.createObjectStore('tags');
    },
  });
  try {
    const tx = target.transaction('tags', 'readwrite', { durability: 'default' });
    await Promise.all([...values.map((e, i) => tx.store.put(e, [VAULT, ids[i]!])), tx.done]);
  } finally {
    target.close();
  }
  return values.length;
}

async function handle(req: FloorRequest): Promise<number | Blob> {
  if (req.op === 'export') return exportFile(req.name);
  if (req.op === 'import') return importFile(req.name, req.file);
  if (req.op === 'init') {
    tags = req.tags.map((t) => encoder.encode(t));
    records = req.texts.map((t, i) => encoder.encode(`${req.tags[i]}\u0000${t}`));
    keys = {
      aes: await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), 'AES-GCM', false, ['encrypt', 'decrypt']),
      hmac: await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
    };
    return 0;
  }
  if (req.op === 'close') {
    db?.close();
    db = undefined;
    return 0;
  }
  db ??= await openDB(req.name, 1, {
    upgrade(d) {
      d.createObjectStore('tags');
    },
  });
  if (req.op === 'save') {
    const ids = (await Promise.all(tags.map((t) => crypto.subtle.sign('HMAC', keys!.hmac, t)))).map(hex);
    const nonces = new Uint8Array(12 * tags.length);
    for (let i = 0; i < nonces.length; i += 65536) crypto.getRandomValues(nonces.subarray(i, i + 65536));
    const sealed = await Promise.all(records.map((r, i) => seal(r, ids[i]!, nonces.subarray(12 * i, 12 * i + 12))));
    const tx = db.transaction('tags', 'readwrite', { durability: 'default' });
    await Promise.all([...sealed.map((e, i) => tx.store.put(e, [VAULT, ids[i]!])), tx.done]);
    return sealed.length;
  }
  const tx = db.transaction('tags', 'readonly');
  const range = IDBKeyRange.bound([VAULT], [VAULT, []]);
  const [recordKeys, envelopes] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range), tx.done]);
  const opened = await Promise.all(envelopes.map((e, i) => open(e as Uint8Array<ArrayBuffer>, (recordKeys[i] as string[])[1]!)));
  return opened.length;
}

self.onmessage = async (event: MessageEvent<FloorRequest>) => {
  try {
    self.postMessage({ ok: await handle(event.data) });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
