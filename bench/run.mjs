#!/usr/bin/env node
// `npm run bench`: tagvault's benchmarks in headless Chromium, each case next to its baseline in
// the same run (alternating order, several rounds, median), reported as ratios.
//
//   BENCH_QUICK=1    a small, fast run for development (writes to a temp dir, not bench/)
//   BENCH_ONLY=...   comma-separated groups: size,storage,bytes,argon2,peers,backup,memory (default: all)
//   BENCH_ROUNDS=n   override the number of rounds of every group
//   BENCH_OUT=dir    where to write results.json / results.md (default: bench/, quick: a temp dir)
//   BENCH_TRACE=0    no Chrome trace (by default one records the CPU time of main-thread tasks)
//
// Writes results.json (browser, settings, rounds, per-case medians, ratios, targets, met or not)
// and results.md (the table the README shows). Never part of `npm test`.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sizeLimitFile from '@size-limit/file';
import { chromium } from 'playwright';
import { build, createServer } from 'vite';
import { aptCommand, aptInstall } from '../scripts/apt.mjs';
import { CHROMIUM_ARGS, CHROMIUM_MISSING, findChromium } from '../scripts/browsers.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const ONLY = new Set(
  (process.env.BENCH_ONLY ?? 'size,storage,bytes,argon2,peers,backup,memory')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const ROUNDS = process.env.BENCH_ROUNDS ? Number(process.env.BENCH_ROUNDS) : undefined;
const TRACE = process.env.BENCH_TRACE !== '0';
const started = Date.now();

const SETTINGS = QUICK
  ? {
      storage: { rounds: 2, tags: 1000, valueChars: 1024, smallTags: 100, saveTagOps: 6, getPasses: 10, getRepeats: 3 },
      bytes: { rounds: 3, bytes: 2 * 1024 * 1024 },
      argon2: { rounds: 2, password: 'pw', salt: 'somesalt', memoryKiB: 16 * 1024, iterations: 3 },
      peers: { rounds: 2, records: 1000, valueChars: 1024 },
      backup: { rounds: 2, tags: 1000, valueChars: 1024, bigRounds: 2, bigChars: 4 * 1024 * 1024 },
      memory: { rounds: 1, tags: 1000, valueChars: 1024, bigChars: 4 * 1024 * 1024, sampleMs: 10 },
    }
  : {
      storage: { rounds: 7, tags: 10000, valueChars: 1024, smallTags: 100, saveTagOps: 10, getPasses: 10, getRepeats: 5 },
      bytes: { rounds: 9, bytes: 16 * 1024 * 1024 },
      argon2: { rounds: 7, password: 'pw', salt: 'somesalt', memoryKiB: 64 * 1024, iterations: 3 },
      peers: { rounds: 9, records: 1000, valueChars: 1024 },
      backup: { rounds: 7, tags: 10000, valueChars: 1024, bigRounds: 5, bigChars: 64 * 1024 * 1024 },
      memory: { rounds: 2, tags: 10000, valueChars: 1024, bigChars: 64 * 1024 * 1024, sampleMs: 10 },
    };
if (ROUNDS) for (const group of Object.values(SETTINGS)) group.rounds = ROUNDS;

/** Extra flags beyond CHROMIUM_ARGS: keep timers of the (visible, headless) page unthrottled. */
const EXTRA_ARGS = ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'];

