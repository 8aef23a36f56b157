// Shared builders for the domain unit tests: object-literal metas and small event constructors. Not a test file.
import type { CommandMeta } from '../../src/domain/commands.js';
import { envelop, type EventEnvelope, type Positioned } from '../../src/domain/envelope.js';
import type {
  DomainEvent,
  InventoryUpdated,
  OrderLine,
  OrderPlaced,
  OrderRejected,
  ProductAdded,
  ProductRenamed,
  ProductRepriced,
  StockAdjusted,
} from '../../src/domain/events.js';

export const NOW = '2023-10-27T10:00:00Z';

/** A CommandMeta whose ids come from a counter (`evt_1`, `evt_2`, …) and whose clock is fixed. */
export function counterMeta(commandId = 'cmd_1', now = NOW): CommandMeta & { readonly issued: () => number } {
  let n = 0;
  return {
    commandId,
    now,
    newId: () => `evt_${++n}`,
    issued: () => n,
  };
}

export const productAdded = (productId: string, name: string, priceCents: number): ProductAdded => ({
  type: 'ProductAdded',
  productId,
  name,
  priceCents,
});

export const productRenamed = (productId: string, name: string): ProductRenamed => ({
  type: 'ProductRenamed',
  productId,
  name,
});

export const productRepriced = (productId: string, priceCents: number): ProductRepriced => ({
  type: 'ProductRepriced',
  productId,
  priceCents,
});

export const stockAdjusted = (
  productId: string,
  delta: number,
  adjustmentId = `adj_${productId}_${delta}`,
): StockAdjusted => ({
  type: 'StockAdjusted',
  adjustmentId,
  productId,
  delta,
  reason: 'received',
});

/** An OrderPlaced whose total is computed from its lines, as the decider does. */
export function orderPlaced(
  orderId: string,
  lines: readonly (readonly [productId: string, quantity: number, unitPriceCents?: number])[],
  customerId = 'cust_123',
): OrderPlaced {
  const items: OrderLine[] = lines.map(([productId, quantity, unitPriceCents = 100]) => ({
    productId,
    quantity,
    unitPriceCents,
  }));
  return {
    type: 'OrderPlaced',
    orderId,
    customerId,
    orderDate: NOW,
    shippingAddress: '123 Main St',
    items,
    totalCents: items.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
  };
}

export const orderRejected = (
  orderId: string,
  productId: string,
  requested: number,
  available: number,
): OrderRejected => ({
  type: 'OrderRejected',
  orderId,
  customerId: 'cust_123',
  reason: 'insufficient-stock',
  shortages: [{ productId, requested, available }],
});

export const inventoryUpdated = (
  productId: string,
  availableQuantity: number,
  sourceEventId = 'evt_src',
): InventoryUpdated => ({
  type: 'InventoryUpdated',
  productId,
  availableQuantity,
  sourceEventId,
});

export const envOf = <E extends DomainEvent>(data: E, eventId = 'evt_1'): EventEnvelope<E> =>
  envelop(data, { eventId, occurredAt: NOW, causationId: 'cmd_1' });

/** A log with stream sequences 1..n and distinct event ids, as the broker would deliver it. */
export const logOf = (...events: readonly DomainEvent[]): Positioned[] =>
  events.map((data, i) => ({ seq: i + 1, envelope: envOf(data, `evt_${i + 1}`) }));
