import { describe, expect, it } from 'vitest';
import type { SummaryRow } from '../../src/domain/projections/customerOrderSummary.js';
import { foldLog } from '../../src/domain/projections/oracle.js';
import { divergenceOf, type ModelStates } from '../../src/scenarios/divergence.js';
import { divergenceWithLag, pendingKeys } from '../../src/scenarios/notYetApplied.js';
import { logOf, orderPlaced, productAdded, productRenamed, stockAdjusted } from './fixtures.js';

// Mid-outage, a lagging summary differs from the oracle at the head: orders it has not seen, and names renamed
// since its checkpoint. That is "not yet applied", which catching up repairs; only what its lag cannot explain is
// wrong. The flagship's dashboard showed `wrong 22` for exactly such renames.

const log = logOf(
  productAdded('p1', 'Gadget', 100), // 1
  productAdded('p2', 'Widget', 200), // 2
  stockAdjusted('p1', 50), // 3
  orderPlaced('o1', [['p1', 1]]), // 4
  orderPlaced('o2', [['p2', 2]]), // 5
  productRenamed('p1', 'Gadget II'), // 6
  orderPlaced('o3', [['p1', 1]]), // 7
  orderPlaced('o4', [['p2', 1]]), // 8
);
const head = foldLog(log);
/** Every model as its own fold of the log up to `seq`: exactly a correct model that lags there. */
const upTo = (seq: number) => foldLog(log.filter((e) => e.seq <= seq));
const statesAt = (inventory: number, products: number, summary: number): ModelStates => ({
  'product-inventory': upTo(inventory).inventory,
  products: upTo(products).products,
  'customer-order-summary': upTo(summary).summaries,
});
const caughtUp = { 'product-inventory': 8, products: 8, 'customer-order-summary': 8 };

describe('pendingKeys', () => {
  it('names the keys each model’s unapplied events change; a rename, every order listing the product', () => {
    expect([...pendingKeys('customer-order-summary', log, 5, head)].sort()).toEqual(['o1', 'o3', 'o4']);
    expect([...pendingKeys('products', log, 5, head)]).toEqual(['p1']);
    expect([...pendingKeys('product-inventory', log, 3, head)].sort()).toEqual(['p1', 'p2']);
    expect(pendingKeys('customer-order-summary', log, 8, head).size).toBe(0);
  });
});

describe('divergenceWithLag', () => {
  it('a correct summary stopped at seq 5: stale, not wrong — while the plain comparison says wrong', () => {
    const states = statesAt(8, 8, 5);
    expect(divergenceOf(head, states, log)['customer-order-summary']).toMatchObject({ ok: 1, missing: 2, wrong: 1 });
    expect(
      divergenceWithLag(head, states, log, { ...caughtUp, 'customer-order-summary': 5 })['customer-order-summary'],
    ).toEqual({
      ok: 1,
      notYetApplied: 3,
      missing: 0,
      unexpected: 0,
      wrong: 0,
      duplicated: 0,
    });
  });

  it('caught up, the same stale name is wrong: nothing pending explains it', () => {
    const o1 = head.summaries.get('o1') as SummaryRow;
    const summaries = new Map(head.summaries).set('o1', {
      ...o1,
      items: [{ productId: 'p1', productName: 'Gadget', quantity: 1 }],
    });
    const states: ModelStates = { ...statesAt(8, 8, 8), 'customer-order-summary': summaries };
    expect(divergenceWithLag(head, states, log, caughtUp)['customer-order-summary']).toEqual({
      ok: 3,
      notYetApplied: 0,
      missing: 0,
      unexpected: 0,
      wrong: 1,
      duplicated: 0,
    });
  });

  it('lagging and buggy at once: the lag explains the pending keys, not a lost order behind the checkpoint', () => {
    const summaries = new Map(upTo(7).summaries);
    summaries.delete('o2'); // parked at seq 5, behind the checkpoint: lost, not late
    const states: ModelStates = { ...statesAt(8, 8, 7), 'customer-order-summary': summaries };
    expect(
      divergenceWithLag(head, states, log, { ...caughtUp, 'customer-order-summary': 7 })['customer-order-summary'],
    ).toEqual({
      ok: 2,
      notYetApplied: 1,
      missing: 1,
      unexpected: 0,
      wrong: 0,
      duplicated: 0,
    });
  });

  it('splits each model by its own checkpoint, and equals the plain divergence when caught up', () => {
    const lagging = divergenceWithLag(head, statesAt(3, 5, 8), log, {
      'product-inventory': 3,
      products: 5,
      'customer-order-summary': 8,
    });
    expect(lagging['product-inventory']).toMatchObject({ notYetApplied: 2, wrong: 0, missing: 0 });
    expect(lagging.products).toMatchObject({ ok: 1, notYetApplied: 1, wrong: 0 });
    const plain = divergenceOf(head, statesAt(8, 8, 8), log);
    const split = divergenceWithLag(head, statesAt(8, 8, 8), log, caughtUp);
    for (const m of ['product-inventory', 'products', 'customer-order-summary'] as const) {
      const { examples: _examples, ...counts } = plain[m];
      expect(split[m]).toEqual({ ...counts, notYetApplied: 0 });
    }
  });
});