function log(...args) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[bench ${t}s]`, ...args);
}

// --- Statistics --------------------------------------------------------------------------------------

function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const r3 = (x) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
const r2 = (x) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);

/** The longest main-thread gap of one run: the setTimeout probe's, or a longer long task. */
const gapOf = (sample) => Math.max(sample.gap.timeoutMs, sample.gap.longTaskMs);

function summary(samples) {
  const ms = samples.map((s) => s.ms);
  const gaps = samples.map(gapOf);
  return {
    n: samples.length,
    medianMs: r3(median(ms)),
    minMs: r3(Math.min(...ms)),
    maxMs: r3(Math.max(...ms)),
    gapMedianMs: r2(median(gaps)),
    gapMaxMs: r2(Math.max(...gaps)),
    rafGapMedianMs: r2(median(samples.map((s) => s.gap.rafMs))),
    longTasks: samples.reduce((n, s) => n + s.gap.longTasks, 0),
    taskCpuMedianMs: r2(median(samples.map((s) => s.gap.taskCpuMs).filter((x) => x !== undefined))),
    taskCpuMaxMs: r2(Math.max(...samples.map((s) => s.gap.taskCpuMs ?? -Infinity))),
    samplesMs: ms.map(r3),
  };
}

/**
 * The ratio of a case: the median of the per-round ratios of runs made next to each other
 * (tagvault's i-th run against the baseline's i-th run). Pairing cancels most of the load that
 * other processes put on this shared machine, which drifts slower than one pair takes.
 */
function pairedRatio(tagvault, baseline, kind = 'time') {
  const n = Math.min(tagvault.length, baseline.length);
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(kind === 'throughput' ? baseline[i].ms / tagvault[i].ms : tagvault[i].ms / baseline[i].ms);
  return median(ratios);
}

function verdict(ratio, target) {
  if (!target) return null;
  return target.op === '<=' ? ratio <= target.value : target.op === '>=' ? ratio >= target.value : ratio < target.value;
}

// --- Bundle size (size-limit's file plugin: gzip level 9 of the built files) -------------------------

async function measureSizes() {
  const out = await mkdtemp(join(tmpdir(), 'tagvault-size-'));
  try {
    const built = await build({
      root: ROOT,
      configFile: join(ROOT, 'vite.lib.config.ts'),
      logLevel: 'warn',
      build: { outDir: out, emptyOutDir: true, sourcemap: false },
    });
    const checks = JSON.parse(await readFile(join(ROOT, '.size-limit.json'), 'utf8'));
    // Everything the entry loads at once (its static imports) must be in the first check.
    const chunks = [built]
      .flat()
      .flatMap((o) => o.output ?? [])
      .filter((c) => c.type === 'chunk');
    const byName = new Map(chunks.map((c) => [c.fileName, c]));
    const closure = new Set();
    const visit = (c) => {
      if (!c || closure.has(c.fileName)) return;
      closure.add(c.fileName);
      for (const i of c.imports) visit(byName.get(i));
    };
    visit(chunks.find((c) => c.isEntry));
    const first = new Set([checks[0].path].flat().map((p) => p.replace(/^dist\//, '')));
    const uncovered = [...closure].filter((f) => !first.has(f));
    if (uncovered.length) log(`WARNING: .size-limit.json's first check misses chunks the entry imports: ${uncovered.join(', ')}`);
    const [plugin] = sizeLimitFile;
    const sizes = [];
    for (const check of checks) {
      const files = [check.path].flat().map((p) => join(out, p.replace(/^dist\//, '')));
      const measured = { files, gzip: true };
      await plugin.step60({}, measured);
      let raw = 0;
      for (const f of files) raw += (await readFile(f)).length;
      const limit = parseLimit(check.limit);
      sizes.push({
        name: check.name,
        path: check.path,
        files: [check.path].flat().length,
        uncovered: sizes.length === 0 ? uncovered : undefined,
        bytes: raw,
        gzipBytes: measured.size,
        limit: check.limit,
        met: limit === undefined ? null : measured.size <= limit,
      });
    }
    return sizes;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

function parseLimit(limit) {
  const m = /^([\d.]+)\s*(B|kB|KB|KiB|MB)?$/.exec(String(limit ?? '').trim());
  if (!m) return undefined;
  const unit = { B: 1, kB: 1000, KB: 1000, KiB: 1024, MB: 1e6 }[m[2] ?? 'B'];
  return Number(m[1]) * unit;
}

// --- Main-thread tasks from a Chrome trace ----------------------------------------------------------
//
// The probe measures wall-clock gaps, which on a loaded machine include time the main thread
// was ready but not given a core. A trace adds, per run, the longest main-thread task that
// overlapped it and the CPU time that task used (`tdur`), which the machine's load barely changes.

/** Runs `fn` (a page.evaluate) under a Chrome trace; returns its value and the trace events. */
async function traced(cdp, fn) {
  if (!cdp) return { value: await fn(), events: [] };
  const events = [];
  const onData = (e) => events.push(...e.value);
  cdp.on('Tracing.dataCollected', onData);
  const complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', { categories: 'toplevel,blink.user_timing', transferMode: 'ReportEvents' });
  let value;
  try {
    value = await fn();
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    cdp.off('Tracing.dataCollected', onData);
  }
  return { value, events };
}

/** Adds `taskWallMs`/`taskCpuMs` (longest main-thread task in the run) to every sample in `value`. */
function annotate(value, events) {
  if (events.length === 0) return value;
  const marks = new Map();
  let thread;
  for (const e of events) {
    const m = /^tvb:(\d+)([<>])$/.exec(e.name ?? '');
    if (!m) continue;
    thread ??= `${e.pid}:${e.tid}`;
    const w = marks.get(m[1]) ?? {};
    w[m[2] === '>' ? 'start' : 'end'] = e.ts;
    marks.set(m[1], w);
  }
  const tasks = events.filter((e) => `${e.pid}:${e.tid}` === thread && e.ph === 'X' && /RunTask$/.test(e.name) && e.dur > 0);
  const visit = (v) => {
    if (!v || typeof v !== 'object') return;
    if (typeof v.mark === 'number' && v.gap) {
      const w = marks.get(String(v.mark));
      if (w?.start !== undefined && w.end !== undefined) {
        let wall = 0;
        let cpu = 0;
        for (const t of tasks) {
          const overlap = Math.min(w.end, t.ts + t.dur) - Math.max(w.start, t.ts);
          if (overlap <= 0) continue;
          wall = Math.max(wall, overlap);
          cpu = Math.max(cpu, ((t.tdur ?? t.dur) * overlap) / t.dur);
        }
        v.gap.taskWallMs = r2(wall / 1000);
        v.gap.taskCpuMs = r2(cpu / 1000);
      }
      return;
    }
    for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x);
  };
  visit(value);
  return value;
}

/** page.evaluate under a trace, with the samples annotated. */
async function run(page, cdp, fn, arg) {
  const { value, events } = await traced(cdp, () => page.evaluate(fn, arg));
  return annotate(value, events);
}

// --- The native reference Argon2 (Debian package `argon2`) --------------------------------------------

/** Whether the `argon2` CLI runs here. */
function hasArgon2Cli() {
  try {
    execFileSync('argon2', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // `argon2 -h` prints its usage and exits 1; only a missing binary is ENOENT.
    return error.code !== 'ENOENT';
  }
}

/** Finds the native reference, installing it where that can be done unattended (Debian, root). */
function findArgon2Cli() {
  return hasArgon2Cli() || (aptInstall(['argon2'], 'the native Argon2 reference of one bench row') && hasArgon2Cli());
}

function argon2CliVersion() {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax.
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'argon2'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** `echo -n pw | argon2 somesalt -id -t 3 -m 16 -p 1 -l 64`: its own timing and the hash. */
function nativeArgon2({ password, salt, memoryKiB, iterations }) {
  const m = Math.log2(memoryKiB);
  if (!Number.isInteger(m)) throw new Error('the argon2 CLI takes memory as a power of two');
  const args = [salt, '-id', '-t', String(iterations), '-m', String(m), '-p', '1', '-l', '64'];
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('argon2', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const seconds = /([\d.]+) seconds/.exec(stdout);
      const hash = /Hash:\s*([0-9a-f]+)/.exec(stdout);
      if (code !== 0 || !seconds || !hash) return reject(new Error(`argon2 CLI failed (${code}): ${stderr || stdout}`));
      resolvePromise({ ms: Number(seconds[1]) * 1000, wallMs, hex: hash[1], command: `echo -n ${password} | argon2 ${args.join(' ')}` });
    });
    child.stdin.end(password);
  });
}

// --- The run -----------------------------------------------------------------------------------------

async function main() {
  const executablePath = findChromium() ?? (aptInstall(['chromium'], 'the browser the bench runs in') ? findChromium() : undefined);
  if (!executablePath) throw new Error(CHROMIUM_MISSING);
  const outDir = process.env.BENCH_OUT ? resolve(process.env.BENCH_OUT) : QUICK ? join(tmpdir(), 'tagvault-bench-quick') : join(ROOT, 'bench');
  await mkdir(outDir, { recursive: true });

  const results = {
    generatedAt: new Date().toISOString(),
    quick: QUICK,
    environment: {},
    settings: SETTINGS,
    method: {
      pairing:
        'each case runs next to its baseline in the same round; even rounds run tagvault first, odd rounds the baseline first (Argon2 and peers rotate the order); one warm-up round per group is not recorded',
      ratio:
        'median over rounds of tagvault ÷ baseline of the runs made next to each other (throughput: baseline ÷ tagvault); ratioOfMedians is given too; times shown are medians',
      gap: 'longest main-thread gap of a run = max(longest interval between setTimeout(0) callbacks incl. the tail to the end of the run, longest Long Tasks API entry); its median over runs is checked against 50 ms',
      storage: 'fresh IndexedDB databases per round, deleted after it; Chromium with an on-disk profile (not incognito)',
    },
    cases: [],
    /** Rows that could not run on this machine, with the command that makes them run. */
    skipped: [],
    responsiveness: [],
    peers: [],
    sizes: [],
    memory: [],
  };

  if (ONLY.has('size')) {
    log('building the library and measuring sizes');
    results.sizes = await measureSizes();
    for (const s of results.sizes) log(`  ${s.name}: ${s.gzipBytes} B gzip (${s.bytes} B raw)`);
  }

  const groups = ['storage', 'bytes', 'argon2', 'peers', 'backup', 'memory'].filter((g) => ONLY.has(g));
  if (groups.length > 0) {
    const server = await createServer({
      root: ROOT,
      configFile: false,
      logLevel: 'warn',
      clearScreen: false,
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
      worker: { format: 'es' },
      optimizeDeps: {
        entries: ['bench/page.html'],
        include: ['idb', 'comlink', 'hash-wasm', 'idb-keyval', 'localforage', 'dexie', 'dexie-encrypted', 'dexie-export-import'],
      },
    });
    await server.listen();
    const { port } = server.httpServer.address();
    const url = `http://127.0.0.1:${port}/bench/page.html`;
    const profile = await mkdtemp(join(tmpdir(), 'tagvault-bench-profile-'));
    let context;
    try {
      log(`Vite at ${url}; launching ${executablePath}`);
      context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: [...CHROMIUM_ARGS, ...EXTRA_ARGS] });
      const browserVersion = context.browser()?.version() ?? (await versionOf(executablePath));
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = TRACE ? await context.newCDPSession(page) : undefined;
      page.on('pageerror', (e) => log('page error:', e.message));
      page.on('console', (m) => {
        // Dexie warns when its own delete() closes its connection: expected, not news.
        if ((m.type() === 'error' || m.type() === 'warning') && !/Another connection wants to delete/.test(m.text())) log(`page ${m.type()}:`, m.text());
      });
      await page.goto(url);
      await page.waitForFunction(() => window.tagvaultBench?.ready === true, null, { timeout: 120_000 });
      const info = await page.evaluate(() => window.tagvaultBench.info());
      results.environment = {
        browser: `Chromium ${browserVersion}`,
        userAgent: info.userAgent,
        headless: true,
        profile: 'persistent, on disk (IndexedDB writes reach the disk)',
        chromiumArgs: [...CHROMIUM_ARGS, ...EXTRA_ARGS],
        longTasksApi: info.longTasks,
        hardwareConcurrency: info.hardwareConcurrency,
        node: process.version,
        os: `${process.platform} ${release()}`,
        cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        vite: (await import('vite')).version,
        argon2Cli: hasArgon2Cli() ? `argon2 ${argon2CliVersion()} (Debian)` : 'not installed',
        loadAverage: { start: loadavg()[0].toFixed(2) },
        trace: TRACE ? 'Chrome trace (toplevel, blink.user_timing) recorded during every round' : 'off',
      };
      log(`${results.environment.browser}, long tasks API: ${info.longTasks}`);

      if (groups.includes('storage')) await runStorage(page, cdp, results);
      if (groups.includes('bytes')) await runBytes(page, cdp, results);
      if (groups.includes('argon2')) await runArgon2(page, cdp, results);
      if (groups.includes('peers')) await runPeers(page, cdp, results);
      if (groups.includes('backup')) await runBackup(page, cdp, results);
      if (groups.includes('memory')) {
        // Every memory case in a browser of its own: the main one is closed first.
        await context.close();
        context = undefined;
        results.memory = await runMemory(executablePath, url);
      }
    } finally {
      await context?.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    }
  }

  if (results.environment.loadAverage) results.environment.loadAverage.end = loadavg()[0].toFixed(2);
  results.responsiveness = responsiveness(results);
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const md = markdown(results);
  await writeFile(join(outDir, 'results.md'), md);
  console.log(`\n${md}`);
  log(`wrote ${join(outDir, 'results.json')} and results.md`);
}

