import type { ProjectionView } from '../projectionView.js';
import type { ProductLookup } from './productLookup.js';

export interface SummaryViewOptions {
  /**
   * `wait` (the shipped behaviour): an order is summarised only once the Products read model has applied at least
   * up to the order's stream position; until then the consumer waits (state `waitingForDependency`) and writes
   * nothing. `naive` looks names up whatever Products' position — the article's literal design, kept so scenarios
   * can show the stale or missing names it writes.
   */
  readonly dependency: 'wait' | 'naive';
}

/**
 * The CustomerOrderSummary read model: per order its date, total and lines with product names. Names follow the
 * rule of the reference fold (domain/projections/customerOrderSummary.ts): the product's current name.
 */
export function customerOrderSummaryView(
  products: ProductLookup,
  options: SummaryViewOptions = { dependency: 'wait' },
): ProjectionView {
  return {
    name: 'customer-order-summary',
    tables: ['customer_orders', 'customer_order_items'],
    tableDdl: (t) => [
      `CREATE TABLE "${t('customer_orders')}" (order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, order_date TEXT NOT NULL,
         total_cents INTEGER NOT NULL, seq INTEGER NOT NULL)`,
      `CREATE TABLE "${t('customer_order_items')}" (order_id TEXT NOT NULL, line_no INTEGER NOT NULL, product_id TEXT NOT NULL,
         product_name TEXT, quantity INTEGER NOT NULL, PRIMARY KEY (order_id, line_no))`,
    ],
    // by_product serves the writer (a rename updates every line of the product); by_customer only the HTTP query.
    indexDdl: (t) => [
      `CREATE INDEX "${t('customer_order_items')}_by_product" ON "${t('customer_order_items')}" (product_id)`,
    ],
    queryIndexDdl: (t) => [
      `CREATE INDEX "${t('customer_orders')}_by_customer" ON "${t('customer_orders')}" (customer_id, order_date)`,
    ],
    bind(db, t) {
      // ON CONFLICT DO NOTHING, not a look-up first: an order is summarised once, whatever redelivers it.
      const insertOrder = db.prepare(
        `INSERT INTO "${t('customer_orders')}" (order_id, customer_id, order_date, total_cents, seq) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(order_id) DO NOTHING`,
      );
      const insertItem = db.prepare(
        `INSERT INTO "${t('customer_order_items')}" (order_id, line_no, product_id, product_name, quantity) VALUES (?, ?, ?, ?, ?)`,
      );
      const named = db.prepare(`UPDATE "${t('customer_order_items')}" SET product_name = ? WHERE product_id = ?`);
      // A null name means Products did not know the product; it ignores a rename of such a product, and so must we.
      const renamed = db.prepare(
        `UPDATE "${t('customer_order_items')}" SET product_name = ? WHERE product_id = ? AND product_name IS NOT NULL`,
      );
      return {
        apply({ seq, envelope: { data: e } }) {
          switch (e.type) {
            case 'OrderPlaced': {
              const { checkpoint, names } = products.snapshot(e.items.map((l) => l.productId));
              if (options.dependency === 'wait' && checkpoint < seq) {
                return { kind: 'waitForDependency', dependency: 'products', neededSeq: seq, haveSeq: checkpoint };
              }
              if (insertOrder.run(e.orderId, e.customerId, e.orderDate, e.totalCents, seq).changes === 0)
                return { kind: 'ignored' };
              e.items.forEach((l, i) =>
                insertItem.run(e.orderId, i, l.productId, names.get(l.productId) ?? null, l.quantity),
              );
              return { kind: 'applied' };
            }
            case 'ProductAdded':
              named.run(e.name, e.productId);
              return { kind: 'applied' };
            case 'ProductRenamed':
              renamed.run(e.name, e.productId);
              return { kind: 'applied' };
            default:
              return { kind: 'ignored' };
          }
        },
      };
    },
  };
}
