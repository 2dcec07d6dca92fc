// The "Crypto playground": the public crypto of the open vault (keys derived from its key).
import { Database, FutureTimestampError, InvalidHmacError, TimeoutError } from '../src/index';
import { busy, describeStats } from './busy';
import { byId, h, say, withDisabled } from './dom';
import { errorText, kib, ms } from './format';
import { session } from './state';

function value(id: string): string {
  return byId<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(id).value;
}

function need(out: HTMLElement): Database | undefined {
  const db = session.db;
  if (!db) say(out, 'Open a vault first.', 'error');
  return db;
}

function parseJson(text: string, what: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `Invalid JSON in ${what} — ${error instanceof Error ? error.message : String(error)}` };
  }
}

function initEncrypt(): void {
  const out = byId('enc-result');
  const mode = (): 'json' | 'text' => (document.querySelector<HTMLInputElement>('input[name="enc-mode"]:checked')?.value === 'text' ? 'text' : 'json');
  const cipherField = byId<HTMLTextAreaElement>('enc-ciphertext');
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="enc-mode"]')) {
    radio.addEventListener('change', () => {
      byId<HTMLTextAreaElement>('enc-plaintext').value = mode() === 'json' ? '{"grocery": ["carrots", "rice"]}' : 'Meet me at the old mill at noon.';
      cipherField.value = '';
      say(byId('enc-size'), '');
      say(out, '');
    });
  }
  byId<HTMLFormElement>('form-encrypt').addEventListener('submit', async (event) => {
    event.preventDefault();
    const db = need(out);
    if (!db) return;
    const filename = value('enc-filename');
    await withDisabled(byId<HTMLButtonElement>('enc-go'), async () => {
      try {
        let ciphertext: string;
        if (mode() === 'json') {
          const parsed = parseJson(value('enc-plaintext'), 'the plaintext');
          if (!parsed.ok) return say(out, parsed.message, 'error');
          ciphertext = await db.jsonEncrypt(parsed.value, { filename });
        } else {
          ciphertext = Database.base64Encode(await db.bytesEncrypt(new TextEncoder().encode(value('enc-plaintext')), { filename }));
        }
        cipherField.value = ciphertext;
        const bytes = Database.base64Decode(ciphertext).length;
        say(byId('enc-size'), `${bytes} bytes: 1 version + 8 timestamp + 24 nonce + ${bytes - 49} ciphertext + 16 tag.`);
        say(out, `Encrypted ${new Date().toLocaleTimeString()}. Decrypt it below; change the filename or a character to see it refused.`, 'ok');
      } catch (error) {
        say(out, errorText(error), 'error');
      }
    });
  });
  byId('dec-go').addEventListener('click', async () => {
    const db = need(out);
    if (!db) return;
    const ttlText = value('dec-ttl').trim();
    const ttl = ttlText === '' ? undefined : Number(ttlText);
    const options = { filename: value('dec-filename'), ...(ttl !== undefined ? { ttl } : {}) };
    const ciphertext = cipherField.value.trim();
    if (!ciphertext) return say(out, 'Encrypt something first, or paste a ciphertext.', 'error');
    await withDisabled(byId<HTMLButtonElement>('dec-go'), async () => {
      try {
        if (mode() === 'json') {
          const plain = await db.jsonDecrypt(ciphertext, options);
          say(out, `Decrypted JSON: ${JSON.stringify(plain)}`, 'ok');
        } else {
          const bytes = await db.bytesDecrypt(ciphertext, options);
          say(out, `Decrypted text: ${new TextDecoder().decode(bytes)}`, 'ok');
        }
      } catch (error) {
        if (error instanceof FutureTimestampError) {
          say(
            out,
            `FutureTimestampError: the ciphertext is dated ${error.value} s ahead of this clock, so no ttl accepts it (error.value = ${error.value}). “${error.message}”`,
            'error',
          );
        } else if (error instanceof TimeoutError) {
          say(
            out,
            `TimeoutError: the ciphertext is older than the ttl of ${ttl} s — expired by ${error.value} s (error.value = ${error.value}). “${error.message}”`,
            'error',
          );
        } else if (error instanceof Error && error.name === 'AuthenticationError') {
          say(out, `AuthenticationError: wrong vault, wrong filename, or the ciphertext was altered. Nothing is returned. (${error.message})`, 'error');
        } else {
          say(out, errorText(error), 'error');
        }
      }
    });
  });
}

