// The events a Database dispatches, typed: `db.addEventListener('change', (e) => e.detail.tags)`
// type-checks without casts.

/** Detail of the `change` event a Database dispatches when another tab changed its vault. */
export interface ChangeDetail {
  /** Tags added, changed or removed by the other tab. */
  tags: string[];
  /** True when the metatag list changed. */
  metatags: boolean;
}

/** The events a {@link Database} dispatches, by type. */
export interface DatabaseEventMap {
  /** Another tab changed this vault (the page's unsaved changes are kept). */
  change: CustomEvent<ChangeDetail>;
}

/** An EventTarget whose listeners are typed by {@link DatabaseEventMap}. */
export class DatabaseEvents extends EventTarget {
  /** Listens for an event of {@link DatabaseEventMap}, e.g. `'change'`. */
  override addEventListener<K extends keyof DatabaseEventMap>(type: K, listener: (event: DatabaseEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  /** Stops listening (see {@link addEventListener}). */
  override removeEventListener<K extends keyof DatabaseEventMap>(type: K, listener: (event: DatabaseEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }
}
