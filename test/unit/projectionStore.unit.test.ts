import { describe, expect, it } from 'vitest';
import { encodeEnvelope, envelop } from '../../src/domain/envelope.js';
import type { DomainEvent } from '../../src/domain/events.js';
import { foldLog } from '../../src/domain/projections/oracle.js';
import { ProjectionStore, type IncomingEvent } from '../../src/store/projectionStore.js';
import type { ProjectionView } from '../../src/store/projectionView.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { productsView } from '../../src/store/views/productsView.js';
import { productInventoryView } from '../../src/store/views/productInventoryView.js';
import { customerOrderSummaryView } from '../../src/store/views/customerOrderSummaryView.js';
import { readInventoryModel, readProductsModel, readSummaryModel } from '../../src/store/readModelState.js';

// The projection store against in-memory SQLite: ordering, duplicates, failure counting, parking, rebuild swap.

let n = 0;
const event = (seq: number, data: DomainEvent): IncomingEvent & { envelope: ReturnType<typeof envelop> } => {
  const envelope = envelop(data, { eventId: `evt_${++n}`, occurredAt: '2026-01-01T00:00:00.000Z', causationId: 'cmd' });
  return { seq, subject: 's', data: encodeEnvelope(envelope), msgId: envelope.eventId, envelope };
};
const added = (seq: number, productId: string, name = productId) =>
  event(seq, { type: 'ProductAdded', productId, name, priceCents: 100 });
const renamed = (seq: number, productId: string, name: string) =>
  event(seq, { type: 'ProductRenamed', productId, name });
const stock = (seq: number, productId: string, delta: number) =>
  event(seq, { type: 'StockAdjusted', adjustmentId: `a${seq}`, productId, delta, reason: 'r' });

function store(view: ProjectionView = productsView, maxDeliveries = 3) {
  return new ProjectionStore(openDatabase(':memory:'), view, { maxDeliveries, now: () => '2026-01-01T00:00:00.000Z' });
}

/** A products view whose writer throws for renames to `poison` while `broken.on` is set. */
function flakyView(broken: { on: boolean }, poison = 'BOOM'): ProjectionView {
  return {
    ...productsView,
    bind(db, t) {
      const inner = productsView.bind(db, t);
      return {
        apply(e, mode) {
          if (broken.on && e.envelope.data.type === 'ProductRenamed' && e.envelope.data.name === poison)
            throw new Error('handler bug');
          return inner.apply(e, mode);
        },
      };
    },
  };
}

