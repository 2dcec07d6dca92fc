// Every error tagvault throws. Each class has a stable `.name`, so code can branch on it even
// where `instanceof` fails (across realms); the browser's own error is kept as `cause`.

/** Base class of every error tagvault throws. */
export class TagvaultError extends Error {
  /** Always `"TagvaultError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'TagvaultError';
}

/**
 * A public argument was refused before anything was read or written. `.argument` names it.
 * @example
 * try { db.set('', 1) } catch (e) { if (e instanceof ValidationError) console.log(e.argument) } // "tag"
 */
export class ValidationError extends TagvaultError {
  /** Always `"ValidationError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'ValidationError';
  /** The name of the refused argument, e.g. `"tag"` or `"options.ttl"`. */
  readonly argument: string;
  /**
   * A refusal of `argument`; the message reads `"argument" message`.
   * @param argument the refused argument's name.
   * @param message what is wrong with it.
   */
  constructor(argument: string, message: string, options?: ErrorOptions) {
    super(`"${argument}" ${message}`, options);
    this.argument = argument;
  }
}

/**
 * Data failed authentication: wrong key, wrong filename, wrong password, a flipped bit, a record
 * moved to another tag or vault. Nothing is returned from data that fails it.
 */
export class AuthenticationError extends TagvaultError {
  /** Always `"AuthenticationError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'AuthenticationError';
}

/** A ciphertext is older than the `ttl` it was checked against. `.value` = whole seconds past it. */
export class TimeoutError extends TagvaultError {
  /** Always `"TimeoutError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'TimeoutError';
  /** Whole seconds by which the ciphertext's timestamp is past the ttl. */
  readonly value: number;
  /**
   * An expired ciphertext.
   * @param value whole seconds by which the ciphertext is past its ttl.
   */
  constructor(value: number, options?: ErrorOptions) {
    super(`Timestamp expired by <${value}> seconds.`, options);
    this.value = value;
  }
}

/**
 * A ciphertext checked against a `ttl` is dated too far in the future: its authenticated
 * timestamp is more than a minute ahead of this device's clock (a clock that runs fast where it
 * was sealed, or one that was set back here). A `ttl` bounds a ciphertext's age, and the age of
 * a ciphertext from the future cannot be known, so none passes. It is a {@link TimeoutError}, so
 * code that handles an expired ciphertext handles this one too. `.value` = whole seconds ahead.
 */
export class FutureTimestampError extends TimeoutError {
  /** Always `"FutureTimestampError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'FutureTimestampError';
  /** Whole seconds by which the ciphertext's timestamp is ahead of this device's clock. */
  declare readonly value: number;
  /**
   * A ciphertext dated in the future.
   * @param value whole seconds by which the ciphertext's timestamp is ahead of the clock.
   */
  constructor(value: number, options?: ErrorOptions) {
    super(value, options);
    this.message = `Timestamp is <${value}> seconds in the future.`;
  }
}

/** `testHmac` found that the HMAC does not match the data. */
export class InvalidHmacError extends TagvaultError {
  /** Always `"InvalidHmacError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'InvalidHmacError';
  /** A failed HMAC check; the message defaults to the seed's own. */
  constructor(message = "HMAC of the data isn't valid.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** No profile exists for these tokens in this directory. */
export class ProfileNotFoundError extends TagvaultError {
  /** Always `"ProfileNotFoundError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'ProfileNotFoundError';
}

/**
 * A passkey prompt ended without a credential: the user cancelled it, it timed out, or the
 * browser refused it (WebAuthn's `NotAllowedError`, the `cause`). Nothing was written.
 */
export class PasskeyCancelledError extends TagvaultError {
  /** Always `"PasskeyCancelledError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'PasskeyCancelledError';
}

/**
 * Passkeys cannot unlock a vault here: this browser has no WebAuthn, or no PRF extension, or the
 * authenticator gave no PRF result (the `cause` says which, where the browser said). Nothing was
 * written.
 */
export class PasskeyUnsupportedError extends TagvaultError {
  /** Always `"PasskeyUnsupportedError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'PasskeyUnsupportedError';
}

/**
 * A file given as a backup is not one this tagvault can read: empty, not a backup, a newer format
 * version, truncated, a length or count out of range. Nothing was written. (A backup that is
 * readable but altered, or opened with the wrong key or passphrase, is an `AuthenticationError`.)
 */
export class BackupFormatError extends TagvaultError {
  /** Always `"BackupFormatError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'BackupFormatError';
}

/**
 * An import would overwrite a vault (or a profile) that the directory already holds; pass
 * `{ replace: true }` to make it exactly the backup's. Nothing was written.
 */
export class VaultExistsError extends TagvaultError {
  /** Always `"VaultExistsError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'VaultExistsError';
}

/** The browser refused to store more data (its `QuotaExceededError` is the `cause`). */
export class QuotaExceededError extends TagvaultError {
  /** Always `"QuotaExceededError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'QuotaExceededError';
}

/** IndexedDB failed for another reason (blocked, aborted, unavailable); the browser's error is the `cause`. */
export class StorageError extends TagvaultError {
  /** Always `"StorageError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'StorageError';
}

/** The database was closed, or its metatag deleted, and cannot be used any more. */
export class DatabaseClosedError extends TagvaultError {
  /** Always `"DatabaseClosedError"`: branch on it where `instanceof` fails (across realms). */
  override name = 'DatabaseClosedError';
  /** A refused use of a closed database; the message defaults to the one every check gives. */
  constructor(message = 'this database was closed (or its metatag deleted) and cannot be used', options?: ErrorOptions) {
    super(message, options);
  }
}

/** Wraps a browser storage failure in our error classes, keeping it as `cause`. */
export function storageError(error: unknown, what: string): TagvaultError {
  if (error instanceof TagvaultError) return error;
  const name = (error as { name?: string } | null)?.name;
  const message = (error as { message?: string } | null)?.message ?? String(error);
  if (name === 'QuotaExceededError') {
    return new QuotaExceededError(`${what}: the browser's storage quota is exceeded (${message})`, { cause: error });
  }
  return new StorageError(`${what}: ${name ?? 'Error'}: ${message}`, { cause: error });
}
