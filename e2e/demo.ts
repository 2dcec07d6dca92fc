// Steps the demo's specs share: they drive the page only through what a user sees and does.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { DEMO_URL } from './demo-url';

/**
 * The demo's specs run against the built demo (see playwright.config.ts), and fail on any
 * uncaught error or unhandled promise rejection in the page, even when every step passed.
 */
export const test = base.extend<{ pageErrors: string[] }>({
  baseURL: DEMO_URL,
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
      await use(errors);
      expect(errors, 'uncaught errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** Screenshots a reviewer can look at: e2e/output/<browser>-<name>.png (git-ignored). */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const dir = fileURLToPath(new URL('./output/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}${testInfo.project.name}-${name}.png`, fullPage: true });
}

/** Loads the page and accepts its confirm() dialogs (delete, discard). */
export async function load(page: Page): Promise<void> {
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Vault explorer');
}

/**
 * Fills a number input. Over WebDriver BiDi (Firefox), `fill` on an `<input type="number">` adds to
 * what is there instead of replacing it: clear first, then check.
 */
export async function fillNumber(input: Locator, value: string): Promise<void> {
  await input.clear();
  await input.fill(value);
  await expect(input).toHaveValue(value);
}

export async function tab(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('tab', { name }).click();
}

/** Generates a key, opens its (empty) vault, and returns the key as shown once. */
export async function openNewVault(page: Page): Promise<string> {
  await tab(page, 'Open');
  await page.getByRole('button', { name: 'Generate a new key' }).click();
  const field = page.locator('#panel-open').getByLabel('Your new key (128 hex characters)');
  await expect(field).toHaveValue(/^[0-9a-f]{128}$/);
  const key = await field.inputValue();
  await page.getByRole('button', { name: 'Open the new vault' }).click();
  await expect(page.locator('#session-text')).toContainText('Vault ');
  await expect(page.getByRole('tab', { name: 'Explore' })).toHaveAttribute('aria-selected', 'true');
  return key;
}

export async function openByKey(page: Page, key: string): Promise<void> {
  await tab(page, 'Open');
  await page.locator('#panel-open').getByLabel('Key (128 hex characters)', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Open with this key' }).click();
  await expect(page.locator('#session-text')).toContainText('(by key)');
}

export interface ProfileInput {
  username: string;
  password: string;
  credentials?: string;
  /** Argon2id memory, KiB (one of the page's options). */
  kb?: number;
  cpu?: number;
  create?: boolean;
}

/** Fills the profile form and submits it; the caller waits for the outcome. */
export async function submitProfile(page: Page, p: ProfileInput): Promise<void> {
  await tab(page, 'Open');
  const form = page.locator('#form-profile');
  await form.getByLabel('Credentials (one per line, optional)').fill(p.credentials ?? 'example.com');
  await form.getByLabel('User name').fill(p.username);
  await form.getByLabel('Password', { exact: true }).fill(p.password);
  await form.getByLabel('Memory').selectOption(String(p.kb ?? 1024));
  await fillNumber(form.getByLabel('Passes'), String(p.cpu ?? 1));
  await form.getByLabel('Create the profile if it does not exist').setChecked(p.create ?? true);
  await form.getByRole('button', { name: 'Unlock profile' }).click();
}

export async function openProfile(page: Page, p: ProfileInput): Promise<void> {
  await submitProfile(page, p);
  await expect(page.locator('#session-text')).toContainText(`profile “${p.username}”`, { timeout: 60_000 });
}

/** Selects a node of the tree: the root (`[]`), a metatag (`['clients']`) or a tag (`['clients', '#brittany']`). */
export async function select(page: Page, path: string[]): Promise<void> {
  await tab(page, 'Explore');
  const tree = page.locator('#tree');
  if (path.length === 0) return tree.locator('[data-root]').click();
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    const last = i === path.length - 1;
    if (part.startsWith('#')) {
      await tree
        .locator(`[data-tag="${part.slice(1)}"]`)
        .last()
        .click();
    } else {
      const toggle = tree.getByRole('button', { name: `Expand metatag ${part}`, exact: true });
      if (last) await tree.locator(`[data-metatag="${part}"]`).last().click();
      else if (await toggle.count()) await toggle.last().click();
    }
  }
}

/** Adds a tag to the selected vault or metatag. */
export async function addTag(page: Page, name: string, json: string): Promise<void> {
  await page.locator('#detail').getByLabel('Tag name', { exact: true }).fill(name);
  await page.locator('#detail').getByLabel('Value (JSON)', { exact: true }).fill(json);
  await page.getByRole('button', { name: 'Add tag' }).click();
  await expect(page.locator('#detail h3')).toContainText(name);
}

/** Adds a metatag to the selected vault or metatag, and selects it. */
export async function addMetatag(page: Page, name: string): Promise<void> {
  await page.locator('#detail').getByLabel('Metatag name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Add metatag' }).click();
  await expect(page.locator('#detail h3')).toContainText(`Metatag ${name}`);
}

export async function save(page: Page): Promise<void> {
  await page.locator('#save').click();
  await expect(page.locator('#session-text')).toContainText('All changes saved.');
}

/** The guide's sample in the open vault: tags `lawyer` and `safehouses`, metatag `clients` with tag `brittany` (selected). */
export async function addSampleTags(page: Page): Promise<void> {
  await select(page, []);
  await addTag(page, 'lawyer', '{"#": "555-555-1000", "$": 13000.5}');
  await select(page, []);
  await addTag(page, 'safehouses', '["Dublin Forgery", "NY Insurrection"]');
  await select(page, []);
  await addMetatag(page, 'clients');
  await addTag(page, 'brittany', '{"email": "brittany@email.com", "since": 2019}');
}

/** The JSON value shown in the editor of the selected tag. */
export async function editorValue(page: Page): Promise<unknown> {
  return JSON.parse(await page.locator('#tag-json').inputValue());
}