async function versionOf(executablePath) {
  try {
    return execFileSync(executablePath, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function addCase(results, c, tagvaultSamples, baselineSamples) {
  const tv = summary(tagvaultSamples);
  const base = summary(baselineSamples);
  const ratio = pairedRatio(tagvaultSamples, baselineSamples, c.kind);
  const ratioOfMedians = c.kind === 'throughput' ? base.medianMs / tv.medianMs : tv.medianMs / base.medianMs;
  const entry = { ...c, tagvault: tv, baselineResult: base, ratio: r2(ratio), ratioOfMedians: r2(ratioOfMedians), met: verdict(ratio, c.target) };
  results.cases.push(entry);
  const t = c.target ? `${c.target.op} ${c.target.value}× → ${entry.met ? 'met' : 'NOT met'}` : 'report';
  log(`  ${c.id}: tagvault ${tv.medianMs} ms, baseline ${base.medianMs} ms, ratio ${entry.ratio}× (${t}); gap ${tv.gapMedianMs} ms`);
  return entry;
}

async function runStorage(page, cdp, results) {
  const s = SETTINGS.storage;
  const { rounds, ...settings } = s;
  s.meanValueChars = await page.evaluate(([n, size]) => window.tagvaultBench.valueChars(n, size), [s.tags, s.valueChars]);
  const acc = { save: [[], []], openPreload: [[], []], openLazy: [[], []], saveTag: [[], []], get: [[], []] };
  const floor = { save: [], openPreload: [] };
  const idleSamples = [];
  log('storage warm-up (not recorded)');
  const warm = { ...settings, tags: Math.min(settings.tags, 1000), saveTagOps: 2, getRepeats: 2 };
  await page.evaluate(([round, settings]) => window.tagvaultBench.storageRound(round, settings), [0, warm]);
  for (let round = 0; round < rounds; round++) {
    log(`storage round ${round + 1}/${rounds} (${s.tags} tags)`);
    const r = await run(page, cdp, ([round, settings]) => window.tagvaultBench.storageRound(round, settings), [round, settings]);
    for (const k of Object.keys(acc)) {
      acc[k][0].push(...r[k].tagvault);
      acc[k][1].push(...r[k].baseline);
    }
    floor.save.push(...r.saveFloor);
    floor.openPreload.push(...r.openFloor);
    idleSamples.push(...r.idle);
    log(
      `  save ${r.save.tagvault[0].ms.toFixed(0)} vs ${r.save.baseline[0].ms.toFixed(0)} ms; open ${r.openPreload.tagvault[0].ms.toFixed(0)} vs ${r.openPreload.baseline[0].ms.toFixed(0)} ms`,
    );
  }
  const n = s.tags.toLocaleString('en-US');
  const save = addCase(
    results,
    {
      id: 'save',
      case: `\`save()\` of ${n} tags × ~1 KiB JSON`,
      baseline: 'raw `idb`: put the same plaintext objects in one transaction',
      target: { op: '<=', value: 2.0 },
    },
    ...acc.save,
  );
  const openPreload = addCase(
    results,
    {
      id: 'open-preload',
      case: `open with \`preload: true\` (${n} tags)`,
      baseline: 'raw `idb`: `getAll` of the same plaintext',
      target: { op: '<=', value: 2.0 },
    },
    ...acc.openPreload,
  );
  // Not a target: the floor of the layout (one WebCrypto AES-GCM record per tag, in a worker).
  for (const [entry, samples, base] of [
    [save, floor.save, acc.save[1]],
    [openPreload, floor.openPreload, acc.openPreload[1]],
  ]) {
    const f = summary(samples);
    entry.floor = {
      ...f,
      ratio: r2(pairedRatio(samples, base)),
      tagvaultOverFloor: r2(pairedRatio(acc[entry.id === 'save' ? 'save' : 'openPreload'][0], samples)),
    };
    log(`  ${entry.id} floor (no tagvault): ${f.medianMs} ms, ${entry.floor.ratio}× the baseline; tagvault ${entry.floor.tagvaultOverFloor}× the floor`);
  }
  results.idle = summary(idleSamples);
  addCase(
    results,
    { id: 'open-lazy', case: `open with \`preload: false\` (${n} tags listed)`, baseline: 'raw `idb`: `getAllKeys` + `getAll` of the names', target: null },
    ...acc.openLazy,
  );
  addCase(
    results,
    { id: 'save-tag', case: `\`saveTag\` at ${n} tags`, baseline: `\`saveTag\` at ${s.smallTags} tags`, target: { op: '<=', value: 1.2 } },
    ...acc.saveTag,
  );
  addCase(
    results,
    {
      id: 'get',
      case: `\`db.get(tag)\` from cache (${(s.tags * s.getPasses).toLocaleString('en-US')} calls)`,
      baseline: '`Map.get` (same calls)',
      target: { op: '<=', value: 2.0 },
    },
    ...acc.get,
  );
}

async function runBytes(page, cdp, results) {
  const s = SETTINGS.bytes;
  const acc = { encrypt: [[], []], decrypt: [[], []], encryptTransfer: [[], []], decryptTransfer: [[], []] };
  log('bytes warm-up (not recorded)');
  await page.evaluate(([round, bytes]) => window.tagvaultBench.bytesRound(round, bytes), [0, s.bytes]);
  for (let round = 0; round < s.rounds; round++) {
    log(`bytes round ${round + 1}/${s.rounds} (${s.bytes / 2 ** 20} MiB)`);
    const r = await run(page, cdp, ([round, bytes]) => window.tagvaultBench.bytesRound(round, bytes), [round, s.bytes]);
    for (const k of Object.keys(acc)) {
      acc[k][0].push(...r[k].tagvault);
      acc[k][1].push(...r[k].baseline);
    }
  }
  const mib = `${s.bytes / 2 ** 20} MiB`;
  addCase(
    results,
    {
      id: 'bytes-encrypt',
      kind: 'throughput',
      case: `\`bytesEncrypt\` of ${mib}`,
      baseline: `one raw WebCrypto AES-256-GCM \`encrypt\` of ${mib}`,
      target: { op: '>=', value: 0.8 },
    },
    ...acc.encrypt,
  );
  addCase(
    results,
    {
      id: 'bytes-decrypt',
      kind: 'throughput',
      case: `\`bytesDecrypt\` of ${mib}`,
      baseline: `one raw WebCrypto AES-256-GCM \`decrypt\` of ${mib}`,
      target: { op: '>=', value: 0.8 },
    },
    ...acc.decrypt,
  );
  const moved = 'the caller’s buffer moved to the worker, not copied';
  addCase(
    results,
    {
      id: 'bytes-encrypt-transfer',
      kind: 'throughput',
      case: `\`bytesEncrypt\` of ${mib}, \`{ transfer: true }\` (${moved})`,
      baseline: `one raw WebCrypto AES-256-GCM \`encrypt\` of ${mib}`,
      target: { op: '>=', value: 0.8 },
    },
    ...acc.encryptTransfer,
  );
  addCase(
    results,
    {
      id: 'bytes-decrypt-transfer',
      kind: 'throughput',
      case: `\`bytesDecrypt\` of ${mib}, \`{ transfer: true }\``,
      baseline: `one raw WebCrypto AES-256-GCM \`decrypt\` of ${mib}`,
      target: { op: '>=', value: 0.8 },
    },
    ...acc.decryptTransfer,
  );
}

async function runArgon2(page, cdp, results) {
  const s = SETTINGS.argon2;
  const { rounds, ...settings } = s;
  // The same function everywhere: the CLI's hash must equal raw hash-wasm's.
  const reference = await page.evaluate((st) => window.tagvaultBench.argon2Reference(st), settings);
  const native = findArgon2Cli();
  if (native) {
    const probe = await nativeArgon2(settings);
    if (probe.hex !== reference) throw new Error(`argon2 CLI and hash-wasm disagree: ${probe.hex} vs ${reference}`);
    s.nativeCommand = probe.command;
  } else {
    results.skipped.push({ case: 'passcrypt against the native `argon2` CLI', why: `no \`argon2\` CLI here; install it with \`${aptCommand(['argon2'])}\`` });
    log(`argon2 CLI not found: that row is skipped (${aptCommand(['argon2'])})`);
  }
  const variants = native ? ['tagvault', 'worker', 'mainThread', 'native'] : ['tagvault', 'worker', 'mainThread'];
  const acc = { tagvault: [], worker: [], mainThread: [], native: [] };
  log('argon2 warm-up (not recorded)');
  for (const v of ['tagvault', 'worker', 'mainThread']) await page.evaluate(([v, st]) => window.tagvaultBench.argon2Run(v, st), [v, settings]);
  for (let round = 0; round < rounds; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    log(`argon2 round ${round + 1}/${rounds} (${s.memoryKiB / 1024} MiB, t=${s.iterations}): ${order.join(', ')}`);
    for (const v of order) {
      if (v === 'native') {
        const n = await nativeArgon2(settings);
        acc.native.push({ ms: n.ms, wallMs: n.wallMs, gap: { timeoutMs: 0, rafMs: 0, longTaskMs: 0, longTasks: 0 } });
      } else {
        acc[v].push(await run(page, cdp, ([v, st]) => window.tagvaultBench.argon2Run(v, st), [v, settings]));
      }
    }
  }
  await page.evaluate(() => window.tagvaultBench.argon2Done());
  const what = `${s.memoryKiB / 1024} MiB, t = ${s.iterations}`;
  addCase(
    results,
    {
      id: 'passcrypt-worker',
      case: `\`passcrypt\` ${what} (through the worker)`,
      baseline: 'raw hash-wasm `argon2id`, same settings, in a bare worker',
      target: { op: '<=', value: 1.1 },
    },
    acc.tagvault,
    acc.worker,
  );
  if (native) {
    const row = addCase(
      results,
      {
        id: 'passcrypt-native',
        case: `\`passcrypt\` ${what} (through the worker)`,
        baseline: `native \`argon2\` CLI (${argon2CliVersion()}), same settings, its own timing`,
        target: null,
      },
      acc.tagvault,
      acc.native,
    );
    row.baselineResult.wallMedianMs = r3(median(acc.native.map((x) => x.wallMs)));
    row.baselineResult.gapMedianMs = null;
    row.baselineResult.gapMaxMs = null;
  }
  // The contrast for responsiveness: the same hash on the main thread.
  results.argon2MainThread = summary(acc.mainThread);
  log(`  hash-wasm on the main thread: ${results.argon2MainThread.medianMs} ms, gap ${results.argon2MainThread.gapMedianMs} ms`);
}

async function runPeers(page, cdp, results) {
  const s = SETTINGS.peers;
  const peers = ['tagvault', 'idb-keyval', 'localforage', 'dexie-encrypted'];
  const acc = Object.fromEntries(peers.map((p) => [p, []]));
  log('peers warm-up (not recorded)');
  for (const p of peers) await page.evaluate(([p, n, c]) => window.tagvaultBench.peerRun(p, n, c), [p, s.records, s.valueChars]);
  for (let round = 0; round < s.rounds; round++) {
    const order = peers.map((_, i) => peers[(i + round) % peers.length]);
    log(`peers round ${round + 1}/${s.rounds}: ${order.join(', ')}`);
    for (const p of order) acc[p].push(await run(page, cdp, ([p, n, c]) => window.tagvaultBench.peerRun(p, n, c), [p, s.records, s.valueChars]));
  }
  const tv = summary(acc.tagvault);
  for (const p of peers) {
    const sum = summary(acc[p]);
    sum.putMedianMs = r3(median(acc[p].map((x) => x.putMs)));
    sum.getMedianMs = r3(median(acc[p].map((x) => x.getMs)));
    const encrypted = p === 'dexie-encrypted' || p === 'tagvault';
    const ratio = p === 'tagvault' ? 1 : pairedRatio(acc.tagvault, acc[p]);
    const target = p === 'dexie-encrypted' ? { op: '<', value: 1.0 } : null;
    results.peers.push({ peer: p, encrypted, ...sum, ratio: r2(ratio), target, met: verdict(ratio, target) });
    log(`  ${p}: ${sum.medianMs} ms (put ${sum.putMedianMs}, get ${sum.getMedianMs}); tagvault/${p} = ${r2(ratio)}×`);
  }
  results.peersTagvault = tv;
}

// --- Backups: export and import -------------------------------------------------------------------

const MiB = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;

async function runBackup(page, cdp, results) {
  const s = SETTINGS.backup;
  const settings = { tags: s.tags, valueChars: s.valueChars };
  const acc = { export: [[], []], import: [[], []], exportFloor: [], importFloor: [], exportDexie: [], importDexie: [], importStrict: [] };
  const sizes = {};
  log('backup warm-up (not recorded)');
  await page.evaluate(([round, st]) => window.tagvaultBench.backupRound(round, st), [0, { ...settings, tags: Math.min(settings.tags, 1000) }]);
  for (let round = 0; round < s.rounds; round++) {
    log(`backup round ${round + 1}/${s.rounds} (${s.tags} tags)`);
    const r = await run(page, cdp, ([round, st]) => window.tagvaultBench.backupRound(round, st), [round, settings]);
    acc.export[0].push(...r.exportCase.tagvault);
    acc.export[1].push(...r.exportCase.baseline);
    acc.import[0].push(...r.importCase.tagvault);
    acc.import[1].push(...r.importCase.baseline);
    acc.exportFloor.push(...r.exportFloor);
    acc.importFloor.push(...r.importFloor);
    acc.exportDexie.push(...r.exportDexie);
    acc.importDexie.push(...r.importDexie);
    acc.importStrict.push(...r.importStrict);
    Object.assign(sizes, { tagvault: r.fileBytes, floor: r.floorBytes, dexie: r.dexieBytes });
    log(
      `  export ${r.exportCase.tagvault[0].ms.toFixed(0)} vs ${r.exportCase.baseline[0].ms.toFixed(0)} ms (dexie ${r.exportDexie[0].ms.toFixed(0)}); import ${r.importCase.tagvault[0].ms.toFixed(0)} vs ${r.importCase.baseline[0].ms.toFixed(0)} ms (dexie ${r.importDexie[0].ms.toFixed(0)}, strict idb ${r.importStrict[0].ms.toFixed(0)})`,
    );
  }
  s.fileBytes = sizes;
  const n = s.tags.toLocaleString('en-US');
  const exportCase = `\`db.export()\` of ${n} tags × ~1 KiB JSON (every record verified; a ${MiB(sizes.tagvault)} file)`;
  const importCase = `\`Database.import\` of that file into a fresh directory (\`preload: false\`)`;
  const ex = addCase(
    results,
    { id: 'backup-export', case: exportCase, baseline: 'raw `idb`: `getAll` of the same plaintext', target: { op: '<=', value: 2.0 } },
    ...acc.export,
  );
  const im = addCase(
    results,
    {
      id: 'backup-import',
      case: importCase,
      baseline: 'raw `idb`: open a fresh database, put the same plaintext objects in one transaction',
      target: { op: '<=', value: 2.5 },
    },
    ...acc.import,
  );
  for (const [entry, samples, pairs] of [
    [ex, acc.exportFloor, acc.export],
    [im, acc.importFloor, acc.import],
  ]) {
    const f = summary(samples);
    entry.floor = { ...f, ratio: r2(pairedRatio(samples, pairs[1])), tagvaultOverFloor: r2(pairedRatio(pairs[0], samples)) };
    log(`  ${entry.id} floor (no tagvault): ${f.medianMs} ms, ${entry.floor.ratio}× the baseline; tagvault ${entry.floor.tagvaultOverFloor}× the floor`);
  }
  addCase(
    results,
    {
      id: 'backup-import-strict',
      case: importCase,
      baseline: 'raw `idb` as above with `{ durability: "strict" }`, as `Database.import` writes',
      target: null,
    },
    acc.import[0],
    acc.importStrict,
  );
  addCase(
    results,
    {
      id: 'backup-export-dexie',
      case: exportCase,
      baseline: `\`dexie-export-import\` \`exportDB\` of the same records in plaintext (a ${MiB(sizes.dexie)} JSON file)`,
      target: { op: '<', value: 1.0 },
    },
    acc.export[0],
    acc.exportDexie,
  );
  addCase(
    results,
    {
      id: 'backup-import-dexie',
      case: importCase,
      baseline: '`dexie-export-import` `importDB` of its file into a new database',
      target: { op: '<', value: 1.0 },
    },
    acc.import[0],
    acc.importDexie,
  );

  const big = { export: [[], []], import: [[], []] };
  log('backup 64 MiB warm-up (not recorded)');
  await page.evaluate(([round, chars]) => window.tagvaultBench.bigRound(round, chars), [0, s.bigChars]);
  for (let round = 0; round < s.bigRounds; round++) {
    log(`backup round ${round + 1}/${s.bigRounds} (one ${MiB(s.bigChars)} value)`);
    const r = await run(page, cdp, ([round, chars]) => window.tagvaultBench.bigRound(round, chars), [round, s.bigChars]);
    for (const k of ['export', 'import']) {
      big[k][0].push(...r[`${k}Case`].tagvault);
      big[k][1].push(...r[`${k}Case`].baseline);
    }
    s.bigFileBytes = r.fileBytes;
  }
  const what = `one ${MiB(s.bigChars)} value (one tag; a ${MiB(s.bigFileBytes)} file)`;
  addCase(
    results,
    { id: 'backup-export-big', case: `\`db.export()\` of ${what}`, baseline: 'raw `idb`: `get` of the same string', target: null },
    ...big.export,
  );
  addCase(
    results,
    {
      id: 'backup-import-big',
      case: `\`Database.import\` of that file (\`preload: false\`)`,
      baseline: 'raw `idb`: open a fresh database, `put` the same string',
      target: null,
    },
    ...big.import,
  );
}

// --- Backups: peak memory -------------------------------------------------------------------------
//
// Each case in a fresh browser (persistent on-disk profile, as the other groups), its resident
// memory read from /proc for Chromium's whole process tree (the browser process, which holds
// Blob data and IndexedDB, the renderer, which runs the page and the engine worker, and the
// rest). Once the case's data is in place, every process's VmHWM is reset (`clear_refs` 5) and
// the sum of VmHWM after the run is its peak (an upper bound of the peak of the sum, which a
// 10 ms sampler of VmRSS gives from below).

/** Every process: pid → parent pid. */
function processTable() {
  const out = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      out.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // It ended while we looked.
    }
  }
  return out;
}

function cmdline(pid) {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    // Chromium's child processes rewrite their title: one string, the arguments space-separated.
    return args.length === 1 ? args[0].split(' ') : args;
  } catch {
    return [];
  }
}

