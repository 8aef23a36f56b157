import type { InventoryCheckReply, ProductAvailability } from '../domain/inventoryCheck.js';

/**
 * The order service's last word from the inventory service: per product, the availability and price of the most
 * recent check reply, minus what this service has placed since. In `check` mode the article's inventory check reads
 * an eventually consistent view anyway, so when the inventory service (or the broker) cannot be reached, deciding
 * against this copy gives the same guarantee — and orders are still accepted during a broker outage. Bounded by
 * the number of products (at most `maxProducts`; the least recently heard-of ones are dropped).
 */
export class AvailabilityCache {
  private readonly byProduct = new Map<string, ProductAvailability>();

  constructor(private readonly maxProducts = 100_000) {}

  remember(reply: InventoryCheckReply): void {
    for (const item of reply.items) {
      this.byProduct.delete(item.productId);
      this.byProduct.set(item.productId, item);
      if (this.byProduct.size > this.maxProducts) {
        const oldest = this.byProduct.keys().next().value;
        if (oldest !== undefined) this.byProduct.delete(oldest);
      }
    }
  }

  /** A reply built from memory, or undefined if any product was never heard of. */
  answer(productIds: readonly string[]): InventoryCheckReply | undefined {
    const items: ProductAvailability[] = [];
    for (const id of productIds) {
      const known = this.byProduct.get(id);
      if (!known) return undefined;
      items.push(known);
    }
    return { items, reserved: false };
  }

  consume(lines: readonly { readonly productId: string; readonly quantity: number }[]): void {
    for (const line of lines) {
      const known = this.byProduct.get(line.productId);
      if (known)
        this.byProduct.set(line.productId, { ...known, availableQuantity: known.availableQuantity - line.quantity });
    }
  }
}
