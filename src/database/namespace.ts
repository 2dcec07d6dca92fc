// A frozen snapshot of a database's tags, for fast plain-property lookups (the seed's Namespace).

const entriesOf = new WeakMap<Namespace, readonly (readonly [string, unknown])[]>();

/**
 * `ns[tag]` reads a value with a plain property lookup. Tags are own properties and always win,
 * even a tag named `"keys"` or `"__proto__"`; `keys()`, `values()` and iteration live on the
 * prototype (and on `Namespace.prototype` for a namespace whose tags shadow them).
 * @example
 * const ns = db.intoNamespace();
 * ns.favorite_foods; // ["justice", "community"]
 * for (const [tag, value] of ns) console.log(tag, value);
 */
export class Namespace {
  [tag: string]: unknown;

  /** @internal */
  constructor(entries: [string, unknown][]) {
    const frozen = Object.freeze(entries.map(([t, v]) => Object.freeze([t, v] as const)));
    entriesOf.set(this, frozen);
    for (const [tag, value] of frozen) {
      Object.defineProperty(this, tag, { value, enumerable: true, writable: false, configurable: false });
    }
    Object.freeze(this);
  }

  /** The tags, in the database's order. */
  keys(): IterableIterator<string> {
    return entriesOf
      .get(this)!
      .map(([t]) => t)
      [Symbol.iterator]();
  }

  /** The values, in the same order. */
  values(): IterableIterator<unknown> {
    return entriesOf
      .get(this)!
      .map(([, v]) => v)
      [Symbol.iterator]();
  }

  /** `[tag, value]` pairs. */
  [Symbol.iterator](): IterableIterator<readonly [string, unknown]> {
    return entriesOf.get(this)![Symbol.iterator]();
  }
}