function initHmac(): void {
  const out = byId('hmac-result');
  byId<HTMLFormElement>('form-hmac').addEventListener('submit', async (event) => {
    event.preventDefault();
    const db = need(out);
    if (!db) return;
    const parsed = parseJson(value('hmac-data'), 'the data');
    if (!parsed.ok) return say(out, parsed.message, 'error');
    try {
      byId<HTMLInputElement>('hmac-value').value = await db.hmac(parsed.value);
      say(out, 'HMAC-SHA-256 of the JSON text, under this vault’s HMAC key. Change one character of the data, then verify.', 'ok');
    } catch (error) {
      say(out, errorText(error), 'error');
    }
  });
  byId('hmac-verify').addEventListener('click', async () => {
    const db = need(out);
    if (!db) return;
    const parsed = parseJson(value('hmac-data'), 'the data');
    if (!parsed.ok) return say(out, parsed.message, 'error');
    try {
      await db.testHmac(parsed.value, value('hmac-value').trim());
      say(out, '✓ Valid: testHmac returned true (compared in constant time by crypto.subtle.verify).', 'ok');
    } catch (error) {
      say(out, error instanceof InvalidHmacError ? `✗ ${errorText(error)} The data or the HMAC was changed.` : errorText(error), 'error');
    }
  });
}

function initUuids(): void {
  const out = byId('uuid-result');
  byId<HTMLFormElement>('form-uuids').addEventListener('submit', async (event) => {
    event.preventDefault();
    const db = need(out);
    if (!db) return;
    const saltText = value('uuid-salt').trim();
    const values = value('uuid-values')
      .split('\n')
      .map((v) => v.trim())
      .filter(Boolean);
    try {
      const u = await db.uuids(value('uuid-category'), { size: Number(value('uuid-size')), ...(saltText ? { salt: saltText } : {}) });
      const rows: HTMLElement[] = [];
      for (const v of values) rows.push(h('tr', {}, h('td', {}, v), h('td', { class: 'mono' }, await u(v))));
      const salt = u.result({ exit: true });
      const reuse = h('button', { type: 'button', id: 'uuid-reuse' }, 'Use this salt again');
      reuse.addEventListener('click', () => {
        byId<HTMLInputElement>('uuid-salt').value = salt;
        byId<HTMLInputElement>('uuid-salt').focus();
      });
      out.dataset.kind = 'ok';
      out.replaceChildren(
        h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'UUID'))), h('tbody', {}, ...rows)),
        h('p', {}, 'Salt, from u.result({ exit: true }) — the generator is now closed: ', h('code', { class: 'mono', id: 'uuid-salt-out' }, salt)),
        h('p', { class: 'help' }, 'The same vault, category, salt and value always give the same UUID; another vault or salt gives unrelated ones.'),
        reuse,
      );
      out.hidden = false;
    } catch (error) {
      say(out, errorText(error), 'error');
    }
  });
}

function initPasscrypt(): void {
  const out = byId('pc-result');
  const saltField = byId<HTMLInputElement>('pc-salt');
  saltField.value = Database.generateSalt();
  byId('pc-new-salt').addEventListener('click', () => {
    saltField.value = Database.generateSalt();
  });
  byId<HTMLFormElement>('form-passcrypt').addEventListener('submit', async (event) => {
    event.preventDefault();
    const db = need(out);
    if (!db) return;
    const kb = Number(value('pc-kb'));
    const cpu = Number(value('pc-cpu'));
    const hardness = Number(value('pc-hardness'));
    await withDisabled(byId<HTMLButtonElement>('pc-go'), async () => {
      try {
        const memory = Math.max(kb, hardness);
        const { value: hash, stats } = await busy(`Argon2id (${kib(memory)}, ${cpu} passes) in the worker…`, () =>
          db.passcrypt(value('pc-password'), saltField.value, { kb, cpu, hardness }),
        );
        out.dataset.kind = 'ok';
        out.replaceChildren(
          h('p', {}, `Argon2id with ${kib(memory)} and ${cpu} passes took ${ms(stats.elapsed)}. ${describeStats(stats)}`),
          h('code', { class: 'mono hash', id: 'pc-hash' }, hash),
        );
        out.hidden = false;
      } catch (error) {
        say(out, errorText(error), 'error');
      }
    });
  });
}

export function initPlayground(): void {
  initEncrypt();
  initHmac();
  initUuids();
  initPasscrypt();
}

export function renderPlayground(): void {
  const open = !!session.db;
  byId('playground').hidden = !open;
  (byId('panel-playground').querySelector('.needs-vault') as HTMLElement).hidden = open;
}
