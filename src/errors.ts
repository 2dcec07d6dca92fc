// Every error tagvault throws. Each class has a stable `.name`, so code can branch on it even
// where `instanceof` fails (across realms); the browser's own error is kept as `cause`.

/** Base class of every error tagvault throws. */
export class TagvaultError extends Error {
  override name = 'TagvaultError';
}

/**
 * A public argument was refused before anything was read or written. `.argument` names it.
 * @example
 * try { db.set('', 1) } catch (e) { if (e instanceof ValidationError) console.log(e.argument) } // "tag"
 */
export class ValidationError extends TagvaultError {
  override name = 'ValidationError';
  /** The name of the refused argument, e.g. `"tag"` or `"options.ttl"`. */
  readonly argument: string;
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
  override name = 'AuthenticationError';
}

/** A ciphertext is older than the `ttl` it was checked against. `.value` = whole seconds past it. */
export class TimeoutError extends TagvaultError {
  override name = 'TimeoutError';
  /** Whole seconds by which the ciphertext's timestamp is past the ttl. */
  readonly value: number;
  constructor(value: number, options?: ErrorOptions) {
    super(`Timestamp expired by <${value}> seconds.`, options);
    this.value = value;
  }
}

/** `testHmac` found that the HMAC does not match the data. */
export class InvalidHmacError extends TagvaultError {
  override name = 'InvalidHmacError';
  constructor(message = "HMAC of the data isn't valid.", options?: ErrorOptions) {
    super(message, options);
  }
}

/** No profile exists for these tokens in this directory. */
export class ProfileNotFoundError extends TagvaultError {
  override name = 'ProfileNotFoundError';
}

/** The browser refused to store more data (its `QuotaExceededError` is the `cause`). */
export class QuotaExceededError extends TagvaultError {
  override name = 'QuotaExceededError';
}

/** IndexedDB failed for another reason (blocked, aborted, unavailable); the browser's error is the `cause`. */
export class StorageError extends TagvaultError {
  override name = 'StorageError';
}

/** The database was closed, or its metatag deleted, and cannot be used any more. */
export class DatabaseClosedError extends TagvaultError {
  override name = 'DatabaseClosedError';
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
