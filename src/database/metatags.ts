// The metatag names of one vault on the page: those its stored header lists, those created here
// and not yet saved into it (pending), and the children opened on this page.

/** The metatags of one vault (`Child` is the page's object for an open metatag). */
export class Metatags<Child> {
  readonly #names: string[];
  /** Created on this page, not yet in the stored header: the next save of this vault lists them. */
  readonly #pending = new Set<string>();
  /** Children being opened or open, by name (repeated `metatag()` calls share one). */
  readonly #opening = new Map<string, Promise<Child>>();
  /** Children open on this page, by name. */
  readonly #open = new Map<string, Child>();

  constructor(stored: string[]) {
    this.#names = [...stored];
  }

  /** The names, stored ones first, in order. */
  list(): string[] {
    return [...this.#names];
  }

  includes(name: string): boolean {
    return this.#names.includes(name);
  }

  isPending(name: string): boolean {
    return this.#pending.has(name);
  }

  pending(): string[] {
    return [...this.#pending];
  }

  /** The child being opened or open under `name`, or starts opening it with `open`. */
  child(name: string, open: () => Promise<Child>): Promise<Child> {
    let child = this.#opening.get(name);
    if (!child) {
      child = open().then((opened) => {
        if (!this.#names.includes(name)) {
          this.#names.push(name);
          this.#pending.add(name);
        }
        this.#open.set(name, opened);
        return opened;
      });
      this.#opening.set(name, child);
      child.catch(() => this.#opening.delete(name));
    }
    return child;
  }

  /** The child open under `name`, if any. */
  opened(name: string): Child | undefined {
    return this.#open.get(name);
  }

  /** Every child open on this page. */
  children(): Child[] {
    return [...this.#open.values()];
  }

  /** `names` are now in the stored header. */
  stored(names: string[]): void {
    for (const name of names) this.#pending.delete(name);
  }

  /** Takes the stored header's list (after another tab's write), keeping what is pending here. */
  merge(stored: string[]): void {
    const next = [...stored, ...[...this.#pending].filter((m) => !stored.includes(m))];
    this.#names.splice(0, this.#names.length, ...next);
  }

  /** Names listed here that the stored header no longer has and that are not pending. */
  goneFrom(stored: string[]): string[] {
    return this.#names.filter((m) => !stored.includes(m) && !this.#pending.has(m));
  }

  /** Forgets metatag `name`; returns its open child, for the caller to clear and close. */
  forget(name: string): Child | undefined {
    const i = this.#names.indexOf(name);
    if (i >= 0) this.#names.splice(i, 1);
    this.#pending.delete(name);
    const child = this.#open.get(name);
    this.#open.delete(name);
    this.#opening.delete(name);
    return child;
  }

  /** Forgets every metatag; returns the open children. */
  clear(): Child[] {
    const children = [...this.#open.keys()].map((name) => this.forget(name)!);
    this.#names.length = 0;
    this.#pending.clear();
    return children;
  }
}
