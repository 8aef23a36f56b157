/**
 * A ProductInventory projection written as a user of cqrs-testbed would write it, in their own repository: it
 * imports only from the package. Self-managed: it gets every delivery, redeliveries included, and owns its
 * idempotency — the effect and the record of the event commit in one transaction, or neither does.
 */
import { definePlugin, type Db, type DomainEvent } from 'cqrs-testbed';

/** How an event changes stock: [productId, delta] pairs (none for events this model ignores). */
function stockChanges(e: DomainEvent): [string, number][] {
  switch (e.type) {
    case 'StockAdjusted':
      return [[e.productId, e.delta]];
    case 'OrderPlaced':
      return e.items.map((line): [string, number] => [line.productId, -line.quantity]);
    case 'ProductAdded':
      return [[e.productId, 0]];
    default:
      return [];
  }
}

export default definePlugin({
  target: 'product-inventory',
  mode: 'self-managed',
  tables: ['stock', 'seen'],
  // Declared, so `check --projection` arms it by itself. Inside the transaction: a crash there rolls back, harmless.
  crashPoints: ['after-stock'],
  setup(db: Db) {
    db.exec('CREATE TABLE IF NOT EXISTS stock (product_id TEXT PRIMARY KEY, available INTEGER NOT NULL)');
    db.exec('CREATE TABLE IF NOT EXISTS seen (event_id TEXT PRIMARY KEY)');
  },
  reset(db: Db) {
    db.exec('DROP TABLE IF EXISTS stock');
    db.exec('DROP TABLE IF EXISTS seen');
  },
  handle(db, event, delivery, ctx) {
    const changes = stockChanges(event.envelope.data);
    if (changes.length === 0) return { kind: 'ignored' };
    db.transaction(() => {
      const firstTime = db.prepare('INSERT INTO seen VALUES (?) ON CONFLICT DO NOTHING').run(delivery.eventId).changes;
      if (firstTime === 0) return; // a redelivery: already applied
      const add = db.prepare(
        'INSERT INTO stock VALUES (?, ?) ON CONFLICT(product_id) DO UPDATE SET available = available + excluded.available',
      );
      for (const [productId, delta] of changes) add.run(productId, delta);
      ctx.crashPoint('after-stock');
    })();
    return { kind: 'applied' };
  },
  readState(db: Db) {
    const rows = db.prepare('SELECT product_id, available FROM stock').all() as {
      product_id: string;
      available: number;
    }[];
    return new Map(rows.map((r) => [r.product_id, r.available]));
  },
  available(db: Db, productId: string) {
    const row = db.prepare('SELECT available FROM stock WHERE product_id = ?').get(productId) as
      { available: number } | undefined;
    return row?.available;
  },
});