/** The Chromium process tree whose browser process runs with this profile: [{ pid, type }]. */
function chromiumTree(profile) {
  const table = processTable();
  const root = [...table.keys()].find((pid) => {
    const args = cmdline(pid);
    return args.includes(`--user-data-dir=${profile}`) && !args.some((a) => a.startsWith('--type='));
  });
  if (root === undefined) throw new Error(`no Chromium browser process with --user-data-dir=${profile}`);
  const pids = [root];
  for (let i = 0; i < pids.length; i++) for (const [pid, ppid] of table) if (ppid === pids[i]) pids.push(pid);
  return pids.map((pid) => {
    const args = cmdline(pid);
    const type = args.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
    const sub = args.find((a) => a.startsWith('--utility-sub-type='))?.slice(19);
    return { pid, type: sub ? `${type}:${sub}` : type };
  });
}

/** VmRSS and VmHWM of a process, in KiB (zeros when it has ended). */
function vm(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Where the bytes of a case live: Blob data in the browser process, IndexedDB in the storage service, the page and its workers in the renderer. */
const group = (type) =>
  type === 'browser' ? 'browser' : type === 'renderer' ? 'renderer' : type === 'utility:storage.mojom.StorageService' ? 'storage' : 'other';

function sumBy(tree, field) {
  const out = { browser: 0, renderer: 0, storage: 0, other: 0, total: 0 };
  for (const p of tree) {
    const v = vm(p.pid)[field];
    out[group(p.type)] += v;
    out.total += v;
  }
  return out;
}

const kibToMiB = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r2(v / 1024)]));

