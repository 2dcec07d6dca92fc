// The built package as its users' tools see it (`npm run check:package`, in `npm test` right
// after `npm run build`; it checks dist/, it does not build):
//   1. publint --strict: package.json's fields (exports, types, files…) point at packed files.
//   2. attw --profile esm-only on the packed tarball: the types resolve under node16/nodenext
//      (from ESM) and bundler resolution. tagvault is ESM-only on purpose: `require` is not
//      supported, so CommonJS resolution is not checked.
//   3. tsc on a tiny consumer of the packed tarball, `skipLibCheck: false` (tagvault.d.ts itself
//      is checked), at the floor we promise: lib ES2022 + DOM (or WebWorker), under nodenext,
//      node16 and bundler resolution; an @internal member must not be visible.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);

if (!existsSync(join(root, 'dist', 'tagvault.js')) || !existsSync(join(root, 'dist', 'tagvault.d.ts'))) {
  console.error('check:package: no built package in dist/: run `npm run build` first.');
  process.exit(1);
}

const failed = [];
/** Runs one check with inherited output; records it when it fails. */
function check(name, command, args, cwd = root) {
  console.log(`\n[check:package] ${name}`);
  const { status, error } = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (error) console.error(`Could not run ${command}: ${error.message}`);
  if (status !== 0) failed.push(name);
  else console.log('ok');
}

const work = mkdtempSync(join(tmpdir(), 'tagvault-check-'));
try {
  check('publint', bin('publint'), ['--strict']);

  const [{ filename }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const tarball = join(work, filename);
  check('attw (esm-only)', bin('attw'), [tarball, '--profile', 'esm-only']);

  // The consumer: the tarball as its node_modules/tagvault, one file, one tsconfig per setup.
  const app = join(work, 'consumer');
  mkdirSync(join(app, 'node_modules', 'tagvault'), { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', join(app, 'node_modules', 'tagvault'), '--strip-components=1']);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(
    join(app, 'consumer.ts'),
    `import { Database, Keys, ProfileTokens, type OpenOptions } from 'tagvault';
const options: OpenOptions = { directory: 'consumer' };
await using db: Database = await Database.open(Keys.csprng(), options);
db.set('hello', { world: true });
await db.save();
const value: unknown = db.get('hello');
// @ts-expect-error @internal: stripped from the declarations
void ProfileTokens._create;
export { value };
`,
  );
  const setups = [
    ['nodenext', 'nodenext', ['ES2022', 'DOM']],
    ['node16', 'node16', ['ES2022', 'DOM']],
    ['esnext', 'bundler', ['ES2022', 'DOM']],
    ['esnext', 'bundler', ['ES2022', 'WebWorker']],
  ];
  for (const [module, moduleResolution, lib] of setups) {
    const name = `tsconfig.${moduleResolution}.${lib.join('-').toLowerCase()}.json`;
    const compilerOptions = { module, moduleResolution, lib, target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true, types: [] };
    writeFileSync(join(app, name), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    check(`tsc: a consumer, module ${module}, moduleResolution ${moduleResolution}, lib ${lib.join(' + ')}`, bin('tsc'), ['-p', name], app);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(failed.length ? `\ncheck:package: FAILED: ${failed.join('; ')}` : '\ncheck:package: publint, attw and the consumer type checks passed');
process.exit(failed.length ? 1 : 0);
