// `npm run docs:check`: TypeDoc's validation (every export documented, no broken or ambiguous
// link) over a full render, failing on any warning. TypeDoc's treatWarningsAsErrors stops at the
// checks before rendering; some link warnings only come while it renders.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const typedoc = fileURLToPath(new URL('../node_modules/.bin/typedoc', import.meta.url));
const out = fileURLToPath(new URL('../.tmp/api-check', import.meta.url));
const run = spawnSync(typedoc, ['--out', out], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
const text = `${run.stdout}${run.stderr}`;
process.stdout.write(text);
// biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI colours TypeDoc prints.
const warned = /\[warning\]|\[error\]/.test(text.replace(/\x1b\[[0-9;]*m/g, ''));
if (run.status !== 0 || warned) {
  console.error('docs:check: TypeDoc reported a problem (above).');
  process.exit(1);
}
console.log('docs:check: every export documented, every link resolved.');
