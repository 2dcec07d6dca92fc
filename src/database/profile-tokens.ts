// Profile tokens: what identifies a password profile, derived from credentials on the main thread.
// The password is held, not hashed here: the memory-hard KDF runs in the engine's worker.
import { anOptions, aString, describe } from '../assert';
import { concat, lengthPrefixed, toBase64Url } from '../bytes';
import { ValidationError } from '../errors';

/** The last argument of {@link Database.generateProfileTokens}. */
export interface ProfileTokenOptions {
  /** The profile's user name (required). */
  username: string;
  /**
   * The password that unlocks the profile (non-empty when given). Omit it only to open a profile
   * by a recovery code (`Database.loadProfile(tokens, { recoveryCode })`): every other use of
   * the tokens needs it.
   */
  password?: string;
  /**
   * An optional extra salt, non-empty when given (omit it for none); the same salt must be given
   * again to reopen the profile.
   */
  salt?: string;
}

interface TokenSecrets {
  identity: Uint8Array<ArrayBuffer>;
  password: string | undefined;
}

const secrets = new WeakMap<ProfileTokens, TokenSecrets>();

/**
 * Opaque tokens from {@link Database.generateProfileTokens}: the profile's id (from the
 * credentials, user name and salt, not the password) and, privately, the password (when given).
 */
export class ProfileTokens {
  /** The id under which the profile is stored (not secret). */
  readonly profileId: string;
  private constructor(profileId: string) {
    this.profileId = profileId;
    Object.freeze(this);
  }

  /** @internal */
  static async _create(credentials: string[], options: ProfileTokenOptions): Promise<ProfileTokens> {
    const material = lengthPrefixed('tagvault/v1/profile', options.username, options.salt ?? '', ...credentials);
    const identity = new Uint8Array(await crypto.subtle.digest('SHA-256', material));
    const id = new Uint8Array(await crypto.subtle.digest('SHA-256', concat(lengthPrefixed('tagvault/v1/profile-id'), identity)));
    const tokens = new ProfileTokens(toBase64Url(id));
    secrets.set(tokens, { identity, password: options.password });
    return tokens;
  }

  /** @internal The same identity with another password (after a password change). */
  static _withPassword(tokens: ProfileTokens, password: string): ProfileTokens {
    const s = tokenSecrets(tokens);
    const next = new ProfileTokens(tokens.profileId);
    secrets.set(next, { identity: s.identity, password });
    return next;
  }

  /** What JSON shows of tokens: the id only, never the password. */
  toJSON(): Pick<ProfileTokens, 'profileId'> {
    return { profileId: this.profileId };
  }
}

/** The password of tokens, or a ValidationError naming `tokens` when they were made without one. */
export function tokenPassword(tokens: unknown, argument = 'tokens'): string {
  const { password } = tokenSecrets(tokens, argument);
  if (password === undefined) {
    throw new ValidationError(argument, 'carry no password (made without one): give generateProfileTokens the password, or open by { recoveryCode }');
  }
  return password;
}

/** The secrets of tokens made by generateProfileTokens; refuses anything else. */
export function tokenSecrets(tokens: unknown, argument = 'tokens'): TokenSecrets {
  const s = tokens instanceof ProfileTokens ? secrets.get(tokens) : undefined;
  if (!s) throw new ValidationError(argument, `expected tokens from Database.generateProfileTokens, got ${describe(tokens)}`);
  return s;
}

/** Splits `(...credentials, options)` and validates both. */
export function parseTokenArguments(args: unknown[]): { credentials: string[]; options: ProfileTokenOptions } {
  const last = args.at(-1);
  if (last === null || typeof last !== 'object' || Array.isArray(last)) {
    throw new ValidationError('options', `expected { username, password, salt? } as the last argument, got ${describe(last)}`);
  }
  const options = anOptions<ProfileTokenOptions>(last, 'options', ['username', 'password', 'salt']);
  const credentials = args.slice(0, -1).map((c, i) => aString(c, `credentials[${i}]`, { max: 65536 }));
  const username = aString(options.username, 'options.username', { nonEmpty: true, max: 65536 });
  const password = options.password === undefined ? undefined : aString(options.password, 'options.password', { nonEmpty: true, max: 65536 });
  const salt = options.salt === undefined ? undefined : aString(options.salt, 'options.salt', { max: 65536 });
  // No salt and an empty one would be the same profile: one form only.
  if (salt === '') throw new ValidationError('options.salt', 'is empty: an empty salt is the same as none, omit it instead');
  return { credentials, options: { username, ...(password !== undefined ? { password } : {}), ...(salt !== undefined ? { salt } : {}) } };
}
