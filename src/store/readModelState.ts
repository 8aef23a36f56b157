import type { SummaryItem, SummaryRow, SummaryState } from '../domain/projections/customerOrderSummary.js';
import type { InventoryState } from '../domain/projections/productInventory.js';
import type { ProductsState } from '../domain/projections/products.js';
import type { Db } from './sqlite.js';

/**
 * Reads each live read model back into the shape of its reference fold, so the two can be compared key by key.
 * Each read runs in one transaction: a consistent snapshot with its checkpoint.
 */

export function readInventoryModel(db: Db): { checkpoint: number; state: InventoryState } {
  return db.transaction(() => {
    const rows = db.prepare('SELECT product_id, available_quantity FROM product_inventory').all() as {
      product_id: string;
      available_quantity: number;
    }[];
    return { checkpoint: checkpointOf(db), state: new Map(rows.map((r) => [r.product_id, r.available_quantity])) };
  })();
}

export function readProductsModel(db: Db): { checkpoint: number; state: ProductsState } {
  return db.transaction(() => {
    const rows = db.prepare('SELECT product_id, name, price_cents FROM products').all() as {
      product_id: string;
      name: string;
      price_cents: number;
    }[];
    return {
      checkpoint: checkpointOf(db),
      state: new Map(rows.map((r) => [r.product_id, { name: r.name, priceCents: r.price_cents }])),
    };
  })();
}

export function readSummaryModel(db: Db): { checkpoint: number; state: SummaryState } {
  return db.transaction(() => {
    const orders = db.prepare('SELECT order_id, customer_id, order_date, total_cents FROM customer_orders').all() as {
      order_id: string;
      customer_id: string;
      order_date: string;
      total_cents: number;
    }[];
    const items = db
      .prepare(
        'SELECT order_id, product_id, product_name, quantity FROM customer_order_items ORDER BY order_id, line_no',
      )
      .all() as {
      order_id: string;
      product_id: string;
      product_name: string | null;
      quantity: number;
    }[];
    const byOrder = new Map<string, SummaryItem[]>();
    for (const i of items) {
      const list = byOrder.get(i.order_id) ?? [];
      list.push({ productId: i.product_id, productName: i.product_name, quantity: i.quantity });
      byOrder.set(i.order_id, list);
    }
    const state = new Map<string, SummaryRow>(
      orders.map((o) => [
        o.order_id,
        {
          orderId: o.order_id,
          customerId: o.customer_id,
          orderDate: o.order_date,
          totalCents: o.total_cents,
          items: byOrder.get(o.order_id) ?? [],
        },
      ]),
    );
    return { checkpoint: checkpointOf(db), state };
  })();
}

function checkpointOf(db: Db): number {
  return (db.prepare('SELECT seq FROM checkpoint WHERE id = 1').pluck().get() as number | undefined) ?? 0;
}
