import type { Cents } from './money.js';

/** A line of an order as it was placed: the unit price is captured at order time so totals never move later. */
export interface OrderLine {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceCents: Cents;
}

export interface OrderPlaced {
  readonly type: 'OrderPlaced';
  readonly orderId: string;
  readonly customerId: string;
  /** ISO-8601 time the order was accepted by the command side. */
  readonly orderDate: string;
  readonly shippingAddress: string;
  readonly items: readonly OrderLine[];
  readonly totalCents: Cents;
}

export interface OrderRejected {
  readonly type: 'OrderRejected';
  readonly orderId: string;
  readonly customerId: string;
  readonly reason: 'insufficient-stock';
  readonly shortages: readonly { readonly productId: string; readonly requested: number; readonly available: number }[];
}

/** A change to physical stock made through the inventory service's own command side. */
export interface StockAdjusted {
  readonly type: 'StockAdjusted';
  readonly adjustmentId: string;
  readonly productId: string;
  /** Positive for received stock, negative for shrinkage or corrections. */
  readonly delta: number;
  readonly reason: string;
}

/** Published by the inventory service after its ProductInventory view applied a change. An output, not a fold input. */
export interface InventoryUpdated {
  readonly type: 'InventoryUpdated';
  readonly productId: string;
  readonly availableQuantity: number;
  /** The event (OrderPlaced or StockAdjusted) whose application produced this quantity. */
  readonly sourceEventId: string;
}

export interface ProductAdded {
  readonly type: 'ProductAdded';
  readonly productId: string;
  readonly name: string;
  readonly priceCents: Cents;
}

export interface ProductRenamed {
  readonly type: 'ProductRenamed';
  readonly productId: string;
  readonly name: string;
}

export interface ProductRepriced {
  readonly type: 'ProductRepriced';
  readonly productId: string;
  readonly priceCents: Cents;
}

export type DomainEvent =
  OrderPlaced | OrderRejected | StockAdjusted | InventoryUpdated | ProductAdded | ProductRenamed | ProductRepriced;

export type DomainEventType = DomainEvent['type'];

export const EVENT_TYPES: readonly DomainEventType[] = [
  'OrderPlaced',
  'OrderRejected',
  'StockAdjusted',
  'InventoryUpdated',
  'ProductAdded',
  'ProductRenamed',
  'ProductRepriced',
];

/**
 * Every event lives on one stream; the subject says who published it and what it is. One stream means one total
 * order (the stream sequence) that every projection and the oracle share, so checkpoints are comparable.
 */
export function subjectFor(type: DomainEventType): string {
  switch (type) {
    case 'OrderPlaced':
      return 'shop.orders.placed';
    case 'OrderRejected':
      return 'shop.orders.rejected';
    case 'StockAdjusted':
      return 'shop.inventory.adjusted';
    case 'InventoryUpdated':
      return 'shop.inventory.updated';
    case 'ProductAdded':
      return 'shop.products.added';
    case 'ProductRenamed':
      return 'shop.products.renamed';
    case 'ProductRepriced':
      return 'shop.products.repriced';
    default: {
      const never: never = type;
      throw new Error(`unknown event type ${String(never)}`);
    }
  }
}
