// The Vault explorer's service worker: hand-written, no dependencies. Copied as-is into the built
// demo (dist-demo/sw.js) and registered only there, never by the dev server.
//
// Install: precache the page and everything it references, found by following asset URLs from
// index.html through the JS and CSS it loads — which takes in the engine's worker chunk (named in
// the main chunk as `new URL("/assets/engine.worker-….js", import.meta.url)`) and any .wasm file.
// Built asset names carry a content hash, so a cached asset never goes stale.
//
// Fetch: pages are network-first (a new build shows up as soon as you are online) and fall back to
// the cached page offline; assets are cache-first. After each online page load the cache is
// brought in line with the page: new assets added, assets no page references any more removed.
/* eslint-env serviceworker */
'use strict';

const CACHE = 'tagvault-demo';
const INDEX = new URL('./', self.registration.scope).href;
// Quoted or parenthesised references to built files: "/assets/x-AbC123.js" from the page,
// `./engine-DeF456.js` (a lazy chunk) from another chunk, url(./font.woff2) from CSS…
const ASSET_REF = /["'`(]((?:\.{0,2}\/|\/)(?:[\w.-]+\/)*[\w.@~-]+\.(?:js|mjs|css|wasm|json|svg|png|webp|ico|woff2?))(?=["'`)?#])/g;

function isText(response) {
  const type = response.headers.get('content-type') || '';
  return /html|javascript|css|json/.test(type);
}

/**
 * Every URL reachable from the page, with its response. `first` may carry the page's response
 * already fetched; cached assets are reused rather than fetched again (their names are hashed).
 */
async function crawl(first) {
  const cache = await caches.open(CACHE);
  const found = new Map();
  const queue = [INDEX];
  while (queue.length) {
    const url = queue.shift();
    if (found.has(url)) continue;
    let response = url === INDEX && first ? first : url === INDEX ? undefined : await cache.match(url);
    if (!response) {
      response = await fetch(url, { cache: url === INDEX ? 'no-cache' : 'default' });
      // The page itself must be there; a string in a chunk that only looks like a file name is skipped.
      if (!response.ok && url === INDEX) throw new Error(`precache: ${url} answered ${response.status}`);
      if (!response.ok) continue;
    }
    found.set(url, response.clone());
    if (!isText(response)) continue;
    const text = await response.text();
    for (const match of text.matchAll(ASSET_REF)) {
      const next = new URL(match[1], url);
      // Same origin only, and not this script (the browser always fetches it from the network).
      if (next.origin === self.location.origin && next.href !== self.location.href) queue.push(next.href);
    }
  }
  return found;
}

/** Stores what the page needs now and drops what it no longer references. */
async function refresh(first) {
  const found = await crawl(first);
  const cache = await caches.open(CACHE);
  await Promise.all([...found].map(([url, response]) => cache.put(url, response)));
  for (const request of await cache.keys()) {
    if (!found.has(request.url)) await cache.delete(request);
  }
}

/** What a request that is neither cached nor reachable gets: a plain answer, not a rejected promise. */
function offline() {
  return new Response('Offline, and not in the cache.', { status: 503, statusText: 'Offline', headers: { 'content-type': 'text/plain' } });
}

self.addEventListener('install', (event) => {
  event.waitUntil(refresh().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === 'navigate') {
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          if (response.ok && url.href.startsWith(INDEX) && url.pathname === new URL(INDEX).pathname) {
            event.waitUntil(refresh(response.clone()).catch(() => undefined));
          }
          return response;
        } catch {
          return (await caches.match(INDEX, { ignoreSearch: true })) ?? offline();
        }
      })(),
    );
    return;
  }

  event.respondWith(
    (async () => {
      const cached = await caches.match(request, { ignoreSearch: false });
      if (cached) return cached;
      let response;
      try {
        response = await fetch(request);
      } catch {
        return offline();
      }
      if (response.ok && url.pathname.includes('/assets/')) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
      }
      return response;
    })(),
  );
});
