import type { EventEnvelope } from '../envelope.js';

export interface ProductRow {
  readonly name: string;
  readonly priceCents: number;
}

/** Products read model: productId → current name and price. */
export type ProductsState = Map<string, ProductRow>;

/** One step of the reference fold (mutates its own accumulator; see evolveInventory for why). */
export function evolveProducts(state: ProductsState, envelope: EventEnvelope): void {
  const e = envelope.data;
  switch (e.type) {
    case 'ProductAdded':
      state.set(e.productId, { name: e.name, priceCents: e.priceCents });
      return;
    case 'ProductRenamed': {
      const row = state.get(e.productId);
      if (row) state.set(e.productId, { ...row, name: e.name });
      return;
    }
    case 'ProductRepriced': {
      const row = state.get(e.productId);
      if (row) state.set(e.productId, { ...row, priceCents: e.priceCents });
      return;
    }
    default:
      return;
  }
}