describe('ProjectionStore', () => {
  it('applies in order and moves the checkpoint with the view', () => {
    const s = store();
    const r = s.applyBatch([added(1, 'p1'), added(2, 'p2'), renamed(3, 'p1', 'One')]);
    expect(r).toMatchObject({ checkpoint: 3, applied: 3, duplicates: 0 });
    expect(s.checkpoint()).toBe(3);
    expect(readProductsModel(s.db).state.get('p1')).toEqual({ name: 'One', priceCents: 100 });
  });

  it('treats a redelivered event (seq ≤ checkpoint) as a duplicate and changes nothing', () => {
    const s = store(productInventoryView);
    const batch = [added(1, 'p'), stock(2, 'p', 5)];
    s.applyBatch(batch);
    const again = s.applyBatch(batch);
    expect(again).toMatchObject({ checkpoint: 2, applied: 0, duplicates: 2 });
    expect(readInventoryModel(s.db).state.get('p')).toBe(5);
  });

  it('refuses to skip ahead: an event after a gap is not applied and the stop says what is expected', () => {
    const s = store();
    s.applyBatch([added(1, 'p1')]);
    const r = s.applyBatch([added(3, 'p3')]);
    expect(r.stop).toEqual({ kind: 'gap', seq: 3, expected: 2 });
    expect(s.checkpoint()).toBe(1);
    expect(readProductsModel(s.db).state.has('p3')).toBe(false);
  });

  it('counts handler failures durably, commits the prefix, and parks the event after maxDeliveries', () => {
    const broken = { on: true };
    const s = store(flakyView(broken), 3);
    const batch = [added(1, 'p1'), renamed(2, 'p1', 'BOOM'), added(3, 'p3')];
    const first = s.applyBatch(batch);
    expect(first.stop).toMatchObject({ kind: 'failed', seq: 2, attempts: 1 });
    expect(first.checkpoint).toBe(1);
    expect(s.applyBatch(batch.slice(1)).stop).toMatchObject({ kind: 'failed', seq: 2, attempts: 2 });
    const third = s.applyBatch(batch.slice(1));
    expect(third).toMatchObject({ checkpoint: 3, parked: 1, applied: 1 });
    expect(third.stop).toBeUndefined();
    const [letter] = s.deadLetters.list();
    expect(letter).toMatchObject({ seq: 2, attempts: 3 });
    expect(letter?.reason).toContain('handler bug');
    expect(s.deadLetters.count()).toBe(1);
    expect(s.failedAttempts(2)).toBe(0);

    broken.on = false; // the fix is deployed
    expect(s.replayDeadLetters()).toEqual({ replayed: 1, stillFailing: 0 });
    expect(readProductsModel(s.db).state.get('p1')?.name).toBe('BOOM');
    expect(s.deadLetters.count()).toBe(0);
  });

  it('parks an undecodable event at once, with the reason, and moves on', () => {
    const s = store();
    const poison: IncomingEvent = {
      seq: 2,
      subject: 'shop.products.added',
      data: new TextEncoder().encode('not json'),
    };
    const r = s.applyBatch([added(1, 'p1'), poison, added(3, 'p3')]);
    expect(r).toMatchObject({ checkpoint: 3, applied: 2, parked: 1 });
    expect(s.deadLetters.list()[0]?.reason).toMatch(/^undecodable payload/);
  });

  it('rolls back a wait-for-dependency outcome: nothing written, checkpoint before it', () => {
    const waiting: ProjectionView = {
      ...productsView,
      bind(db, t) {
        const inner = productsView.bind(db, t);
        return {
          apply: (e, mode) =>
            e.seq === 2
              ? { kind: 'waitForDependency', dependency: 'x', neededSeq: 2, haveSeq: 1 }
              : inner.apply(e, mode),
        };
      },
    };
    const s = store(waiting);
    const r = s.applyBatch([added(1, 'p1'), added(2, 'p2')]);
    expect(r.stop).toEqual({ kind: 'waiting', seq: 2, dependency: 'x', neededSeq: 2, haveSeq: 1 });
    expect(s.checkpoint()).toBe(1);
    expect(readProductsModel(s.db).state.has('p2')).toBe(false);
  });

  it('rebuilds into fresh tables and swaps them in: equal to the fold, checkpoint at the end, repeatable', () => {
    const s = store(productInventoryView);
    const log = [added(1, 'a'), added(2, 'b'), stock(3, 'a', 10), stock(4, 'b', 3), stock(5, 'a', -4)];
    s.applyBatch(log);
    const live = readInventoryModel(s.db).state;
    // corrupt the live table the way a silent handler bug would; only a rebuild repairs it
    s.db.prepare("UPDATE product_inventory SET available_quantity = 999 WHERE product_id = 'a'").run();
    for (let round = 0; round < 2; round++) {
      s.beginRebuild();
      s.applyRebuildBatch(log);
      s.finishRebuild();
      expect(readInventoryModel(s.db).state).toEqual(live);
      expect(readInventoryModel(s.db).state).toEqual(
        foldLog(log.map((e) => ({ seq: e.seq, envelope: e.envelope }))).inventory,
      );
      expect(s.checkpoint()).toBe(5);
    }
    // the swapped-in tables are live: later events apply to them
    s.applyBatch([stock(6, 'b', 1)]);
    expect(readInventoryModel(s.db).state.get('b')).toBe(4);
  });

  it('builds reader-only indexes once, after a rebuild, and keeps every index on the live tables', () => {
    const view: ProjectionView = {
      ...productsView,
      indexDdl: (t) => [`CREATE INDEX "${t('products')}_by_name" ON "${t('products')}" (name)`],
      queryIndexDdl: (t) => [`CREATE INDEX "${t('products')}_by_price" ON "${t('products')}" (price_cents)`],
    };
    const s = store(view);
    const indexes = (table: string) =>
      s.db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
        )
        .pluck()
        .all(table) as string[];
    expect(indexes('products')).toEqual(['products_by_name', 'products_by_price']);
    s.applyBatch([added(1, 'a')]);
    s.beginRebuild();
    // While rebuilding, only the index the writer needs is maintained.
    expect(indexes('products__rebuild')).toEqual(['products__rebuild_by_name']);
    s.applyRebuildBatch([added(1, 'a'), added(2, 'b')]);
    s.finishRebuild();
    expect(indexes('products')).toEqual(['products_by_name', 'products_by_price']);
    expect(readProductsModel(s.db).state.size).toBe(2);
  });

  it('summarises an order once, even when the same OrderPlaced is in the stream twice (republished after the dedupe window)', () => {
    const names = { snapshot: () => ({ checkpoint: 100, names: new Map([['p1', 'One']]) }) };
    const s = store(customerOrderSummaryView(names));
    const placed = event(1, {
      type: 'OrderPlaced',
      orderId: 'o1',
      customerId: 'c1',
      orderDate: '2026-01-01T00:00:00.000Z',
      shippingAddress: 'x',
      items: [{ productId: 'p1', quantity: 2, unitPriceCents: 100 }],
      totalCents: 200,
    });
    const r = s.applyBatch([placed, { ...placed, seq: 2 }]);
    expect(r).toMatchObject({ checkpoint: 2, applied: 1, ignored: 1 });
    expect([...readSummaryModel(s.db).state.values()]).toEqual([
      {
        orderId: 'o1',
        customerId: 'c1',
        orderDate: '2026-01-01T00:00:00.000Z',
        totalCents: 200,
        items: [{ productId: 'p1', productName: 'One', quantity: 2 }],
      },
    ]);
  });
});
