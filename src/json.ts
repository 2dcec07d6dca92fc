// Strict JSON: what `set` and `jsonEncrypt` accept is exactly what comes back after a round trip.
import { ValidationError } from './errors';

/** How deep values may nest: deeper ones would risk overflowing the stack of a JSON walk. */
export const MAX_JSON_DEPTH = 1000;

/** Path segments of the value being checked; turned into text only when something is refused. */
type Path = (string | number)[];

function pathText(argument: string, path: Path): string {
  const step = (p: string | number) => (typeof p === 'number' ? `[${p}]` : `[${JSON.stringify(p)}]`);
  const steps = path.length > 12 ? [...path.slice(0, 6).map(step), `…(${path.length - 10} more)…`, ...path.slice(-4).map(step)] : path.map(step);
  return argument + steps.join('');
}

function refuse(argument: string, path: Path, what: string): never {
  throw new ValidationError(argument, `is not JSON-serialisable: ${pathText(argument, path)} ${what}`);
}

function check(value: unknown, argument: string, path: Path, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) refuse(argument, path, `is ${value}`);
      if (Object.is(value, -0)) refuse(argument, path, 'is -0 (JSON would store it as 0)');
      return;
    case 'object':
      break;
    default:
      refuse(argument, path, `is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}`);
  }
  if (value === null) return;
  if (ancestors.length >= MAX_JSON_DEPTH) refuse(argument, path, `nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (ancestors.includes(value)) refuse(argument, path, 'is a cycle (it contains itself)');
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      if (!(i in value)) refuse(argument, path, 'is a hole in a sparse array');
      check(value[i], argument, path, ancestors);
      path.pop();
    }
  } else {
    // A plain object: its prototype is null or some realm's Object.prototype (an iframe's too).
    const proto = Object.getPrototypeOf(value);
    if (proto !== null && (Object.getPrototypeOf(proto) !== null || Object.prototype.toString.call(value) !== '[object Object]')) {
      refuse(argument, path, `is an instance of ${proto?.constructor?.name ?? 'a class'}, not a plain object`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) refuse(argument, path, 'has symbol keys');
    for (const key of Object.keys(value)) {
      path.push(key);
      check((value as Record<string, unknown>)[key], argument, path, ancestors);
      path.pop();
    }
  }
  ancestors.pop();
}

/**
 * JSON text of `value`, refusing anything JSON would change or lose: `undefined`, functions,
 * symbols, BigInt, NaN, ±Infinity and -0, cycles, class instances (Date, Map…), sparse arrays.
 * @throws {ValidationError} naming `argument` and the path of the first bad part.
 */
export function toJson(value: unknown, argument: string): string {
  check(value, argument, [], []);
  return JSON.stringify(value);
}

/** Throws unless `value` is JSON-serialisable (see {@link toJson}). */
export function assertJson(value: unknown, argument: string): void {
  check(value, argument, [], []);
}
