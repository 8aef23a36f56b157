import { centsToAmount } from '../domain/money.js';
import type { Db } from './sqlite.js';

/** The read side of the HTTP API: plain SELECTs against the read model databases, shaped as the article shows. */

export interface InventoryAnswer {
  readonly productId: string;
  readonly availableQuantity: number;
}

export function inventoryOf(db: Db, productId: string): InventoryAnswer | undefined {
  const row = db
    .prepare('SELECT available_quantity FROM product_inventory WHERE product_id = ?')
    .pluck()
    .get(productId) as number | undefined;
  return row === undefined ? undefined : { productId, availableQuantity: row };
}

export interface CustomerOrderAnswer {
  readonly orderId: string;
  readonly orderDate: string;
  readonly totalAmount: number;
  readonly items: readonly { readonly productName: string | null; readonly quantity: number }[];
}

/** Newest first. Bounded: a customer with more orders gets the newest `limit`. */
export function ordersOfCustomer(db: Db, customerId: string, limit = 1_000): CustomerOrderAnswer[] {
  const orders = db
    .prepare(
      'SELECT order_id, order_date, total_cents FROM customer_orders WHERE customer_id = ? ORDER BY order_date DESC, order_id DESC LIMIT ?',
    )
    .all(customerId, limit) as { order_id: string; order_date: string; total_cents: number }[];
  const items = db.prepare(
    'SELECT product_name, quantity FROM customer_order_items WHERE order_id = ? ORDER BY line_no',
  );
  return orders.map((o) => ({
    orderId: o.order_id,
    orderDate: o.order_date,
    totalAmount: centsToAmount(o.total_cents),
    items: (items.all(o.order_id) as { product_name: string | null; quantity: number }[]).map((i) => ({
      productName: i.product_name,
      quantity: i.quantity,
    })),
  }));
}

export interface ProductAnswer {
  readonly productId: string;
  readonly name: string;
  readonly price: number;
}

const toProduct = (r: { product_id: string; name: string; price_cents: number }): ProductAnswer => ({
  productId: r.product_id,
  name: r.name,
  price: centsToAmount(r.price_cents),
});

export function productOf(db: Db, productId: string): ProductAnswer | undefined {
  const row = db.prepare('SELECT product_id, name, price_cents FROM products WHERE product_id = ?').get(productId);
  return row === undefined ? undefined : toProduct(row as { product_id: string; name: string; price_cents: number });
}

export function listProducts(db: Db, limit = 1_000): ProductAnswer[] {
  return (
    db.prepare('SELECT product_id, name, price_cents FROM products ORDER BY product_id LIMIT ?').all(limit) as {
      product_id: string;
      name: string;
      price_cents: number;
    }[]
  ).map(toProduct);
}
