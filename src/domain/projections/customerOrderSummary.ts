import type { EventEnvelope } from '../envelope.js';
import type { ProductsState } from './products.js';

export interface SummaryItem {
  readonly productId: string;
  /** The product's name as the Products model knows it at this point of the log; null only if it never existed. */
  readonly productName: string | null;
  readonly quantity: number;
}

export interface SummaryRow {
  readonly orderId: string;
  readonly customerId: string;
  readonly orderDate: string;
  readonly totalCents: number;
  readonly items: readonly SummaryItem[];
}

/** CustomerOrderSummary: orderId → summary row. */
export type SummaryState = Map<string, SummaryRow>;

/**
 * One step of the reference fold. The summary shows each product's *current* name: an order takes the name the
 * Products model has at the order's position in the log, and a later rename updates every summary that lists the
 * product. This is the rule that makes the live projection's answer independent of timing: it may look a name up
 * only once Products has applied at least up to the order's position (otherwise it waits), and whatever newer
 * name it sees then is the one a later rename would have written anyway.
 *
 * `products` must be the Products fold *after* this same event was applied to it.
 */
/**
 * productId → the orders listing it, kept beside each state map so a rename touches only those orders (the oracle
 * folds logs of a million events; scanning every order per rename would make that quadratic). A WeakMap keeps the
 * state type a plain Map and drops the index with its state.
 */
const listings = new WeakMap<SummaryState, Map<string, Set<string>>>();

function ordersListing(state: SummaryState, productId: string): Set<string> {
  let byProduct = listings.get(state);
  if (!byProduct) {
    // First use on this state (it may have been filled before): index what is there.
    const index = new Map<string, Set<string>>();
    const listing = (id: string) => index.get(id) ?? index.set(id, new Set()).get(id) ?? new Set<string>();
    for (const row of state.values()) for (const i of row.items) listing(i.productId).add(row.orderId);
    listings.set(state, index);
    byProduct = index;
  }
  let set = byProduct.get(productId);
  if (!set) {
    set = new Set();
    byProduct.set(productId, set);
  }
  return set;
}

export function evolveSummary(state: SummaryState, products: ProductsState, envelope: EventEnvelope): void {
  const e = envelope.data;
  switch (e.type) {
    case 'OrderPlaced': {
      if (state.has(e.orderId)) return; // an order is summarised once, whatever redelivers it
      const items = e.items.map((l) => ({
        productId: l.productId,
        productName: products.get(l.productId)?.name ?? null,
        quantity: l.quantity,
      }));
      state.set(e.orderId, {
        orderId: e.orderId,
        customerId: e.customerId,
        orderDate: e.orderDate,
        totalCents: e.totalCents,
        items,
      });
      for (const l of e.items) ordersListing(state, l.productId).add(e.orderId);
      return;
    }
    case 'ProductAdded':
    case 'ProductRenamed': {
      // Take the name from Products, not from the event: Products ignores a rename of a product it never saw, and
      // the summary must then keep showing what Products knows (null), not a name no product ever had.
      const name = products.get(e.productId)?.name;
      if (name === undefined) return;
      for (const orderId of ordersListing(state, e.productId)) {
        const row = state.get(orderId);
        if (!row) continue;
        const items = row.items.map((i) => (i.productId === e.productId ? { ...i, productName: name } : i));
        state.set(orderId, { ...row, items });
      }
      return;
    }
    default:
      return;
  }
}
