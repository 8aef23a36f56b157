import type { Db } from '../sqlite.js';

/** What the summary projection may ask of the Products read model: how far it is, and names, in one snapshot. */
export interface ProductLookup {
  snapshot(productIds: readonly string[]): { readonly checkpoint: number; readonly names: ReadonlyMap<string, string> };
}

/**
 * Reads the Products database (its own file: a separate read model) through a connection of its own. The names
 * returned belong to exactly the checkpoint returned: they come from one read transaction, or from a cache filled
 * by one and still valid because nothing was committed to Products since. "Nothing committed since" is
 * `data_version` (moves when another connection commits) plus `total_changes()` (moves when this one writes: in
 * memory the simulation shares one connection). The summary asks once per order; without the cache that was a
 * read transaction per event, the largest single cost of a rebuild when profiled.
 */
export function productLookupFrom(productsDb: Db): ProductLookup {
  const version = productsDb
    .prepare("SELECT (SELECT data_version FROM pragma_data_version) || ':' || total_changes()")
    .pluck();
  const checkpoint = productsDb.prepare('SELECT seq FROM checkpoint WHERE id = 1').pluck();
  const name = productsDb.prepare('SELECT name FROM products WHERE product_id = ?').pluck();
  let cachedVersion: unknown;
  let cachedCheckpoint = 0;
  /** Product id → name, or null for "Products does not know it", as of `cachedVersion`. Bounded by the catalogue. */
  const cachedNames = new Map<string, string | null>();
  // Every id asked for is read in the same transaction as the checkpoint when the cache is refilled: Products may
  // commit (from its own process) between the staleness check and the refill, and names kept from before that
  // commit must not be returned with the checkpoint after it.
  const refill = productsDb.transaction((ids: readonly string[]) => {
    const now = version.get();
    if (now !== cachedVersion) {
      cachedVersion = now;
      cachedCheckpoint = (checkpoint.get() as number | undefined) ?? 0;
      cachedNames.clear();
    }
    for (const id of ids) if (!cachedNames.has(id)) cachedNames.set(id, (name.get(id) as string | undefined) ?? null);
  });
  // Checking the version costs a read lock on the Products file (5–20 µs, most of a rebuild's time per event when
  // profiled), so it is checked once per synchronous turn: a snapshot a turn old is still a consistent one (names and
  // checkpoint from the same state), even where Products commits from another process meanwhile.
  let checkedThisTurn = false;
  const isStale = (): boolean => {
    if (checkedThisTurn) return false;
    checkedThisTurn = true;
    queueMicrotask(() => (checkedThisTurn = false));
    return version.get() !== cachedVersion;
  };
  return {
    snapshot(ids) {
      if (isStale() || ids.some((id) => !cachedNames.has(id))) refill(ids);
      const names = new Map<string, string>();
      for (const id of ids) {
        const n = cachedNames.get(id);
        if (n !== undefined && n !== null) names.set(id, n);
      }
      return { checkpoint: cachedCheckpoint, names };
    },
  };
}
