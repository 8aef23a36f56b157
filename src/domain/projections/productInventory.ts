import type { EventEnvelope } from '../envelope.js';

/** ProductInventory: productId → availableQuantity. Stock adjustments add, placed orders subtract. */
export type InventoryState = Map<string, number>;

/**
 * One step of the reference fold. It mutates the accumulator it is given (the oracle folds millions of events;
 * copying a map per event would make it quadratic) but reads nothing else, so the result is a function of the log.
 */
export function evolveInventory(state: InventoryState, envelope: EventEnvelope): void {
  const e = envelope.data;
  switch (e.type) {
    case 'ProductAdded':
      if (!state.has(e.productId)) state.set(e.productId, 0);
      return;
    case 'StockAdjusted':
      state.set(e.productId, (state.get(e.productId) ?? 0) + e.delta);
      return;
    case 'OrderPlaced':
      for (const line of e.items) state.set(line.productId, (state.get(line.productId) ?? 0) - line.quantity);
      return;
    default:
      return;
  }
}

/** Which events change this model; the others only move its checkpoint. */
export const inventoryEventTypes = ['ProductAdded', 'StockAdjusted', 'OrderPlaced'] as const;
