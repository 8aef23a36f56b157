import type { CommandMeta, PlaceOrder } from './commands.js';
import { envelop, type EventEnvelope } from './envelope.js';
import type { OrderPlaced, OrderRejected } from './events.js';
import type { InventoryCheckReply } from './inventoryCheck.js';
import { err, ok, type FieldError, type Result } from './result.js';

export type PlaceOrderDecision =
  | { readonly kind: 'placed'; readonly event: EventEnvelope<OrderPlaced> }
  | { readonly kind: 'rejected'; readonly event: EventEnvelope<OrderRejected> };

/**
 * Quantities per product, summed over the lines: an order may list a product on more than one line (a cart with the
 * same item twice), and stock is judged on the total.
 */
export function quantitiesByProduct(
  lines: readonly { readonly productId: string; readonly quantity: number }[],
): Map<string, number> {
  const total = new Map<string, number>();
  for (const l of lines) total.set(l.productId, (total.get(l.productId) ?? 0) + l.quantity);
  return total;
}

/**
 * Decides an order from the command and the inventory service's answer. Unknown products are a bad request
 * (field errors, no event); insufficient stock is a business outcome (an OrderRejected event, HTTP 409).
 */
export function decidePlaceOrder(
  cmd: PlaceOrder,
  orderId: string,
  check: InventoryCheckReply,
  meta: CommandMeta,
): Result<PlaceOrderDecision, readonly FieldError[]> {
  const byId = new Map(check.items.map((a) => [a.productId, a]));
  const unknown: FieldError[] = [];
  cmd.items.forEach((line, i) => {
    if (byId.get(line.productId)?.known !== true) {
      unknown.push({ field: `items[${i}].productId`, message: `unknown product ${line.productId}` });
    }
  });
  if (unknown.length > 0) return err(unknown);

  const envMeta = { eventId: meta.newId(), occurredAt: meta.now, causationId: meta.commandId };
  const shortages = [...quantitiesByProduct(cmd.items)]
    .map(([productId, requested]) => ({ productId, requested, available: byId.get(productId)?.availableQuantity ?? 0 }))
    .filter((s) => s.requested > s.available);
  if (shortages.length > 0 && !check.reserved) {
    const rejected: OrderRejected = {
      type: 'OrderRejected',
      orderId,
      customerId: cmd.customerId,
      reason: 'insufficient-stock',
      shortages,
    };
    return ok({ kind: 'rejected', event: envelop(rejected, envMeta) });
  }
  const items = cmd.items.map((line) => ({
    productId: line.productId,
    quantity: line.quantity,
    unitPriceCents: byId.get(line.productId)?.priceCents ?? 0,
  }));
  const placed: OrderPlaced = {
    type: 'OrderPlaced',
    orderId,
    customerId: cmd.customerId,
    orderDate: meta.now,
    shippingAddress: cmd.shippingAddress,
    items,
    totalCents: items.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
  };
  return ok({ kind: 'placed', event: envelop(placed, envMeta) });
}
