// A Vite plugin that turns the README's ```ts blocks into one test module, so every snippet in
// the README runs (in order, as one walkthrough) in the browser tests and cannot rot.
//   import run from 'virtual:readme-snippets';  await run({ ...tagvault, check });
// Import lines are dropped (the test passes the library in); a line `expr; // → expected` becomes
// `check(expr, expected, line)`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { transformWithOxc } from 'vite';

const ID = 'virtual:readme-snippets';
const RESOLVED = '\0readme-snippets.ts';

/** The README's ```ts blocks, in order. */
export function extractSnippets(markdown) {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** One async function body from the snippets. */
export function snippetModule(markdown) {
  const names = new Set();
  const body = [];
  for (const block of extractSnippets(markdown)) {
    for (const line of block.split('\n')) {
      const imported = line.match(/^import\s*\{([^}]*)\}\s*from\s*'tagvault';?\s*$/);
      if (imported) {
        for (const name of imported[1].split(',')) if (name.trim()) names.add(name.trim());
        continue;
      }
      const checked = line.match(/^(\s*)(.+?);\s*\/\/ → (.+)$/);
      body.push(checked ? `${checked[1]}__check((${checked[2]}), (${checked[3]}), ${JSON.stringify(line.trim())});` : line);
    }
  }
  return [
    '// Generated from README.md by scripts/readme-snippets.mjs.',
    `export default async function run(__api: any): Promise<void> {`,
    `  const { ${[...names].join(', ')} } = __api;`,
    `  const __check = __api.check as (actual: unknown, expected: unknown, line: string) => void;`,
    body.join('\n'),
    '}',
  ].join('\n');
}

export function readmeSnippets() {
  const readme = resolve(import.meta.dirname, '..', 'README.md');
  return {
    name: 'tagvault:readme-snippets',
    resolveId(id) {
      return id === ID ? RESOLVED : undefined;
    },
    async load(id) {
      if (id !== RESOLVED) return undefined;
      this.addWatchFile(readme);
      // A \0 id is skipped by Vite's own TypeScript transform (and the dependency scanner), so
      // strip the types here.
      const { code } = await transformWithOxc(snippetModule(readFileSync(readme, 'utf8')), 'readme-snippets.ts', { lang: 'ts' });
      return code;
    },
  };
}
