// The "Under the hood" view: every raw IndexedDB record of the directory (db.rawRecords()) beside
// the decrypted values this page holds in memory, and a check that no plaintext is in storage.
import type { Database, RawRecord } from '../src/index';
import { byId, h } from './dom';
import { asBytes, errorText, GCM_TAG, hexdump, parseEnvelope, plural, pretty, toHex } from './format';
import { session } from './state';

interface VaultEntry {
  db: Database;
  path: string[];
}

/** The open vault and every metatag below it (loading them). */
async function vaultTree(root: Database): Promise<VaultEntry[]> {
  const out: VaultEntry[] = [];
  const walk = async (db: Database): Promise<void> => {
    out.push({ db, path: session.path(db) });
    for (const name of db.metatags) await walk(await session.child(db, name));
  };
  await walk(root);
  return out;
}

function keyText(record: RawRecord): string {
  return Array.isArray(record.key) ? record.key.map(String).join(' / ') : String(record.key);
}

function vaultOf(record: RawRecord): string | undefined {
  if (record.store === 'headers') return String(record.key);
  if (Array.isArray(record.key)) return String(record.key[0]);
  return undefined;
}

/** The first bytes as one line of hex, for a glance. */
function glance(bytes: Uint8Array, n = 24): string {
  return toHex(bytes.subarray(0, n)).replace(/(..)/g, '$1 ').trim() + (bytes.length > n ? ' …' : '');
}

function envelopeFacts(bytes: Uint8Array): HTMLElement {
  const env = parseEnvelope(bytes);
  if (!env) return h('p', { class: 'env' }, 'not an envelope');
  return h(
    'p',
    { class: 'env' },
    `format v${env.version} · sealed ${env.timestamp.toISOString().replace('T', ' ').slice(0, 19)} · nonce ${toHex(env.nonce.subarray(0, 4))}… (24 B) · ciphertext ${env.ciphertext} B + ${GCM_TAG} B tag`,
  );
}

function bytesBlock(bytes: Uint8Array, label: string): HTMLElement {
  return h(
    'details',
    { class: 'bytes' },
    h('summary', {}, `${label}: ${bytes.length} bytes — `, h('code', {}, glance(bytes))),
    h('pre', { class: 'hexdump' }, hexdump(bytes)),
  );
}

function recordCard(record: RawRecord, note?: string): HTMLElement {
  const card = h(
    'article',
    { class: 'record', 'data-store': record.store },
    h(
      'header',
      {},
      h('span', { class: 'store' }, record.store),
      h('code', { class: 'key', title: 'IndexedDB key' }, keyText(record)),
      note ? h('span', { class: 'note' }, note) : null,
    ),
  );
  const bytes = asBytes(record.value);
  if (bytes) {
    card.append(envelopeFacts(bytes), bytesBlock(bytes, 'Envelope'));
  } else if (record.value && typeof record.value === 'object') {
    // A profile: Argon2id settings, the device's secret salt, and the wrapped root key.
    const dl = h('dl', { class: 'facts' });
    for (const [field, value] of Object.entries(record.value as Record<string, unknown>)) {
      const b = asBytes(value);
      dl.append(h('dt', {}, field), h('dd', {}, b ? bytesBlock(b, field === 'wrapped' ? 'Wrapped root key' : field) : String(value)));
    }
    card.append(dl);
  } else {
    card.append(h('p', {}, String(record.value)));
  }
  return card;
}

/** UTF-8 needles for what the page knows in plaintext: tag names, values, and their strings. */
function plaintexts(entries: VaultEntry[]): string[] {
  const out = new Set<string>();
  const strings = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 4) out.add(value);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k.length >= 4) out.add(k);
        strings(v);
      }
    }
  };
  for (const { db, path } of entries) {
    for (const name of path) if (name.length >= 4) out.add(name);
    for (const tag of db.tags) {
      if (tag.length >= 4) out.add(tag);
      try {
        const value = db.get(tag);
        const json = JSON.stringify(value);
        if (json && json.length >= 4) out.add(json);
        strings(value);
      } catch {
        // A corrupt record has no plaintext here.
      }
    }
  }
  return [...out];
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function allBytes(record: RawRecord): Uint8Array[] {
  const b = asBytes(record.value);
  if (b) return [b];
  if (record.value && typeof record.value === 'object') {
    return Object.values(record.value)
      .map(asBytes)
      .filter((x): x is Uint8Array => x !== undefined);
  }
  return [];
}

