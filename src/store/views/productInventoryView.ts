import { envelop, type Positioned } from '../../domain/envelope.js';
import type { InventoryUpdated } from '../../domain/events.js';
import { Outbox, OUTBOX_DDL } from '../outboxStore.js';
import type { ApplyMode, ProjectionView } from '../projectionView.js';

/** The event id of the InventoryUpdated a source event produces for one product: derived, so a redelivery dedupes. */
export const inventoryUpdatedId = (sourceEventId: string, productId: string): string =>
  `${sourceEventId}/inventory/${productId}`;

/**
 * The inventory service's ProductInventory view (the article's denormalized `productId → availableQuantity`),
 * updated asynchronously from OrderPlaced and StockAdjusted. Each change appends an InventoryUpdated to the
 * inventory service's outbox in the same transaction. A rebuild writes no events for what the live view already
 * applied (they were published then), but does for events above the live checkpoint: those reach the view only
 * through the rebuild (the live consumer sees them as duplicates afterwards), so it is now or never.
 */
export const productInventoryView: ProjectionView = {
  name: 'product-inventory',
  tables: ['product_inventory'],
  tableDdl: (t) => [
    `CREATE TABLE "${t('product_inventory')}" (product_id TEXT PRIMARY KEY, available_quantity INTEGER NOT NULL)`,
  ],
  indexDdl: () => [],
  bind(db, t) {
    for (const sql of OUTBOX_DDL) db.exec(sql);
    const outbox = new Outbox(db);
    const ensure = db.prepare(
      `INSERT INTO "${t('product_inventory')}" (product_id, available_quantity) VALUES (?, 0) ON CONFLICT DO NOTHING`,
    );
    const add = db
      .prepare(
        `INSERT INTO "${t('product_inventory')}" (product_id, available_quantity) VALUES (?, ?)
       ON CONFLICT(product_id) DO UPDATE SET available_quantity = available_quantity + excluded.available_quantity
       RETURNING available_quantity`,
      )
      .pluck();
    // The projection store's checkpoint of the live tables; it stands still while a rebuild runs.
    const liveCheckpoint = db.prepare('SELECT seq FROM checkpoint WHERE id = 1').pluck();
    const change = ({ seq, envelope: source }: Positioned, productId: string, delta: number, mode: ApplyMode): void => {
      const availableQuantity = add.get(productId, delta) as number;
      if (mode === 'rebuild' && seq <= ((liveCheckpoint.get() as number | undefined) ?? 0)) return;
      const data: InventoryUpdated = {
        type: 'InventoryUpdated',
        productId,
        availableQuantity,
        sourceEventId: source.eventId,
      };
      outbox.append(
        envelop(data, {
          eventId: inventoryUpdatedId(source.eventId, productId),
          occurredAt: source.occurredAt,
          causationId: source.eventId,
        }),
      );
    };
    return {
      apply(event, mode) {
        const e = event.envelope.data;
        switch (e.type) {
          case 'ProductAdded':
            ensure.run(e.productId);
            return { kind: 'applied' };
          case 'StockAdjusted':
            change(event, e.productId, e.delta, mode);
            return { kind: 'applied' };
          case 'OrderPlaced':
            for (const line of e.items) change(event, line.productId, -line.quantity, mode);
            return { kind: 'applied' };
          default:
            return { kind: 'ignored' };
        }
      },
    };
  },
};
