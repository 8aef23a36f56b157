import type { Db } from '../sqlite.js';

/** What the summary projection may ask of the Products read model: how far it is, and names, in one snapshot. */
export interface ProductLookup {
  snapshot(productIds: readonly string[]): { readonly checkpoint: number; readonly names: ReadonlyMap<string, string> };
}

/**
 * Reads the Products database (its own file: a separate read model) through a connection of its own. Both reads
 * run in one read transaction, so the names belong to exactly the checkpoint returned.
 */
export function productLookupFrom(productsDb: Db): ProductLookup {
  const checkpoint = productsDb.prepare('SELECT seq FROM checkpoint WHERE id = 1').pluck();
  const name = productsDb.prepare('SELECT name FROM products WHERE product_id = ?').pluck();
  const read = productsDb.transaction((ids: readonly string[]) => {
    const names = new Map<string, string>();
    for (const id of ids) {
      const n = name.get(id) as string | undefined;
      if (n !== undefined) names.set(id, n);
    }
    return { checkpoint: (checkpoint.get() as number | undefined) ?? 0, names };
  });
  return { snapshot: (ids) => read(ids) };
}
