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

/** The database was deleted or closed and cannot be used any more. */
export class DatabaseClosedError extends TagvaultError {
  override name = 'DatabaseClosedError';
}

/** An error as it crosses the worker boundary: plain data only. */
export interface WireError {
  name: string;
  message: string;
  argument?: string;
  value?: number;
  cause?: { name: string; message: string };
}

/** Flattens an error for `postMessage`, keeping the fields our classes carry. */
export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'TagvaultError', message: String(error) };
  const wire: WireError = { name: error.name, message: error.message };
  if (error instanceof ValidationError) wire.argument = error.argument;
  if (error instanceof TimeoutError) wire.value = error.value;
  const cause = error.cause;
  if (cause instanceof Error || cause instanceof DOMException) {
    wire.cause = { name: cause.name, message: cause.message };
  }
  return wire;
}

/** Rebuilds a typed error on this side of the worker boundary, so `instanceof` works. */
export function fromWire(wire: WireError): Error {
  const options: ErrorOptions | undefined = wire.cause
    ? { cause: Object.assign(new Error(wire.cause.message), { name: wire.cause.name }) }
    : undefined;
  switch (wire.name) {
    case 'ValidationError': {
      const e = new ValidationError(wire.argument ?? 'argument', '', options);
      e.message = wire.message;
      return e;
    }
    case 'TimeoutError':
      return new TimeoutError(wire.value ?? 0, options);
    case 'AuthenticationError':
      return new AuthenticationError(wire.message, options);
    case 'InvalidHmacError':
      return new InvalidHmacError(wire.message, options);
    case 'ProfileNotFoundError':
      return new ProfileNotFoundError(wire.message, options);
    case 'QuotaExceededError':
      return new QuotaExceededError(wire.message, options);
    case 'StorageError':
      return new StorageError(wire.message, options);
    case 'DatabaseClosedError':
      return new DatabaseClosedError(wire.message, options);
    case 'TagvaultError':
      return new TagvaultError(wire.message, options);
    default:
      // Not one of ours (a bug, or the browser's): keep its name and message.
      return Object.assign(new TagvaultError(wire.message, options), { name: wire.name });
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
