// Persistent storage: asking the browser not to evict the origin's data (navigator.storage), and
// how much of its quota the origin uses. Where the Storage API is missing (an insecure context,
// an old browser), a clear answer instead of a crash.

/** How long {@link persist} waits for the browser: a prompt nobody answers means "not persisted". */
const PERSIST_WAIT_MS = 5_000;

/** What {@link Database.storageEstimate} reports of the origin's storage. */
export interface StorageStatus {
  /** Whether the browser has made the origin's storage persistent (not evicted under pressure). */
  persisted: boolean;
  /** Bytes the origin uses, and may use, as the browser estimates them (`undefined` where it does not say). */
  usage: number | undefined;
  quota: number | undefined;
  /** False where the browser has no Storage API here (then nothing else is known). */
  supported: boolean;
}

function storageManager(): StorageManager | undefined {
  return typeof navigator !== 'undefined' && navigator.storage && typeof navigator.storage.persisted === 'function' ? navigator.storage : undefined;
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
  if (await within(storage.persisted(), PERSIST_WAIT_MS, false)) return true;
  return within(storage.persist(), PERSIST_WAIT_MS, false);
}

export async function storageEstimate(): Promise<StorageStatus> {
  const storage = storageManager();
  if (!storage) return { persisted: false, usage: undefined, quota: undefined, supported: false };
  const [persisted, estimate] = await Promise.all([
    within(storage.persisted(), PERSIST_WAIT_MS, false),
    typeof storage.estimate === 'function' ? within<StorageEstimate>(storage.estimate(), PERSIST_WAIT_MS, {}) : Promise.resolve<StorageEstimate>({}),
  ]);
  return { persisted, usage: estimate.usage, quota: estimate.quota, supported: true };
}
