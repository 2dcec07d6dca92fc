// Strict JSON: what `set` and `jsonEncrypt` accept is exactly what comes back after a round trip.
import { ValidationError } from './errors';

/** How deep values may nest: deeper ones would risk overflowing the stack of a JSON walk. */
export const MAX_JSON_DEPTH = 1000;

/** Path segments of the value being checked; turned into text only when something is refused. */
type Path = (string | number)[];

/**
 * Where in the value the refused part is, without its content (an object's keys are the
 * caller's data, as much as its values): array indices as `[i]`, an object key by its position
 * and length, `{key #2 of 5, 17 chars}`, and the depth. `containers[k]` holds `path[k]`.
 */
function pathText(argument: string, path: Path, containers: readonly object[]): string {
  const step = (p: string | number, k: number) => {
    if (typeof p === 'number') return `[${p}]`;
    const container = containers[k];
    const keys = container ? Object.keys(container) : [];
    const index = keys.indexOf(p);
    return index < 0 ? `{a key of ${p.length} chars}` : `{key #${index + 1} of ${keys.length}, ${p.length} chars}`;
  };
  const n = path.length;
  const steps = n > 12 ? [...path.slice(0, 6).map(step), `…(${n - 10} more)…`, ...path.slice(-4).map((p, i) => step(p, n - 4 + i))] : path.map(step);
  return `${argument}${steps.join('')}${n ? ` (depth ${n})` : ''}`;
}

function refuse(argument: string, path: Path, containers: readonly object[], what: string): never {
  throw new ValidationError(argument, `is not JSON-serialisable: ${pathText(argument, path, containers)} ${what}`);
}

/** The name of the class of instances of `proto`, read from its constructor function only. */
function className(proto: { constructor?: unknown } | null): string {
  const ctor = proto?.constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'a class';
}

/**
 * Whether JSON.stringify could call a `toJSON` of `value` (and write what it returns, or nothing):
 * an inherited one (a polluted prototype), an own accessor (a getter may answer this check and
 * stringify apart) or an own function. An own data property holding data, as JSON.parse makes
 * for a `"toJSON"` key, is plain data: stringify writes it as any other key.
 */
function hasToJson(value: object): boolean {
  const own = Object.getOwnPropertyDescriptor(value, 'toJSON');
  return own ? !('value' in own) || typeof own.value === 'function' : 'toJSON' in value;
}

function check(value: unknown, argument: string, path: Path, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) refuse(argument, path, ancestors, `is ${value}`);
      if (Object.is(value, -0)) refuse(argument, path, ancestors, 'is -0 (JSON would store it as 0)');
      return;
    case 'object':
      break;
    default:
      refuse(argument, path, ancestors, `is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}`);
  }
  if (value === null) return;
  if (ancestors.length >= MAX_JSON_DEPTH) refuse(argument, path, ancestors, `nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (ancestors.includes(value)) refuse(argument, path, ancestors, 'is a cycle (it contains itself)');
  if (hasToJson(value)) refuse(argument, path, ancestors, 'has a toJSON method (JSON.stringify would write what it returns)');
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      if (!(i in value)) refuse(argument, path, ancestors, 'is a hole in a sparse array');
      check(value[i], argument, path, ancestors);
      path.pop();
    }
  } else {
    // A plain object: its prototype is null or some realm's Object.prototype (an iframe's too).
    const proto = Object.getPrototypeOf(value);
    if (proto !== null && (Object.getPrototypeOf(proto) !== null || Object.prototype.toString.call(value) !== '[object Object]')) {
      refuse(argument, path, ancestors, `is an instance of ${className(proto)}, not a plain object`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) refuse(argument, path, ancestors, 'has symbol keys');
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
 * symbols, BigInt, NaN, ±Infinity and -0, cycles, class instances (Date, Map…), sparse arrays,
 * objects and arrays with a `toJSON` method (own or inherited) or getter.
 * @throws {ValidationError} naming `argument` and the path of the first bad part.
 */
export function toJson(value: unknown, argument: string): string {
  check(value, argument, [], []);
  const text: unknown = JSON.stringify(value);
  // What check() let through always gives text; a value that changed in between (a getter, a
  // proxy) may not.
  if (typeof text !== 'string') throw new ValidationError(argument, 'is not JSON-serialisable: JSON.stringify gave no text');
  return text;
}

/** Throws unless `value` is JSON-serialisable (see {@link toJson}). */
export function assertJson(value: unknown, argument: string): void {
  check(value, argument, [], []);
}
