// Key generation for users of tagvault.
import { randomBytes } from '../bytes';

/** Keys for {@link Database.open}. */
export const Keys = {
  /**
   * A new random 512-bit key from the platform CSPRNG (`crypto.getRandomValues`).
   * Keep it secret and keep it safe: it is the only way into a vault opened with it.
   * @example
   * const key = Keys.csprng();
   * const db = await Database.open(key);
   */
  csprng(): Uint8Array<ArrayBuffer> {
    return randomBytes(64);
  },
} as const;
