// The browser half of `npm test` (after the typecheck): the vitest browser suite on Chromium,
// Firefox and WebKit, then the Playwright end-to-end suite.
//
//   node scripts/test-browsers.mjs [--project <engine>]… [--no-e2e] [vitest args…]
//
// `npm test -- --project firefox` runs one engine (vitest and e2e); repeat --project for more.
// `npm test -- --no-e2e test/xaes.test.ts` runs one test file on every engine, without e2e.
// Other arguments go to vitest.
//
// Every engine asked for (all three unless --project names some) is required. A missing one is
// installed where that can be done unattended (Debian, as root: apt-get, as CI runs); elsewhere
// the run stops at once, naming the one command that installs it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { aptCommand, aptInstall } from './apt.mjs';
import { CHROMIUM_MISSING, FIREFOX_MISSING, findChromium, findFirefox, findWebKit, findXvfbRun, WEBKIT_MISSING, XVFB_MISSING } from './browsers.mjs';

const ENGINES = ['chromium', 'firefox', 'webkit'];
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const ci = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

// ---- arguments -------------------------------------------------------------------------------
const asked = [];
const vitestArgs = [];
let e2e = true;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '--project') asked.push(...(argv[++i] ?? '').split(','));
  else if (arg.startsWith('--project=')) asked.push(...arg.slice('--project='.length).split(','));
  else if (arg === '--no-e2e') e2e = false;
  else vitestArgs.push(arg);
}
for (const name of asked) {
  if (!ENGINES.includes(name)) {
    console.error(`Unknown engine "${name}": choose ${ENGINES.join(', ')}.`);
    process.exit(2);
  }
}
const requested = asked.length ? ENGINES.filter((e) => asked.includes(e)) : ENGINES;

// ---- which engines can run here --------------------------------------------------------------
/** @returns {string | undefined} why the engine cannot run, with how to install it. */
function missing(engine) {
  if (engine === 'chromium') return findChromium() ? undefined : CHROMIUM_MISSING;
  if (engine === 'firefox') return findFirefox() ? undefined : FIREFOX_MISSING;
  if (!findWebKit()) return WEBKIT_MISSING;
  return findXvfbRun() || process.env.DISPLAY ? undefined : XVFB_MISSING;
}

/** The Debian packages that bring each engine. */
const PACKAGES = { chromium: ['chromium'], firefox: ['firefox-esr'], webkit: ['webkit2gtk-driver', 'xvfb', 'xauth'] };

let absent = requested.filter((engine) => missing(engine));
if (
  absent.length &&
  aptInstall(
    absent.flatMap((engine) => PACKAGES[engine]),
    `the browsers the tests run on: ${absent.join(', ')}`,
  )
) {
  absent = requested.filter((engine) => missing(engine));
}
if (absent.length) {
  for (const engine of absent) console.error(`[${engine}] ${missing(engine)}`);
  console.error(
    `\nInstall the missing browsers with:\n  ${aptCommand(absent.flatMap((engine) => PACKAGES[engine]))}\n` +
      `or test fewer engines, e.g. \`npm test -- --project chromium\`.${ci ? ' (CI=true)' : ''}`,
  );
  process.exit(1);
}
const engines = requested;

/** @returns {string} the engine's version, for the log (best effort). */
function version(engine) {
  const out = (command, args) => {
    const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
    return r.status === 0 ? r.stdout.trim() : '';
  };
  if (engine === 'chromium') return out(findChromium(), ['--version']).replace(/ built on .*/, '') || 'Chromium';
  if (engine === 'firefox') return out(findFirefox(), ['--version']) || 'Firefox';
  // WebKitWebDriver has no --version: ask dpkg which package holds MiniBrowser.
  const { miniBrowser } = findWebKit();
  const pkg = out('dpkg', ['-S', miniBrowser]).split(':')[0];
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax.
  const v = pkg && out('dpkg-query', ['-W', '-f=${Version}', pkg]);
  return v ? `WebKitGTK ${v.replace(/-.*/, '')} MiniBrowser (${pkg} ${v})` : `WebKitGTK MiniBrowser (${miniBrowser})`;
}

// ---- running ---------------------------------------------------------------------------------
let interrupted = false;

/** Runs a command with inherited stdio; resolves to its exit status. */
function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env, cwd: root });
    const forward = (signal) => {
      interrupted = true;
      child.kill(signal);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
    child.on('error', (error) => {
      console.error(`Could not run ${command}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(s, forward);
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}

// The vitest suite, one engine after the other (two cores do not run three browsers well, and
// each engine gets its own summary). WebKit needs WebKitWebDriver running around vitest and a
// display for MiniBrowser (a virtual one from xvfb-run when there is one: no windows pop up).
const results = [];
for (const engine of engines) {
  if (interrupted) break;
  let command = bin('vitest');
  let args = ['run', ...vitestArgs];
  if (engine === 'webkit') {
    args = [fileURLToPath(new URL('with-webkit-driver.mjs', import.meta.url)), command, ...args];
    command = process.execPath;
    const xvfbRun = findXvfbRun();
    if (xvfbRun) {
      args = ['-a', '--server-args=-screen 0 1280x1024x24', command, ...args];
      command = xvfbRun;
    }
  }
  console.log(`\n[${engine}] ${version(engine)}: vitest ${args.slice(args.indexOf('run')).join(' ')}`);
  const status = await run(command, args, { ...process.env, TAGVAULT_ENGINES: engine });
  results.push([`vitest ${engine}`, status]);
}

// The Playwright end-to-end suite (its own config: playwright.config.ts), on the same engines
// where it has a project of that name.
if (interrupted) {
  // Ctrl-C: stop here.
} else if (!e2e) {
  console.log('e2e: skipped (--no-e2e)');
} else if (!existsSync(new URL('../playwright.config.ts', import.meta.url))) {
  console.log('e2e: skipped (no playwright.config.ts)');
} else {
  const pw = ['test', '--pass-with-no-tests'];
  if (engines.length < ENGINES.length) {
    const projects = e2eProjects();
    const chosen = projects.filter((name) => engines.includes(name));
    if (projects.length && !chosen.length) {
      console.log(`e2e: skipped (no e2e project for ${engines.join(', ')}; projects: ${projects.join(', ')})`);
      pw.length = 0;
    }
    for (const name of chosen) pw.push('--project', name);
  }
  if (pw.length) {
    console.log(`\n[e2e] playwright ${pw.join(' ')}`);
    results.push(['e2e', await run(bin('playwright'), pw)]);
  }
}

/** @returns {string[]} the project names in playwright.config.ts. */
function e2eProjects() {
  const out = spawnSync(bin('playwright'), ['test', '--list', '--reporter=json', '--pass-with-no-tests'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  try {
    return JSON.parse(out.stdout).config.projects.map((p) => p.name);
  } catch {
    return [];
  }
}

const word = (status) => (status === 0 ? 'passed' : `FAILED (exit ${status})`);
console.log(`\n${results.map(([name, status]) => `${name}: ${word(status)}`).join(' · ')}`);
process.exit(results.some(([, status]) => status !== 0) ? 1 : 0);
