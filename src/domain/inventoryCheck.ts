import type { Cents } from './money.js';

/** What the order service asks the inventory service before accepting an order (NATS request/reply). */
export interface InventoryCheckRequest {
  readonly orderId: string;
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  /** In `reserve` mode the inventory service takes the stock atomically (all lines or none) before answering. */
  readonly reserve: boolean;
}

export interface ProductAvailability {
  readonly productId: string;
  readonly known: boolean;
  readonly availableQuantity: number;
  readonly priceCents: Cents;
}

export interface InventoryCheckReply {
  readonly items: readonly ProductAvailability[];
  /** True only when reserve was asked and every line was reserved. */
  readonly reserved: boolean;
}

/**
 * The article's default: the check reads the asynchronously updated ProductInventory view, so two concurrent orders
 * can both see the last unit (oversell). `reserve`: the inventory service decrements its own synchronous stock
 * ledger inside the check, so they cannot.
 */
export type InventoryMode = 'check' | 'reserve';