export async function renderRaw(): Promise<void> {
  const root = session.db;
  byId('raw').hidden = !root;
  (byId('panel-raw').querySelector('.needs-vault') as HTMLElement).hidden = !!root;
  const body = byId('raw-body');
  if (!root) {
    body.replaceChildren();
    return;
  }
  body.replaceChildren(h('p', { role: 'status' }, 'Reading IndexedDB…'));
  try {
    const entries = await vaultTree(root);
    const records = await root.rawRecords();
    const mine = new Set(entries.map((e) => e.db.vaultId));
    const showOthers = byId<HTMLInputElement>('raw-others').checked;

    // The plaintext check, over every record of the directory.
    const encoder = new TextEncoder();
    const needles = plaintexts(entries);
    const found = needles.filter((text) => {
      const n = encoder.encode(text);
      return records.some((r) => allBytes(r).some((b) => contains(b, n)));
    });
    const check = found.length
      ? h('p', { class: 'message', 'data-kind': 'error', id: 'plaintext-check' }, `Plaintext found in storage: ${found.join(', ')}`)
      : h(
          'p',
          { class: 'message', 'data-kind': 'ok', id: 'plaintext-check' },
          `✓ Searched ${plural(records.length, 'record')} for ${plural(needles.length, 'plaintext string')} this page knows (tag names, values, metatag names): none occurs in the stored bytes. Sizes do show: XAES-256-GCM hides content, not length.`,
        );

    const sections: HTMLElement[] = [];
    for (const { db, path } of entries) {
      const own = records.filter((r) => vaultOf(r) === db.vaultId);
      const decrypted = h('div', { class: 'decrypted' }, h('h4', {}, 'Decrypted, in this page’s memory'));
      if (db.size === 0 && db.metatags.length === 0) decrypted.append(h('p', { class: 'help' }, 'empty'));
      for (const tag of db.tags) {
        let text: string;
        try {
          text = pretty(db.get(tag));
        } catch (error) {
          text = errorText(error);
        }
        const unsaved = session.isTagUnsaved(db, tag);
        decrypted.append(
          h('div', { class: 'plain' }, h('p', {}, h('strong', {}, tag), unsaved ? ' (unsaved: not in storage yet)' : ''), h('pre', { class: 'mono' }, text)),
        );
      }
      if (db.metatags.length) decrypted.append(h('p', {}, `Metatags: ${db.metatags.join(', ')}`));
      const stored = h('div', { class: 'stored' }, h('h4', {}, `Stored in IndexedDB (${plural(own.length, 'record')})`));
      if (own.length === 0) stored.append(h('p', { class: 'help' }, 'Nothing saved yet.'));
      for (const r of own) stored.append(recordCard(r));
      sections.push(
        h(
          'section',
          { class: 'raw-vault', 'aria-label': ['vault', ...path].join(' › ') },
          h('h3', {}, ['vault', ...path].join(' › '), ' ', h('code', { class: 'vault-id' }, db.vaultId)),
          h('div', { class: 'side-by-side' }, decrypted, stored),
        ),
      );
    }

    const others = records.filter((r) => {
      const v = vaultOf(r);
      return v === undefined || !mine.has(v);
    });
    const by = session.by;
    // A vault opened by passkey has no tokens here: its profile record is listed, not marked.
    const profileId = by && 'tokens' in by ? by.tokens.profileId : undefined;
    const otherBox = h(
      'section',
      { class: 'raw-others stored', 'aria-label': 'Other records' },
      h('h3', {}, `Other records in this directory (${others.length})`),
      h('p', { class: 'help' }, 'Other vaults’ records (which this key cannot read) and password profiles.'),
    );
    if (showOthers) {
      for (const r of others) otherBox.append(recordCard(r, r.store === 'profiles' && r.key === profileId ? 'this vault’s profile' : undefined));
    } else {
      otherBox.append(h('p', { class: 'help' }, 'Tick “Show other vaults and profiles” to list them.'));
    }
    body.replaceChildren(check, ...sections, otherBox);
  } catch (error) {
    body.replaceChildren(h('p', { class: 'message', 'data-kind': 'error', role: 'alert' }, errorText(error)));
  }
}

export function initRawView(): void {
  byId('raw-refresh').addEventListener('click', () => void renderRaw());
  byId('raw-others').addEventListener('change', () => void renderRaw());
}
