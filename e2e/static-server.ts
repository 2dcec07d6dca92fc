// A throwaway static server for the built demo (dist-demo/), which a test can shut down to take
// the network away for real, or switch to another build at the same origin (a new deployment).
// `context.setOffline(true)` alone is not enough everywhere: with Firefox over WebDriver BiDi it
// takes the page offline but not its service worker's fetches.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The build playwright.config.ts's webServer makes. */
export const BUILT_DEMO = fileURLToPath(new URL('../dist-demo/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticServer {
  url: string;
  /** From now on, answers with the files of another build (a directory): a new deployment. */
  serve(root: string): void;
  /** Stops listening and drops every open connection: the site is gone. */
  stop(): Promise<void>;
}

export async function serveBuiltDemo(root = BUILT_DEMO): Promise<StaticServer> {
  let base = root.endsWith(sep) ? root : root + sep;
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(base)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    serve: (next) => {
      base = next.endsWith(sep) ? next : next + sep;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface DemoBuild {
  dir: string;
  remove(): Promise<void>;
}

/**
 * Builds the demo again, into a temporary directory, with TAGVAULT_DEMO_BUILD=`label`: its footer
 * shows another version, so its chunks, precache list and service worker differ from dist-demo/'s.
 */
export async function buildDemo(label: string): Promise<DemoBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'tagvault-demo-'));
  const vite = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  await promisify(execFile)(process.execPath, [vite, 'build', '--outDir', dir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd,
    // NODE_ENV set: a Vite dev server started earlier in this worker (the fixture server of
    // e2e/fixtures/server.ts) sets it to "development", which would make this a development build.
    env: { ...process.env, NODE_ENV: 'production', TAGVAULT_DEMO_BUILD: label },
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