/** One memory case in a fresh browser. `input`: a file the page picks (import cases); `output`: where to save the exported file. */
async function memoryCase(executablePath, url, kind, { input, output, keyHex }) {
  const s = SETTINGS.memory;
  const profile = await mkdtemp(join(tmpdir(), 'tagvault-bench-memory-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      acceptDownloads: true,
      args: [...CHROMIUM_ARGS, ...EXTRA_ARGS, '--js-flags=--expose-gc'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => log('page error:', e.message));
    await page.goto(url);
    await page.waitForFunction(() => window.tagvaultBench?.ready === true, null, { timeout: 120_000 });
    await page.evaluate(() => globalThis.gc?.());
    await new Promise((r) => setTimeout(r, 1000));
    const idle = sumBy(chromiumTree(profile), 'rss');
    if (input) await page.setInputFiles('#file', input);
    await page.evaluate(([k, st, key]) => window.tagvaultBench.memoryPrepare(k, st, key), [kind, s, keyHex]);
    await new Promise((r) => setTimeout(r, 500));
    let tree = chromiumTree(profile);
    for (const p of tree) {
      try {
        writeFileSync(`/proc/${p.pid}/clear_refs`, '5');
      } catch (error) {
        throw new Error(`cannot reset VmHWM of ${p.pid} (${p.type}): ${error.message}`);
      }
    }
    const before = sumBy(tree, 'rss');
    let sampled = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      if (++ticks % 10 === 0) tree = chromiumTree(profile);
      sampled = Math.max(sampled, sumBy(tree, 'rss').total);
    }, s.sampleMs);
    let r;
    try {
      r = await page.evaluate((k) => window.tagvaultBench.memoryRun(k), kind);
    } finally {
      clearInterval(timer);
    }
    tree = chromiumTree(profile);
    const peak = sumBy(tree, 'hwm');
    sampled = Math.max(sampled, sumBy(tree, 'rss').total);
    if (output) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.evaluate(() => window.tagvaultBench.memoryDownload())]);
      await download.saveAs(output);
    }
    const fileMiB = r.bytes / 2 ** 20;
    const overIdle = (peak.total - idle.total) / 1024;
    const overBefore = (peak.total - before.total) / 1024;
    return {
      ms: r.ms,
      fileBytes: r.bytes,
      fileMiB: r2(fileMiB),
      idleMiB: kibToMiB(idle),
      beforeMiB: kibToMiB(before),
      peakMiB: kibToMiB(peak),
      sampledPeakMiB: r2(sampled / 1024),
      overIdleMiB: r2(overIdle),
      overIdlePerFile: r2(overIdle / fileMiB),
      overBeforeMiB: r2(overBefore),
      processes: tree.map((p) => p.type),
    };
  } finally {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
  }
}

