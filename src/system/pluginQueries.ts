import { centsToAmount } from '../domain/money.js';
import type { ProjectionPlugin } from '../plugins/projectionPlugin.js';
import type { CustomerOrderAnswer, InventoryAnswer, ProductAnswer } from '../store/queries.js';
import type { Db } from '../store/sqlite.js';

// The HTTP API's answers from a plug-in's model, read back in the reference fold's shape (`readState`), shaped as
// the built-in queries answer (src/store/queries.ts): same fields, same order, same bounds.

/** Orders and products listed at most (the built-in queries' bound). */
const LIST_MAX = 1_000;

export function pluginInventoryOf(
  plugin: ProjectionPlugin<'product-inventory'>,
  db: Db,
  productId: string,
): InventoryAnswer | undefined {
  const available = plugin.available ? plugin.available(db, productId) : plugin.readState(db).get(productId);
  return available === undefined ? undefined : { productId, availableQuantity: available };
}

/** Binary string order, as SQLite sorts text. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Newest first, as the built-in query. */
export function pluginOrdersOf(
  plugin: ProjectionPlugin<'customer-order-summary'>,
  db: Db,
  customerId: string,
): CustomerOrderAnswer[] {
  return [...plugin.readState(db).values()]
    .filter((o) => o.customerId === customerId)
    .sort((a, b) => byText(b.orderDate, a.orderDate) || byText(b.orderId, a.orderId))
    .slice(0, LIST_MAX)
    .map((o) => ({
      orderId: o.orderId,
      orderDate: o.orderDate,
      totalAmount: centsToAmount(o.totalCents),
      items: o.items.map((i) => ({ productName: i.productName, quantity: i.quantity })),
    }));
}

export function pluginProductOf(
  plugin: ProjectionPlugin<'products'>,
  db: Db,
  productId: string,
): ProductAnswer | undefined {
  const p = plugin.readState(db).get(productId);
  return p === undefined ? undefined : { productId, name: p.name, price: centsToAmount(p.priceCents) };
}

/** By product id, as the built-in query. */
export function pluginProducts(plugin: ProjectionPlugin<'products'>, db: Db): ProductAnswer[] {
  return [...plugin.readState(db)]
    .sort(([a], [b]) => byText(a, b))
    .slice(0, LIST_MAX)
    .map(([productId, p]) => ({ productId, name: p.name, price: centsToAmount(p.priceCents) }));
}
