// The demo's "Backup" tab: a backup downloaded as a real file and restored through the file input
// after the site's storage was wiped; a passphrase backup and a carried profile restored in a
// second browser context with empty storage; and an import interrupted by closing the page, which
// must leave the directory's raw IndexedDB exactly as it was.
import { writeFileSync } from 'node:fs';
import type { Browser, Page, TestInfo } from '@playwright/test';
import { addSampleTags, addTag, editorValue, expect, fillNumber, load, openByKey, openNewVault, openProfile, save, select, tab, test } from './demo';
import { DEMO_URL } from './demo-url';
import { keyHex, openFixture } from './fixtures/harness';
import { useFixtureServer } from './fixtures/server';

/** The name the demo gives a backup file. */
const FILE_NAME = /^tagvault-\d{4}-\d\d-\d\d-\d{6}\.tvbackup$/;

const restoreMessage = (page: Page) => page.locator('#restore-message');

/** Downloads a backup of the open vault from the Backup tab (a passphrase with the demo-only cost, and its unlock); returns the saved file's path. */
async function downloadBackup(
  page: Page,
  testInfo: TestInfo,
  name: string,
  passphrase?: { passphrase: string; key: string } | { passphrase: string; password: string },
): Promise<string> {
  await tab(page, 'Backup');
  const form = page.locator('#form-backup');
  if (passphrase) {
    await form.getByLabel('Passphrase (optional: puts the key in the file)').fill(passphrase.passphrase);
    await form.getByLabel('Memory').selectOption('1024');
    await fillNumber(form.getByLabel('Passes'), '1');
    if ('key' in passphrase) await form.getByLabel('Key of this vault (128 hex characters)').fill(passphrase.key);
    else {
      await form.getByLabel('a password of this profile').check();
      await form.getByLabel('Current password').fill(passphrase.password);
    }
  }
  const path = testInfo.outputPath(name);
  const link = page.locator('#backup-file').getByRole('link');
  if (testInfo.project.name === 'firefox') {
    // Firefox over WebDriver BiDi: Playwright 1.64 reports no "download" event for the page's
    // programmatic <a download> click (the browser does download it). The page's own link to the
    // same object URL gives the very bytes instead.
    await form.getByRole('button', { name: 'Download backup' }).click();
    await expect(link).toHaveAttribute('download', FILE_NAME);
    const bytes = await link.evaluate(async (a: HTMLAnchorElement) => Array.from(new Uint8Array(await (await fetch(a.href)).arrayBuffer())));
    writeFileSync(path, Uint8Array.from(bytes));
  } else {
    const downloading = page.waitForEvent('download');
    await form.getByRole('button', { name: 'Download backup' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(FILE_NAME);
    await download.saveAs(path);
  }
  const fileName = (await link.getAttribute('download')) ?? '';
  expect(fileName).toMatch(FILE_NAME);
  await expect(page.locator('#backup-result')).toContainText(`Downloaded “${fileName}”`);
  await expect(page.locator('#backup-result')).toContainText(passphrase ? 'opens with its passphrase alone' : 'opens only with this vault’s key');
  return path;
}

/** Chooses a backup file in the Backup tab and waits for its header to be shown. */
async function chooseBackup(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await tab(page, 'Backup');
  await page.locator('#form-restore').getByLabel('Backup file (.tvbackup)').setInputFiles(file);
  await expect(page.locator('#restore-info')).toContainText('A tagvault backup (format version');
}

async function restore(page: Page): Promise<void> {
  await page.locator('#form-restore').getByRole('button', { name: 'Restore' }).click();
}

/** Deletes every IndexedDB database of the page's origin (the vault closed first), as "clear site data" would. */
async function wipeIndexedDB(page: Page): Promise<void> {
  const left = await page.evaluate(async () => {
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      await new Promise<void>((resolve, reject) => {
        const req = indexedDB.deleteDatabase(name);
        req.onsuccess = () => resolve();
        req.onerror = () => reject(req.error);
      });
    }
    return (await indexedDB.databases()).map((d) => d.name);
  });
  expect(left).toEqual([]);
}

/** Every record of every object store of a directory, read straight from IndexedDB (not through tagvault), bytes as hex. */
function rawDump(page: Page, directory: string): Promise<string> {
  return page.evaluate(async (name) => {
    const request = <T>(req: IDBRequest<T>): Promise<T> =>
      new Promise((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    const plain = (_k: string, v: unknown): unknown =>
      v instanceof ArrayBuffer
        ? `bytes:${hex(new Uint8Array(v))}`
        : ArrayBuffer.isView(v)
          ? `bytes:${hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))}`
          : v;
    const db = await request(indexedDB.open(name));
    try {
      const names = Array.from(db.objectStoreNames).sort();
      const out: Record<string, [unknown, unknown][]> = {};
      if (names.length === 0) return JSON.stringify({ version: db.version, stores: out });
      const tx = db.transaction(names, 'readonly');
      for (const store of names) {
        const [keys, values] = await Promise.all([request(tx.objectStore(store).getAllKeys()), request(tx.objectStore(store).getAll())]);
        out[store] = keys.map((key, i) => [key, values[i]]);
      }
      return JSON.stringify({ version: db.version, stores: out }, plain);
    } finally {
      db.close();
    }
  }, directory);
}

/** A page of a fresh context (empty storage), failing the test on its uncaught errors like the `page` fixture. */
async function freshPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ baseURL: DEMO_URL, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
  await load(page);
  return page;
}

/** The guide's sample (addSampleTags) and one more metatag tag, as the tests look for them. */
async function expectSample(page: Page): Promise<void> {
  await select(page, ['#lawyer']);
  expect(await editorValue(page)).toEqual({ '#': '555-555-1000', $: 13000.5 });
  await select(page, ['#safehouses']);
  expect(await editorValue(page)).toEqual(['Dublin Forgery', 'NY Insurrection']);
  await select(page, ['clients', '#brittany']);
  expect(await editorValue(page)).toEqual({ email: 'brittany@email.com', since: 2019 });
  await select(page, ['clients', '#carl']);
  expect(await editorValue(page)).toEqual([1, 2, 3]);
}

async function addSample(page: Page): Promise<void> {
  await addSampleTags(page);
  await select(page, ['clients']);
  await addTag(page, 'carl', '[1, 2, 3]');
  await save(page);
}

test('a downloaded backup restores every tag after the site’s storage is wiped', async ({ page }, testInfo) => {
  await load(page);
  const key = await openNewVault(page);
  await addSample(page);
  const file = await downloadBackup(page, testInfo, 'by-key.tvbackup');

  await page.locator('#close').click();
  await expect(page.locator('#session-text')).toHaveText('No vault open.');
  await wipeIndexedDB(page);
  await page.reload();
  // Gone: its key now opens an empty vault.
  await openByKey(page, key);
  await expect(page.locator('#open-message')).toContainText('which is empty');
  await page.locator('#close').click();

  await chooseBackup(page, file);
  await expect(page.locator('#restore-info')).toContainText('The key is not inside');
  await expect(page.locator('#form-restore').getByLabel('Passphrase of the backup')).toBeHidden();
  const keyField = page.locator('#form-restore').getByLabel('Key of the backed-up vault (128 hex characters)');
  // A wrong key is refused by the file's seal: AuthenticationError, nothing written.
  await keyField.fill(keyHex());
  await restore(page);
  await expect(restoreMessage(page)).toContainText('AuthenticationError');
  await expect(restoreMessage(page)).toContainText('Nothing was written');
  await expect(restoreMessage(page)).toHaveAttribute('role', 'alert');

  await keyField.fill(key);
  await restore(page);
  await expect(page.locator('#session-text')).toContainText('(by key)');
  await expect(page.getByRole('tab', { name: 'Explore' })).toHaveAttribute('aria-selected', 'true');
  await expectSample(page);
  await expect(page.locator('#restore-progress')).toHaveJSProperty('position', 1);

  // Again: the directory holds the vault now, which is refused until "Replace" is ticked.
  await tab(page, 'Backup');
  await keyField.fill(key);
  await restore(page);
  await expect(restoreMessage(page)).toContainText('VaultExistsError');
  await page
    .locator('#form-restore')
    .getByLabel(/Replace the vault/)
    .check();
  await restore(page);
  await expect(restoreMessage(page)).toContainText('Restored vault');
  await expectSample(page);

  // After a reload, the restored vault opens by its key, as any vault.
  await page.reload();
  await openByKey(page, key);
  await expect(page.locator('#open-message')).toContainText('2 tags, 1 metatags');
  await expectSample(page);
});

test('a passphrase backup and a carried profile restore in a second browser context', async ({ page, browser }, testInfo) => {
  await load(page);
  const key = await openNewVault(page);
  await addSample(page);
  const byPassphrase = await downloadBackup(page, testInfo, 'passphrase.tvbackup', { passphrase: 'tuba violet orbit', key });

  const profile = { username: 'alice', password: 'correct horse', credentials: 'example.com', kb: 1024, cpu: 1 };
  await openProfile(page, profile);
  await select(page, []);
  await addTag(page, 'diary', '{"monday": "wrote tests"}');
  await save(page);
  const ofProfile = await downloadBackup(page, testInfo, 'profile.tvbackup', { passphrase: 'piano ember quartz', password: profile.password });

  const errors: string[] = [];
  const other = await freshPage(browser, errors);
  try {
    expect(await other.evaluate(async () => (await indexedDB.databases()).length)).toBe(0);

    // The vault opened by key: the passphrase alone restores it.
    await chooseBackup(other, byPassphrase);
    await expect(other.locator('#restore-info')).toContainText('The key is inside, under a passphrase');
    await expect(other.locator('#form-restore').getByLabel('Key of the backed-up vault (128 hex characters)')).toBeHidden();
    const passphraseField = other.locator('#form-restore').getByLabel('Passphrase of the backup');
    await passphraseField.fill('tuba violent orbit');
    await restore(other);
    await expect(restoreMessage(other)).toContainText('AuthenticationError');
    await expect(restoreMessage(other)).toContainText('the passphrase is wrong');
    await passphraseField.fill('tuba violet orbit');
    await restore(other);
    await expect(other.locator('#session-text')).toContainText('(by key)');
    await expectSample(other);
    // It is the same vault: its key opens it here too.
    await other.reload();
    await openByKey(other, key);
    await expect(other.locator('#open-message')).toContainText('2 tags, 1 metatags');
    await expectSample(other);

    // The profile: carried with its user name and a password, then opened from the profile form.
    await chooseBackup(other, ofProfile);
    await other.locator('#form-restore').getByLabel('Passphrase of the backup').fill('piano ember quartz');
    const form = other.locator('#form-restore');
    await form.getByLabel('Make a password profile here for the restored vault').check();
    await form.getByLabel('Credentials (one per line, optional)').fill(profile.credentials);
    await form.getByLabel('User name').fill(profile.username);
    await form.getByLabel('Password', { exact: true }).fill('new device horse');
    await form.getByLabel('Memory').selectOption('1024');
    await fillNumber(form.getByLabel('Passes'), '1');
    await restore(other);
    await expect(other.locator('#session-text')).toContainText('profile “alice”', { timeout: 60_000 });
    await select(other, ['#diary']);
    expect(await editorValue(other)).toEqual({ monday: 'wrote tests' });

    await other.reload();
    await openProfile(other, { ...profile, password: 'new device horse', create: false });
    await expect(other.locator('#open-message')).toContainText('Unlocked the profile of “alice”');
    await select(other, ['#diary']);
    expect(await editorValue(other)).toEqual({ monday: 'wrote tests' });
  } finally {
    await other.context().close();
  }
  expect(errors, 'uncaught errors in the second context').toEqual([]);
});

test.describe('an interrupted import', () => {
  const server = useFixtureServer();
  /** Tags of the big backup: enough that its import runs for a while on a slow machine. */
  const N = 20_000;

  test('closing the page mid-import leaves the directory’s raw IndexedDB exactly as it was', async ({ page, context }) => {
    test.setTimeout(240_000);
    // The big backup, made by tagvault in a page of the fixture server (another origin, so its
    // storage is not the demo's): N tags and a metatag, exported, handed back as bytes.
    const key = keyHex();
    const maker = await openFixture(context, server.page);
    const base64 = await maker.evaluate(
      async ([k, n]) => {
        const { Database } = window.tagvault;
        const db = await Database.open(k, { directory: 'big' });
        for (let i = 0; i < n; i++) db.set(`t${i}`, { i, pad: 'p'.repeat(200) });
        (await db.metatag('child')).set('inner', 'value');
        await db.save();
        const blob = await db.export();
        await db.close();
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let text = '';
        for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(text);
      },
      [key, N] as const,
    );
    await maker.close();
    const big = { name: 'big.tvbackup', mimeType: 'application/octet-stream', buffer: Buffer.from(base64, 'base64') };

    // Before: the demo's directory holds that vault with one tag, and another vault.
    await load(page);
    await openNewVault(page);
    await addTag(page, 'other', '"untouched"');
    await save(page);
    await openByKey(page, key);
    await select(page, []);
    await addTag(page, 'before', '"the old state"');
    await save(page);
    const before = await rawDump(page, 'tagvault-demo');
    expect(before).toContain('"tags"');

    // An import replacing it, and the page closed as soon as the import reports its start.
    await chooseBackup(page, big);
    await expect(page.locator('#restore-info')).toContainText('of 2 vaults');
    await page.locator('#form-restore').getByLabel('Key of the backed-up vault (128 hex characters)').fill(key);
    await page
      .locator('#form-restore')
      .getByLabel(/Replace the vault/)
      .check();
    await restore(page);
    await page.waitForFunction(() => document.getElementById('restore-progress')?.dataset.done !== undefined, undefined, { polling: 'raf' });
    const finished = await restoreMessage(page).textContent();
    await page.close({ runBeforeUnload: false });
    expect(finished ?? '', 'the import had finished before the page was closed').not.toContain('Restored');

    const again = await context.newPage();
    const errors: string[] = [];
    again.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
    await load(again);
    expect(await rawDump(again, 'tagvault-demo')).toBe(before);
    await openByKey(again, key);
    await expect(again.locator('#open-message')).toContainText('1 tags, 0 metatags');

    // The same file, not interrupted, does import: the interruption is what left nothing.
    await chooseBackup(again, big);
    await again.locator('#form-restore').getByLabel('Key of the backed-up vault (128 hex characters)').fill(key);
    await again
      .locator('#form-restore')
      .getByLabel(/Replace the vault/)
      .check();
    await restore(again);
    await expect(restoreMessage(again)).toContainText(`Restored vault`, { timeout: 120_000 });
    await expect(restoreMessage(again)).toContainText(`${N} tags, 1 metatag at its root`);
    expect(await rawDump(again, 'tagvault-demo')).not.toBe(before);
    await again.close();
    expect(errors, 'uncaught errors in the reopened page').toEqual([]);
  });
});
