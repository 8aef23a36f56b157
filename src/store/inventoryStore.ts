import type { CatalogEntry } from '../domain/catalog.js';
import type { EventEnvelope } from '../domain/envelope.js';
import type { DomainEvent } from '../domain/events.js';
import type { InventoryCheckReply, InventoryCheckRequest } from '../domain/inventoryCheck.js';
import { quantitiesByProduct } from '../domain/order.js';
import { Outbox, OUTBOX_DDL } from './outboxStore.js';
import { ReservationLedger } from './reservationLedger.js';
import { migrate, type Db } from './sqlite.js';

const DDL = [
  `CREATE TABLE IF NOT EXISTS catalog (product_id TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL)`,
  // Synchronous stock known to the command side: every adjustment, and (reserve mode) every reservation.
  `CREATE TABLE IF NOT EXISTS stock_ledger (product_id TEXT PRIMARY KEY REFERENCES catalog(product_id),
     adjusted_total INTEGER NOT NULL DEFAULT 0, reserved_total INTEGER NOT NULL DEFAULT 0)`,
  ...OUTBOX_DDL,
];

/**
 * The inventory service's command side: the product catalogue, the stock ledger and reservations, with an outbox.
 * Its ProductInventory view lives in the same database file (the service's own) but is written only by its
 * projection consumer; the check in `check` mode reads that view, as in the article.
 */
export class InventoryStore {
  readonly outbox: Outbox;
  readonly reservations: ReservationLedger;
  private readonly getEntry;
  private viewQuantity: ((productId: string) => number | undefined) | undefined;
  private readonly ledger;

  /** `viewAvailable` replaces the read of the built-in view's table (a user's plug-in projection replaces the view). */
  constructor(
    readonly db: Db,
    options: { readonly viewAvailable?: (productId: string) => number | undefined } = {},
  ) {
    migrate(db, DDL);
    this.viewQuantity = options.viewAvailable;
    this.outbox = new Outbox(db);
    this.getEntry = db.prepare('SELECT name, price_cents AS priceCents FROM catalog WHERE product_id = ?');
    this.ledger = db.prepare('SELECT adjusted_total - reserved_total FROM stock_ledger WHERE product_id = ?').pluck();
    this.reservations = new ReservationLedger(db);
  }

  entry(productId: string): CatalogEntry | undefined {
    return this.getEntry.get(productId) as CatalogEntry | undefined;
  }

  /** The asynchronously updated view's number (what the article's check reads). Requires the view's table. */
  viewAvailable(productId: string): number {
    // Prepared on first use: the view's table is created by its projection store, which may start later.
    this.viewQuantity ??= (
      (stmt) => (id: string) =>
        stmt.get(id) as number | undefined
    )(this.db.prepare('SELECT available_quantity FROM product_inventory WHERE product_id = ?').pluck());
    return this.viewQuantity(productId) ?? 0;
  }

  /**
   * True once any stock adjustment was recorded for the product. The outbox keeps every event the command side
   * wrote (rows are marked sent, never deleted), so it is the record of adjustments, whatever they summed to.
   */
  everAdjusted(productId: string): boolean {
    return (
      this.db
        .prepare(
          "SELECT 1 FROM outbox WHERE subject = 'shop.inventory.adjusted' AND json_extract(CAST(payload AS TEXT), '$.data.productId') = ? LIMIT 1",
        )
        .get(productId) !== undefined
    );
  }

  /** Stock the command side knows synchronously: adjustments minus reservations. */
  ledgerAvailable(productId: string): number {
    return (this.ledger.get(productId) as number | undefined) ?? 0;
  }

  /** Writes a catalogue or stock event and its state change in one transaction. */
  record(events: readonly EventEnvelope<DomainEvent>[]): void {
    this.db.transaction(() => {
      for (const envelope of events) {
        const e = envelope.data;
        switch (e.type) {
          case 'ProductAdded':
            this.db
              .prepare('INSERT INTO catalog (product_id, name, price_cents) VALUES (?, ?, ?)')
              .run(e.productId, e.name, e.priceCents);
            this.db.prepare('INSERT INTO stock_ledger (product_id) VALUES (?)').run(e.productId);
            break;
          case 'ProductRenamed':
            this.db.prepare('UPDATE catalog SET name = ? WHERE product_id = ?').run(e.name, e.productId);
            break;
          case 'ProductRepriced':
            this.db.prepare('UPDATE catalog SET price_cents = ? WHERE product_id = ?').run(e.priceCents, e.productId);
            break;
          case 'StockAdjusted':
            this.db
              .prepare('UPDATE stock_ledger SET adjusted_total = adjusted_total + ? WHERE product_id = ?')
              .run(e.delta, e.productId);
            break;
          default:
            throw new Error(`the inventory command side does not record ${e.type}`);
        }
        this.outbox.append(envelope);
      }
    })();
  }

  /**
   * Answers an inventory check. In reserve mode the order's stock is held (see ReservationLedger), all products or
   * none, in one transaction, and a repeated request for the same order returns the same answer without reserving
   * again. A product on several lines of the order counts with its total.
   */
  check(request: InventoryCheckRequest, nowMs = 0): InventoryCheckReply {
    return this.db.transaction((): InventoryCheckReply => {
      const wanted = quantitiesByProduct(request.items);
      const items = [...wanted.keys()].map((productId) => {
        const entry = this.entry(productId);
        const available = request.reserve ? this.ledgerAvailable(productId) : this.viewAvailable(productId);
        return {
          productId,
          known: entry !== undefined,
          availableQuantity: available,
          priceCents: entry?.priceCents ?? 0,
        };
      });
      if (!request.reserve) return { items, reserved: false };
      if (this.reservations.has(request.orderId))
        return {
          items: items.map((i) => ({ ...i, availableQuantity: Math.max(i.availableQuantity, 0) })),
          reserved: true,
        };
      const fits = items.every((i) => i.known && i.availableQuantity >= (wanted.get(i.productId) ?? 0));
      if (!fits) return { items, reserved: false };
      this.reservations.hold(request.orderId, wanted, nowMs);
      return { items, reserved: true };
    })();
  }
}
