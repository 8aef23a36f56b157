/**
 * The registry of read models: their names, the shape each has in the reference fold, which other read model each
 * reads from, and how people call them. Everything else derives from here (the runtime wiring, the scenario schema,
 * the plug-in targets, the reports). Per-model tables elsewhere are `Record<ReadModelName, …>`, so adding a name
 * here makes the compiler list every place that needs an entry for it (the README's Architecture section says which).
 */
import type { SummaryState } from './projections/customerOrderSummary.js';
import type { InventoryState } from './projections/productInventory.js';
import type { ProductsState } from './projections/products.js';

/** Every read model, in the order reports and the dashboard list them. */
export const READ_MODELS = ['product-inventory', 'products', 'customer-order-summary'] as const;

export type ReadModelName = (typeof READ_MODELS)[number];

/** Each read model in the reference fold's shape: what the oracle computes and what a plug-in's `readState` returns. */
export interface ReadModelStates {
  /** productId → available quantity. */
  readonly 'product-inventory': InventoryState;
  /** productId → { name, priceCents }. */
  readonly products: ProductsState;
  /** orderId → { orderId, customerId, orderDate, totalCents, items: [{ productId, productName, quantity }] }. */
  readonly 'customer-order-summary': SummaryState;
}

export interface ReadModelInfo {
  /** The short name narrow tables and columns use. */
  readonly shortName: string;
  /** What the article calls it, for schemas and help texts: "the Products read model". */
  readonly title: string;
  /** The read model this one reads while projecting (its values depend on that one's), if any. */
  readonly readsFrom?: ReadModelName;
}

export const READ_MODEL_INFO: Readonly<Record<ReadModelName, ReadModelInfo>> = {
  'product-inventory': { shortName: 'inventory', title: 'the ProductInventory view' },
  products: { shortName: 'products', title: 'the Products read model' },
  'customer-order-summary': {
    shortName: 'summary',
    title: 'the CustomerOrderSummary read model',
    readsFrom: 'products',
  },
};

export function isReadModelName(s: unknown): s is ReadModelName {
  return typeof s === 'string' && (READ_MODELS as readonly string[]).includes(s);
}

/** Read models that read from `model` (directly): their values may change when it does. */
export function readersOf(model: ReadModelName): ReadModelName[] {
  return READ_MODELS.filter((m) => READ_MODEL_INFO[m].readsFrom === model);
}

/** `make(name)` for every read model, as a record. */
export function perReadModel<T>(make: (name: ReadModelName) => T): Record<ReadModelName, T> {
  return Object.fromEntries(READ_MODELS.map((m) => [m, make(m)])) as Record<ReadModelName, T>;
}
