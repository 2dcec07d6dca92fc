// Offline use: the built demo registers public/sw.js, which precaches the page, its assets, the
// engine's worker chunk and any wasm, so the page (and every vault in IndexedDB) works without a
// network after the first visit. The dev server (`npm run demo`) does not register it.
import { byId } from './dom';

/** The cache name public/sw.js uses. */
const CACHE = 'tagvault-demo';

async function describeCache(): Promise<string> {
  try {
    const cache = await caches.open(CACHE);
    const n = (await cache.keys()).length;
    return `Offline copy: ready (${n} files cached by the service worker)`;
  } catch {
    return 'Offline copy: ready';
  }
}

export function initOffline(): void {
  const net = byId('net-status');
  const status = byId('offline-status');
  const showNet = (): void => {
    net.textContent = navigator.onLine ? 'Online' : 'Offline';
    net.dataset.kind = navigator.onLine ? 'ok' : 'info';
  };
  showNet();
  addEventListener('online', showNet);
  addEventListener('offline', showNet);
  // Some browsers settle navigator.onLine after the page starts without an event: look again.
  setInterval(showNet, 2000);

  if (!import.meta.env.PROD) {
    status.textContent = 'Offline copy: off in the dev server (build with npm run build:demo)';
    return;
  }
  if (!('serviceWorker' in navigator)) {
    status.textContent = 'Offline copy: not supported by this browser';
    return;
  }
  const ready = async (): Promise<void> => {
    status.textContent = await describeCache();
    document.documentElement.dataset.offlineReady = 'true';
  };
  navigator.serviceWorker.addEventListener('controllerchange', () => void ready());
  navigator.serviceWorker
    .register(`${import.meta.env.BASE_URL}sw.js`)
    .then(async () => {
      if (navigator.serviceWorker.controller) return ready();
      status.textContent = 'Offline copy: caching…';
      return undefined;
    })
    .catch((error: unknown) => {
      status.textContent = `Offline copy: unavailable (${error instanceof Error ? error.message : String(error)})`;
    });
}
