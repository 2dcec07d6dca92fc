// The events a Database dispatches, typed: `db.addEventListener('change', (e) => e.detail.tags)`
// type-checks without casts (the typed overloads are declared on Database itself: types only, no code ships).

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
