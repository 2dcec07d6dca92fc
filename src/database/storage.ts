// Persistent storage: asking the browser not to evict the origin's data (navigator.storage), and
// how much of its quota the origin uses. Where the Storage API is missing (an insecure context,
// an old browser), a clear answer instead of a crash.

/** How long {@link persist} waits for the browser: a prompt nobody answers means "not persisted". */
const PERSIST_WAIT_MS = 5_000;

/** What {@link Database.storageEstimate} reports of the origin's storage. */
export interface StorageStatus {
  /** Whether the browser has made the origin's storage persistent (not evicted under pressure). */
  persisted: boolean;
  /** Bytes the origin uses, as the browser estimates them (`undefined` where it does not say). */
  usage: number | undefined;
  /** Bytes the origin may use, as the browser estimates them (`undefined` where it does not say). */
  quota: number | undefined;
  /** False where the browser has no Storage API here (then nothing else is known: `persisted` is false, usage and quota undefined). */
  supported: boolean;
}

function storageManager(): StorageManager | undefined {
  return typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : undefined;
}

/** Whether the origin's storage is persistent; false where the browser cannot say. */
function persisted(storage: StorageManager): Promise<boolean> {
  return typeof storage.persisted === 'function' ? within(storage.persisted(), PERSIST_WAIT_MS, false) : Promise.resolve(false);
}

/** Resolves with `fallback` after `ms` if `promise` has not settled (a rejection also gives `fallback`). */
function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

export async function persist(): Promise<boolean> {
  const storage = storageManager();
  if (!storage || typeof storage.persist !== 'function') return false;
  if (await persisted(storage)) return true;
  return within(storage.persist(), PERSIST_WAIT_MS, false);
}

export async function storageEstimate(): Promise<StorageStatus> {
  const storage = storageManager();
  const canEstimate = typeof storage?.estimate === 'function';
  if (!storage || (!canEstimate && typeof storage.persisted !== 'function')) return { persisted: false, usage: undefined, quota: undefined, supported: false };
  const [isPersisted, estimate] = await Promise.all([
    persisted(storage),
    canEstimate ? within<StorageEstimate>(storage.estimate(), PERSIST_WAIT_MS, {}) : Promise.resolve<StorageEstimate>({}),
  ]);
  return { persisted: isPersisted, usage: estimate.usage, quota: estimate.quota, supported: true };
}