async function runMemory(executablePath, url) {
  const s = SETTINGS.memory;
  const files = await mkdtemp(join(tmpdir(), 'tagvault-bench-files-'));
  const keyHex = randomBytes(64).toString('hex');
  const cases = [
    { kind: 'export-10k', what: `\`db.export()\`, ${s.tags.toLocaleString('en-US')} tags × ~1 KiB`, output: 'tv-10k.bin', target: true },
    { kind: 'import-10k', what: '`Database.import` of that file', input: 'tv-10k.bin', target: true },
    { kind: 'export-64mib', what: `\`db.export()\`, one ${MiB(s.bigChars)} value`, output: 'tv-64.bin', target: true },
    { kind: 'import-64mib', what: '`Database.import` of that file', input: 'tv-64.bin', target: true },
    {
      kind: 'dexie-export-10k',
      what: `\`dexie-export-import\` \`exportDB\`, ${s.tags.toLocaleString('en-US')} records, plaintext`,
      output: 'dexie-10k.json',
      target: false,
    },
    { kind: 'dexie-import-10k', what: '`dexie-export-import` `importDB` of that file', input: 'dexie-10k.json', target: false },
  ];
  const out = [];
  try {
    for (const c of cases) {
      const runs = [];
      for (let round = 0; round < s.rounds; round++) {
        log(`memory ${c.kind} (fresh browser) ${round + 1}/${s.rounds}`);
        runs.push(
          await memoryCase(executablePath, url, c.kind, {
            keyHex,
            input: c.input && join(files, c.input),
            output: c.output && round === 0 ? join(files, c.output) : undefined,
          }),
        );
      }
      // The worst run: its peak is the one reported.
      const worst = runs.reduce((a, b) => (b.peakMiB.total > a.peakMiB.total ? b : a));
      const entry = {
        kind: c.kind,
        case: c.what,
        ...worst,
        msMedian: r2(median(runs.map((x) => x.ms))),
        peaksMiB: runs.map((x) => x.peakMiB.total),
        target: c.target ? { op: '<=', value: 2.0 } : null,
        met: c.target ? worst.overIdlePerFile <= 2.0 : null,
      };
      out.push(entry);
      log(
        `  ${c.kind}: file ${entry.fileMiB} MiB, ${entry.msMedian} ms; idle ${worst.idleMiB.total} MiB, before ${worst.beforeMiB.total} MiB, peak ${worst.peakMiB.total} MiB (browser ${worst.peakMiB.browser}, renderer ${worst.peakMiB.renderer}, storage ${worst.peakMiB.storage}, other ${worst.peakMiB.other}; sampled ${worst.sampledPeakMiB}); ${worst.overIdleMiB} MiB over idle = ${worst.overIdlePerFile}× the file`,
      );
    }
  } finally {
    await rm(files, { recursive: true, force: true });
  }
  return out;
}

