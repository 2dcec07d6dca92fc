// The directory's write lock (Web Locks): writes from every tab of the origin are serialised.
import { toBase64Url, utf8 } from '../bytes';

/** Runs `fn` holding the directory's write lock. */
export async function withWriteLock<T>(directory: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return fn();
  // A fixed-length name: WebKit refuses lock names over 1,024 characters.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(directory)));
  return locks.request(`tagvault:${toBase64Url(digest)}`, { mode: 'exclusive' }, fn) as Promise<T>;
}
