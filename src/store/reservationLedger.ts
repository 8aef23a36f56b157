import type { OrderFate } from '../domain/reservations.js';
import type { Db } from './sqlite.js';

const DDL = [
  // One row per (order, product): a retried check for the same order reserves nothing twice. A reservation is
  // `held` until the order service says what became of its order: `confirmed` (placed) or `released` (it never
  // will be: the units go back).
  `CREATE TABLE IF NOT EXISTS reservations (order_id TEXT NOT NULL, product_id TEXT NOT NULL, quantity INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'confirmed', 'released')),
     reserved_at_ms INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (order_id, product_id))`,
];
const INDEX_DDL = `CREATE INDEX IF NOT EXISTS reservations_held ON reservations(reserved_at_ms) WHERE state = 'held'`;

/**
 * The reservations of reserve mode, with an owner (the order id) and an end. Stock is reserved inside the
 * inventory check, before the order service commits the order: a crash or a lost reply in between would strand
 * the units for ever. So a reservation stays `held` until the reconciler learns the order's fate from the order
 * service, which answers from its own write model and, for an order it does not have, promises never to commit it
 * (a tombstone) — only then are the units released. Held units count as reserved: nothing can oversell meanwhile.
 * `reserved_total` in the stock ledger is always the sum of held and confirmed quantities.
 */
export class ReservationLedger {
  private readonly activeRows;
  private readonly insert;
  private readonly addReserved;
  private readonly heldOf;
  private readonly markConfirmed;
  private readonly markReleased;

  constructor(private readonly db: Db) {
    for (const sql of DDL) db.exec(sql);
    this.upgradeOldSchema();
    db.exec(INDEX_DDL);
    this.activeRows = db
      .prepare("SELECT COUNT(*) FROM reservations WHERE order_id = ? AND state <> 'released'")
      .pluck();
    this.insert = db.prepare(
      "INSERT INTO reservations (order_id, product_id, quantity, state, reserved_at_ms) VALUES (?, ?, ?, 'held', ?)",
    );
    this.addReserved = db.prepare('UPDATE stock_ledger SET reserved_total = reserved_total + ? WHERE product_id = ?');
    this.heldOf = db.prepare(
      "SELECT product_id AS productId, quantity FROM reservations WHERE order_id = ? AND state = 'held'",
    );
    this.markConfirmed = db.prepare(
      "UPDATE reservations SET state = 'confirmed' WHERE order_id = ? AND state = 'held'",
    );
    this.markReleased = db.prepare("UPDATE reservations SET state = 'released' WHERE order_id = ? AND state = 'held'");
  }

  /** Data directories from before reservations had an end: their rows become held, so the first round settles them. */
  private upgradeOldSchema(): void {
    const columns = this.db.prepare("SELECT name FROM pragma_table_info('reservations')").pluck().all() as string[];
    if (columns.includes('state')) return;
    this.db.exec(
      "ALTER TABLE reservations ADD COLUMN state TEXT NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'confirmed', 'released'))",
    );
    this.db.exec('ALTER TABLE reservations ADD COLUMN reserved_at_ms INTEGER NOT NULL DEFAULT 0');
  }

  /** True when the order already holds (or consumed) stock: a repeated check answers the same. */
  has(orderId: string): boolean {
    return (this.activeRows.get(orderId) as number) > 0;
  }

  /** Holds `quantity` of each product for the order. The caller runs it inside its transaction, after checking stock. */
  hold(orderId: string, perProduct: ReadonlyMap<string, number>, nowMs: number): void {
    for (const [productId, quantity] of perProduct) {
      this.insert.run(orderId, productId, quantity, nowMs);
      this.addReserved.run(quantity, productId);
    }
  }

  /** Orders with stock held since `cutoffMs` or earlier: the ones whose fate is worth asking about. Bounded. */
  heldSince(cutoffMs: number, limit: number): string[] {
    return this.db
      .prepare(
        "SELECT DISTINCT order_id FROM reservations WHERE state = 'held' AND reserved_at_ms <= ? ORDER BY order_id LIMIT ?",
      )
      .pluck()
      .all(cutoffMs, limit) as string[];
  }

  /** Settles each order's held reservation by its fate, in one transaction: placed → confirmed, otherwise released. */
  settle(fates: ReadonlyMap<string, OrderFate>): { confirmed: number; released: number } {
    let confirmed = 0,
      released = 0;
    this.db.transaction(() => {
      for (const [orderId, fate] of fates) {
        if (fate === 'placed') {
          confirmed += this.markConfirmed.run(orderId).changes > 0 ? 1 : 0;
          continue;
        }
        const held = this.heldOf.all(orderId) as { productId: string; quantity: number }[];
        if (held.length === 0) continue;
        for (const line of held) this.addReserved.run(-line.quantity, line.productId);
        this.markReleased.run(orderId);
        released++;
      }
    })();
    return { confirmed, released };
  }

  /** Every order still holding stock (any age), for the runner's checks. */
  heldOrders(): string[] {
    return this.db
      .prepare("SELECT DISTINCT order_id FROM reservations WHERE state = 'held' ORDER BY order_id")
      .pluck()
      .all() as string[];
  }

  /** Units held or confirmed, per product: what reserved_total must equal. */
  activeByProduct(): Map<string, number> {
    const rows = this.db
      .prepare(
        "SELECT product_id AS productId, SUM(quantity) AS quantity FROM reservations WHERE state <> 'released' GROUP BY product_id",
      )
      .all() as { productId: string; quantity: number }[];
    return new Map(rows.map((r) => [r.productId, r.quantity]));
  }
}
