import type { EventEnvelope } from '../domain/envelope.js';
import type { OrderPlaced, OrderRejected } from '../domain/events.js';
import type { OrderFate } from '../domain/reservations.js';
import { GroupCommit } from './groupCommit.js';
import { Outbox, OUTBOX_DDL } from './outboxStore.js';
import { migrate, type Db } from './sqlite.js';

const DDL = [
  `CREATE TABLE IF NOT EXISTS orders (
     order_id TEXT PRIMARY KEY,
     customer_id TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('placed', 'rejected')),
     order_date TEXT NOT NULL,
     shipping_address TEXT NOT NULL,
     total_cents INTEGER NOT NULL,
     event_id TEXT NOT NULL UNIQUE
   )`,
  `CREATE TABLE IF NOT EXISTS order_items (
     order_id TEXT NOT NULL REFERENCES orders(order_id),
     line_no INTEGER NOT NULL,
     product_id TEXT NOT NULL,
     quantity INTEGER NOT NULL CHECK (quantity > 0),
     unit_price_cents INTEGER NOT NULL,
     PRIMARY KEY (order_id, line_no)
   )`,
  `CREATE INDEX IF NOT EXISTS orders_by_customer ON orders(customer_id)`,
  // Orders this service promised never to commit (it was asked about them before it had them: see fates()).
  `CREATE TABLE IF NOT EXISTS voided_orders (order_id TEXT PRIMARY KEY)`,
  `CREATE TRIGGER IF NOT EXISTS voided_orders_stay_void BEFORE INSERT ON orders
     WHEN EXISTS (SELECT 1 FROM voided_orders WHERE order_id = NEW.order_id)
     BEGIN SELECT RAISE(ABORT, 'order voided: its reservation was released'); END`,
  ...OUTBOX_DDL,
];

/**
 * The order service's write model: the article's normalized Orders and OrderItems tables plus the outbox. An order
 * and the event announcing it are written in one transaction, so neither exists without the other.
 */
export class OrderStore {
  readonly outbox: Outbox;
  private readonly insertOrder;
  private readonly insertItem;
  private readonly group: GroupCommit;

  constructor(readonly db: Db) {
    migrate(db, DDL);
    this.outbox = new Outbox(db);
    this.insertOrder = db.prepare(
      `INSERT INTO orders (order_id, customer_id, status, order_date, shipping_address, total_cents, event_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertItem = db.prepare(
      'INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_cents) VALUES (?, ?, ?, ?, ?)',
    );
    this.group = new GroupCommit(db);
  }

  /** Order, lines and outbox row in one transaction, committed now. */
  savePlaced(event: EventEnvelope<OrderPlaced>): void {
    this.db.transaction(() => this.writePlaced(event))();
  }

  /** The same, in the next group commit (shared with other orders decided meanwhile); resolves once committed. */
  savePlacedGrouped(event: EventEnvelope<OrderPlaced>): Promise<void> {
    return this.group.run(() => this.writePlaced(event));
  }

  /** A refusal is recorded too (status `rejected`, no lines), and announced, so the log explains every order id. */
  saveRejectedGrouped(event: EventEnvelope<OrderRejected>, shippingAddress: string): Promise<void> {
    const o = event.data;
    return this.group.run(() => {
      this.insertOrder.run(o.orderId, o.customerId, 'rejected', event.occurredAt, shippingAddress, 0, event.eventId);
      this.outbox.append(event);
    });
  }

  private writePlaced(event: EventEnvelope<OrderPlaced>): void {
    const o = event.data;
    this.insertOrder.run(
      o.orderId,
      o.customerId,
      'placed',
      o.orderDate,
      o.shippingAddress,
      o.totalCents,
      event.eventId,
    );
    o.items.forEach((l, i) => this.insertItem.run(o.orderId, i, l.productId, l.quantity, l.unitPriceCents));
    this.outbox.append(event);
  }

  /** Accepted orders with the id of the event that must announce each: what the write-model check compares to the stream. */
  placedOrders(afterOrderId = '', limit = 10_000): { orderId: string; eventId: string }[] {
    return this.db
      .prepare(
        "SELECT order_id AS orderId, event_id AS eventId FROM orders WHERE status = 'placed' AND order_id > ? ORDER BY order_id LIMIT ?",
      )
      .all(afterOrderId, limit) as { orderId: string; eventId: string }[];
  }

  /**
   * What became of each order, for the inventory service's reservation reconciler. An order this store does not
   * have is voided in the same transaction — a tombstone a later commit of it fails on (the trigger above) — so
   * "voided" is a promise that it will never be placed, and its reserved stock can be released.
   */
  fates(orderIds: readonly string[]): Map<string, OrderFate> {
    const status = this.db.prepare('SELECT status FROM orders WHERE order_id = ?').pluck();
    const voidOrder = this.db.prepare('INSERT INTO voided_orders (order_id) VALUES (?) ON CONFLICT DO NOTHING');
    return this.db.transaction(() => {
      const fates = new Map<string, OrderFate>();
      for (const id of orderIds) {
        const s = status.get(id) as 'placed' | 'rejected' | undefined;
        if (s === undefined) voidOrder.run(id);
        fates.set(id, s ?? 'voided');
      }
      return fates;
    })();
  }

  /** Which of these orders are placed (read only: unlike fates(), voids nothing). */
  placedAmong(orderIds: readonly string[]): Set<string> {
    const status = this.db.prepare('SELECT status FROM orders WHERE order_id = ?').pluck();
    return new Set(orderIds.filter((id) => status.get(id) === 'placed'));
  }

  counts(): { placed: number; rejected: number } {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM orders GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    const get = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    return { placed: get('placed'), rejected: get('rejected') };
  }
}
