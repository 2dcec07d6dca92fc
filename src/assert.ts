// Small asserters for the public boundary. Each names the argument it checks and says what it
// got, without ever printing the content of a string or bytes (they may be secrets).
import { fromHex } from './bytes';
import { ValidationError } from './errors';

/**
 * A short description of a value for error messages: its type and size, never its content. A
 * number is "a number" (one given where a tag, a password or a key was expected is content);
 * with `{ number: true }`, for numeric settings (a size, a cost, a ttl), its value is shown.
 */
export function describe(value: unknown, opts: { number?: boolean } = {}): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `a string of length ${value.length}`;
  if (typeof value === 'number') {
    if (!opts.number) return 'a number';
    return Number.isFinite(value) ? `the number ${value}` : `${value}`;
  }
  if (isBytes(value)) return `a Uint8Array of length ${value.length}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') {
    const ctor = Object.getPrototypeOf(value)?.constructor;
    const name = typeof ctor === 'function' ? ctor.name : undefined;
    return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

/**
 * Whether `value` is a Uint8Array, also one made in another realm (an iframe, a worker's
 * structured clone), where `instanceof` fails.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]');
}

function fail(argument: string, expected: string, got: unknown, opts?: { number?: boolean }): never {
  throw new ValidationError(argument, `expected ${expected}, got ${describe(got, opts)}`);
}

/**
 * A string, optionally non-empty and at most `max` UTF-16 units long. Lone surrogates are refused:
 * every string we take is encoded as UTF-8 somewhere, where a lone surrogate becomes U+FFFD, so
 * two different strings (filenames, categories, credentials…) would otherwise act as one.
 */
export function aString(value: unknown, argument: string, opts: { nonEmpty?: boolean; max?: number } = {}): string {
  if (typeof value !== 'string') fail(argument, 'a string', value);
  if (opts.nonEmpty && value.length === 0) fail(argument, 'a non-empty string', value);
  if (opts.max !== undefined && value.length > opts.max) fail(argument, `a string of at most ${opts.max} characters`, value);
  if (!value.isWellFormed()) {
    throw new ValidationError(argument, 'must be well-formed Unicode, got a string with a lone surrogate');
  }
  return value;
}

/** The longest tag or metatag name accepted, in UTF-16 units. */
export const MAX_TAG_LENGTH = 4096;

/**
 * A tag or metatag name: a non-empty, well-formed string. Lone surrogates are refused because
 * UTF-8 cannot encode them: two different tags would hash to the same record.
 */
export function aTag(value: unknown, argument = 'tag'): string {
  return aString(value, argument, { nonEmpty: true, max: MAX_TAG_LENGTH });
}

/** A Uint8Array (any length unless `length` is given). */
export function aBytes(value: unknown, argument: string, length?: number): Uint8Array {
  if (!isBytes(value)) fail(argument, 'a Uint8Array', value);
  if (length !== undefined && value.length !== length) fail(argument, `a Uint8Array of length ${length}`, value);
  return value;
}

/** Numeric settings are not content: a refused one is shown (anInteger, aPositiveNumber). */
const SETTING = { number: true };

/** An integer in [min, max] (a numeric setting: a refused number is shown). */
export function anInteger(value: unknown, argument: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(argument, `an integer from ${min} to ${max}`, value, SETTING);
  if (value < min || value > max) fail(argument, `an integer from ${min} to ${max}`, value, SETTING);
  return value;
}

/** A finite number > 0 (a numeric setting: a refused number is shown). */
export function aPositiveNumber(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(argument, 'a finite number greater than 0', value, SETTING);
  return value;
}

/** A boolean. */
export function aBoolean(value: unknown, argument: string): boolean {
  if (typeof value !== 'boolean') fail(argument, 'a boolean', value);
  return value;
}

/** What a misspelt option looks like: a short identifier. */
const OPTION_NAME = /^[A-Za-z_$][\w$]{0,31}$/;

/**
 * An options object (or undefined → `{}`) whose keys are all among `allowed`: a misspelt option
 * is refused rather than silently ignored, and named (`options.fileName`) when it looks like an
 * option's name.
 */
export function anOptions<T extends object>(value: unknown, argument: string, allowed: readonly (keyof T & string)[]): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(argument, 'an options object', value);
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!(allowed as readonly string[]).includes(key)) {
      // A misspelt option is named; a key that is no option name at all (data passed as options)
      // is content, and only its position is.
      const name = OPTION_NAME.test(key) ? `.${key}` : `{key #${i + 1} of ${keys.length}, ${key.length} chars}`;
      throw new ValidationError(`${argument}${name}`, `is not an option; expected one of: ${allowed.join(', ')}`);
    }
  }
  return value as Partial<T>;
}

/** A 512-bit key, as 64 bytes or 128 hex characters; always returned as a fresh copy. */
export function aKey(value: unknown, argument = 'key'): Uint8Array<ArrayBuffer> {
  if (typeof value === 'string') {
    const bytes = value.length === 128 ? fromHex(value) : undefined;
    if (!bytes) fail(argument, 'a Uint8Array of length 64 or 128 hex characters', value);
    return bytes;
  }
  if (!isBytes(value) || value.length !== 64) fail(argument, 'a Uint8Array of length 64 or 128 hex characters', value);
  return new Uint8Array(value);
}
