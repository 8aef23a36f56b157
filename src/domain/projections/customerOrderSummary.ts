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
export function evolveSummary(state: SummaryState, products: ProductsState, envelope: EventEnvelope): void {
  const e = envelope.data;
  switch (e.type) {
    case 'OrderPlaced': {
      if (state.has(e.orderId)) return; // an order is summarised once, whatever redelivers it
      const items = e.items.map((l) => ({ productId: l.productId, productName: products.get(l.productId)?.name ?? null, quantity: l.quantity }));
      state.set(e.orderId, { orderId: e.orderId, customerId: e.customerId, orderDate: e.orderDate, totalCents: e.totalCents, items });
      return;
    }
    case 'ProductAdded':
    case 'ProductRenamed': {
      // Take the name from Products, not from the event: Products ignores a rename of a product it never saw, and
      // the summary must then keep showing what Products knows (null), not a name no product ever had.
      const name = products.get(e.productId)?.name;
      if (name === undefined) return;
      for (const [orderId, row] of state) {
        if (!row.items.some((i) => i.productId === e.productId)) continue;
        const items = row.items.map((i) => (i.productId === e.productId ? { ...i, productName: name } : i));
        state.set(orderId, { ...row, items });
      }
      return;
    }
    default:
      return;
  }
}