/** One row per tagvault case: its longest main-thread gap against the 50 ms target. */
function responsiveness(results) {
  const rows = [];
  const seen = new Set();
  for (const c of results.cases) {
    if (seen.has(c.case)) continue; // passcrypt appears twice (two baselines)
    seen.add(c.case);
    rows.push({
      case: c.case,
      gapMedianMs: c.tagvault.gapMedianMs,
      gapMaxMs: c.tagvault.gapMaxMs,
      taskCpuMedianMs: c.tagvault.taskCpuMedianMs,
      taskCpuMaxMs: c.tagvault.taskCpuMaxMs,
      longTasks: c.tagvault.longTasks,
      target: 50,
      met: c.tagvault.gapMedianMs <= 50,
    });
  }
  if (results.peersTagvault) {
    const t = results.peersTagvault;
    rows.push({
      case: `${SETTINGS.peers.records.toLocaleString('en-US')} × 1 KiB put then get`,
      gapMedianMs: t.gapMedianMs,
      gapMaxMs: t.gapMaxMs,
      taskCpuMedianMs: t.taskCpuMedianMs,
      taskCpuMaxMs: t.taskCpuMaxMs,
      longTasks: t.longTasks,
      target: 50,
      met: t.gapMedianMs <= 50,
    });
  }
  return rows;
}

// --- Markdown ----------------------------------------------------------------------------------------

