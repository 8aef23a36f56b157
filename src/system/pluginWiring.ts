import type { ReadModelName, ReadModelStates } from '../domain/readModels.js';
import type { Db } from '../store/sqlite.js';
import type { ProductLookup } from '../store/views/productLookup.js';
import { builtInReadState, type ProjectionPlugin } from '../plugins/projectionPlugin.js';

/**
 * How the composition root and the runner use plug-ins where the built-ins were read directly: Products names for
 * the summary, the inventory check's view, and each model read back for the oracle comparison.
 */

/**
 * Products as the summary sees it when Products is a plug-in. The position is read before the names, so the names
 * are at least as new as the position says: the summary's wait rule (position ≥ the order's) stays sound.
 */
export function productLookupFromPlugin(
  plugin: ProjectionPlugin<'products'>,
  db: Db,
  checkpoint: () => number,
): ProductLookup {
  return {
    snapshot(productIds) {
      const position = checkpoint();
      const state = plugin.readState(db);
      const names = new Map<string, string>();
      for (const id of productIds) {
        const row = state.get(id);
        if (row) names.set(id, row.name);
      }
      return { checkpoint: position, names };
    },
  };
}

/**
 * The inventory service's check reads the ProductInventory view; with a plug-in, through its `available` (one
 * product), or its `readState` (the whole model) when it has none.
 */
export function availabilityFromPlugin(
  plugin: ProjectionPlugin<'product-inventory'>,
  db: Db,
): (productId: string) => number | undefined {
  if (plugin.available) return (productId) => plugin.available?.(db, productId);
  return (productId) => plugin.readState(db).get(productId);
}

/** A lookup built on first use: the summary's dependency exists only once the Products model is set up. */
export function lazyLookup(make: () => ProductLookup): ProductLookup {
  let lookup: ProductLookup | undefined;
  return { snapshot: (ids) => (lookup ??= make()).snapshot(ids) };
}

/** Every read model in the reference fold's shape: the plug-in's `readState` where one replaces the built-in. */
export function readModelStates(
  models: Readonly<Record<ReadModelName, { readonly db: Db; readonly plugin: ProjectionPlugin | undefined }>>,
): ReadModelStates {
  const state = <T extends ReadModelName>(name: T): ReadModelStates[T] => {
    const { db, plugin } = models[name];
    return plugin ? (plugin as ProjectionPlugin<T>).readState(db) : builtInReadState[name](db);
  };
  return {
    'product-inventory': state('product-inventory'),
    products: state('products'),
    'customer-order-summary': state('customer-order-summary'),
  };
}
