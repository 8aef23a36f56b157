import type { Cents } from './money.js';

export interface OrderItemRequest {
  readonly productId: string;
  readonly quantity: number;
}

export interface PlaceOrder {
  readonly type: 'PlaceOrder';
  readonly customerId: string;
  readonly items: readonly OrderItemRequest[];
  readonly shippingAddress: string;
}

export interface AdjustStock {
  readonly type: 'AdjustStock';
  readonly productId: string;
  readonly delta: number;
  readonly reason: string;
}

export interface AddProduct {
  readonly type: 'AddProduct';
  readonly productId: string;
  readonly name: string;
  readonly priceCents: Cents;
}

export interface RenameProduct {
  readonly type: 'RenameProduct';
  readonly productId: string;
  readonly name: string;
}

export interface RepriceProduct {
  readonly type: 'RepriceProduct';
  readonly productId: string;
  readonly priceCents: Cents;
}

export type CatalogCommand = AddProduct | RenameProduct | RepriceProduct;

/** Ids and time enter through metadata so that deciding stays a pure function. */
export interface CommandMeta {
  readonly commandId: string;
  readonly now: string;
  /** Fresh ids the decider may hand out, e.g. to the order and its event. */
  readonly newId: () => string;
}