const fmtMs = (x) => (x === null || x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mark = (met) => (met === null || met === undefined ? 'report' : met ? '✅ met' : '❌ not met');
const fmtTarget = (t) => (!t ? '—' : `${t.op === '<' ? '<' : t.op === '<=' ? '≤' : '≥'} ${t.value.toFixed(1)}×`);
const kB = (b) => `${(b / 1000).toFixed(2)} kB`;

function markdown(results) {
  const lines = [];
  const e = results.environment;
  lines.push(`<!-- generated by \`npm run bench\` (bench/run.mjs) on ${results.generatedAt}; do not edit by hand -->`);
  lines.push('');
  if (results.quick) lines.push('> **Quick run (BENCH_QUICK=1): reduced sizes and rounds, not the reference numbers.**', '');
  if (e.browser)
    lines.push(
      `${e.browser}, headless, on-disk profile · ${e.cpu} · Node ${e.node} · load average ${e.loadAverage.start} at the start, ${e.loadAverage.end} at the end (other jobs share this machine) · run took ${results.durationSeconds} s. Ratios compare runs made side by side in the same session, in alternating order; absolute times here are noise.`,
      '',
    );
  if (results.cases.length) {
    lines.push('| case | baseline (same run) | tagvault | baseline | ratio | target | |');
    lines.push('|---|---|--:|--:|--:|:-:|---|');
    for (const c of results.cases) {
      const ratio = c.kind === 'throughput' ? `${c.ratio.toFixed(2)}× throughput` : `${c.ratio.toFixed(2)}×`;
      lines.push(
        `| ${c.case} | ${c.baseline} | ${fmtMs(c.tagvault.medianMs)} ms | ${fmtMs(c.baselineResult.medianMs)} ms | ${ratio} | ${fmtTarget(c.target)} | ${mark(c.met)} |`,
      );
    }
    for (const k of results.skipped ?? []) lines.push(`| ${k.case} | — | — | — | — | — | skipped: ${k.why} |`);
    lines.push('');
    const rounds = [];
    if (results.cases.some((c) => c.id === 'save'))
      rounds.push(
        `storage ${results.settings.storage.rounds} rounds (saveTag ${results.settings.storage.saveTagOps} ops per round, get ${results.settings.storage.getRepeats} runs per round)`,
      );
    if (results.cases.some((c) => c.id === 'bytes-encrypt')) rounds.push(`bytes ${results.settings.bytes.rounds} rounds`);
    if (results.cases.some((c) => c.id === 'passcrypt-worker')) rounds.push(`Argon2id ${results.settings.argon2.rounds} rounds`);
    if (results.peers.length) rounds.push(`peers ${results.settings.peers.rounds} rounds`);
    if (results.cases.some((c) => c.id === 'backup-export'))
      rounds.push(`backups ${results.settings.backup.rounds} rounds (the ${MiB(results.settings.backup.bigChars)} value ${results.settings.backup.bigRounds})`);
    const floors = results.cases.filter((c) => c.floor);
    if (floors.length) {
      lines.push(
        '**Platform floor of the storage layout** (not a target): the same tags kept as one AES-256-GCM record each (name and value), HMAC tag ids, sealed/opened by WebCrypto in a bare worker and written/read with `idb`: what any per-record encrypted layout pays on this browser before tagvault does anything (no key schedule, no XAES subkeys, no name blocks, no messages to a page).',
        '',
      );
      if (floors.some((c) => c.id.startsWith('backup')))
        lines.push(
          'For backups the floor worker exports those records as a file: read in one transaction, each opened (verified) by WebCrypto, framed into one buffer, one WebCrypto SHA-256 over it, a `Blob`; and imports one: the file read whole, its SHA-256 checked, every record opened, all written in one transaction into a fresh database (default durability).',
          '',
        );
      lines.push('| case | floor | floor ÷ baseline | tagvault ÷ floor |');
      lines.push('|---|--:|--:|--:|');
      for (const c of floors)
        lines.push(`| ${c.case} | ${fmtMs(c.floor.medianMs)} ms | ${c.floor.ratio.toFixed(2)}× | ${c.floor.tagvaultOverFloor.toFixed(2)}× |`);
      lines.push('');
    }
    lines.push(
      `tagvault, the floor, the raw \`idb\` baselines and the peers all write with the browser’s default IndexedDB durability (tagvault’s default; \`{ durability: "strict" }\` flushes to disk before \`save()\` resolves)${results.cases.some((c) => c.id === 'backup-import') ? ', except `Database.import`, which always writes `strict` (the raw `idb` row with `strict` is its like-for-like write)' : ''}.`,
      '',
    );
    lines.push(
      `Rounds: ${rounds.join('; ')}, after one unrecorded warm-up round each. Times are medians; a ratio is the median of the ratios of runs made next to each other (throughput: baseline ÷ tagvault).`,
      '',
    );
  }
  if (results.peers.length) {
    lines.push(
      `**${results.settings.peers.records.toLocaleString('en-US')} × 1 KiB put, then get** (each library's batch API where it has one; tagvault reads back through a new \`Database.open\` with \`preload: true\`, i.e. from storage, not its cache)`,
      '',
    );
    lines.push('| library | encrypted | put + get | put | get | tagvault ÷ library | target | |');
    lines.push('|---|:-:|--:|--:|--:|--:|:-:|---|');
    for (const p of results.peers) {
      lines.push(
        `| ${p.peer === 'dexie-encrypted' ? '`dexie`@3 + `dexie-encrypted`' : `\`${p.peer}\``} | ${p.encrypted ? 'yes' : 'no'} | ${fmtMs(p.medianMs)} ms | ${fmtMs(p.putMedianMs)} ms | ${fmtMs(p.getMedianMs)} ms | ${p.peer === 'tagvault' ? '—' : `${p.ratio.toFixed(2)}×`} | ${p.peer === 'dexie-encrypted' ? '< 1.0× (faster)' : '—'} | ${p.peer === 'dexie-encrypted' ? mark(p.met) : p.peer === 'tagvault' ? '' : 'report'} |`,
      );
    }
    lines.push('');
  }
  if (results.memory?.length) {
    const m = results.memory;
    const idle = m.map((x) => x.idleMiB.total);
    lines.push(
      `**Peak memory of backups**: each case in a fresh browser (on-disk profile); resident memory of Chromium's whole process tree from \`/proc\`. *Idle*: Σ VmRSS of the fresh browser with the page loaded (${fmtMs(Math.min(...idle))}–${fmtMs(Math.max(...idle))} MiB here; shared pages count once per process). Once the case's data is in place every process's VmHWM is reset (\`clear_refs\` 5); *peak* is Σ VmHWM after the run (the 10 ms VmRSS sampler's peak in brackets), split into the browser process (Blob data), the renderer(s) (the page and the engine worker) and the storage service (IndexedDB). Import cases read a file picked from disk (\`<input type=file>\`). Target: peak − idle ≤ 2 × the file. Worst of ${results.settings.memory.rounds} run(s).`,
      '',
    );
    lines.push('| case | file | time | idle | before | peak | browser / renderer / storage | peak − before | peak − idle | ÷ file | target | |');
    lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|---|');
    for (const x of m)
      lines.push(
        `| ${x.case} | ${fmtMs(x.fileMiB)} MiB | ${fmtMs(x.msMedian)} ms | ${fmtMs(x.idleMiB.total)} MiB | ${fmtMs(x.beforeMiB.total)} MiB | ${fmtMs(x.peakMiB.total)} MiB (${fmtMs(x.sampledPeakMiB)}) | ${fmtMs(x.peakMiB.browser)} / ${fmtMs(x.peakMiB.renderer)} / ${fmtMs(x.peakMiB.storage)} MiB | ${fmtMs(x.overBeforeMiB)} MiB | ${fmtMs(x.overIdleMiB)} MiB | ${x.overIdlePerFile.toFixed(2)}× | ${x.target ? '≤ 2.0×' : '—'} | ${x.target ? mark(x.met) : 'report'} |`,
      );
    lines.push('');
  }
  if (results.responsiveness.length) {
    const cpu = (x) => (x === null || x === undefined ? '–' : `${fmtMs(x.taskCpuMedianMs)} ms (${fmtMs(x.taskCpuMaxMs)})`);
    lines.push(
      '**Main-thread responsiveness.** *Longest gap*: the longest wait between `setTimeout(0)` callbacks (or the longest Long Tasks entry) while the case runs — the target. *Longest task, CPU*: from a Chrome trace, the CPU time of the longest main-thread task in the run, which this machine’s load does not inflate. Medians of runs, worst run in brackets.',
      '',
    );
    lines.push('| tagvault case | longest gap | longest task, CPU | target | |');
    lines.push('|---|--:|--:|:-:|---|');
    for (const r of results.responsiveness)
      lines.push(`| ${r.case} | ${fmtMs(r.gapMedianMs)} ms (${fmtMs(r.gapMaxMs)}) | ${cpu(r)} | ≤ 50 ms | ${mark(r.met)} |`);
    const m = results.argon2MainThread;
    if (m)
      lines.push(
        `| *contrast: hash-wasm \`argon2id\` ${results.settings.argon2.memoryKiB / 1024} MiB on the main thread* | *${fmtMs(m.gapMedianMs)} ms (${fmtMs(m.gapMaxMs)})* | *${cpu(m)}* | | *(the baseline)* |`,
      );
    if (results.idle)
      lines.push(
        `| *control: the idle page, nothing running (${results.idle.n} × 500 ms)* | *${fmtMs(results.idle.gapMedianMs)} ms (${fmtMs(results.idle.gapMaxMs)})* | *${cpu(results.idle)}* | | *(this machine)* |`,
      );
    lines.push('');
  }
  if (results.sizes.length) {
    lines.push(
      '**Bundle size** (`npm run build`, measured as size-limit’s `@size-limit/file` does: gzip level 9; limits in `.size-limit.json`). The ES library output keeps its whitespace and `/* @__PURE__ */` marks (Vite’s lib-mode default) so the application’s bundler can tree-shake and minify it; the worker is minified.',
      '',
    );
    lines.push('| what | raw | gzip | limit |');
    lines.push('|---|--:|--:|--:|');
    for (const s of results.sizes) lines.push(`| ${s.name} | ${kB(s.bytes)} | ${kB(s.gzipBytes)} | ${s.limit} ${s.met ? '✅' : '❌'} |`);
    lines.push('');
  }
  const met = [
    ...results.cases.filter((c) => c.target),
    ...results.peers.filter((p) => p.target),
    ...(results.memory ?? []).filter((x) => x.target),
    ...results.responsiveness,
  ];
  if (met.length) lines.push(`Targets met: ${met.filter((x) => x.met).length} of ${met.length}.`, '');
  return lines.join('\n');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
