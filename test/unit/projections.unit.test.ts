import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, type Positioned } from '../../src/domain/envelope.js';
import type { DomainEvent } from '../../src/domain/events.js';
import { evolveSummary, type SummaryState } from '../../src/domain/projections/customerOrderSummary.js';
import { emptyReferenceState, foldEvent, foldLog, type ReferenceState } from '../../src/domain/projections/oracle.js';
import {
  evolveInventory,
  inventoryEventTypes,
  type InventoryState,
} from '../../src/domain/projections/productInventory.js';
import { evolveProducts, type ProductsState } from '../../src/domain/projections/products.js';
import {
  NOW,
  envOf,
  inventoryUpdated,
  logOf,
  orderPlaced,
  orderRejected,
  productAdded,
  productRenamed,
  productRepriced,
  stockAdjusted,
} from './fixtures.js';

const foldInventory = (...events: DomainEvent[]): InventoryState => {
  const state: InventoryState = new Map();
  for (const e of events) evolveInventory(state, envOf(e));
  return state;
};

const foldProducts = (...events: DomainEvent[]): ProductsState => {
  const state: ProductsState = new Map();
  for (const e of events) evolveProducts(state, envOf(e));
  return state;
};

/** Products then summary, event by event, as the oracle orders them. */
const foldSummary = (...events: DomainEvent[]): SummaryState => {
  const products: ProductsState = new Map();
  const summaries: SummaryState = new Map();
  for (const e of events) {
    evolveProducts(products, envOf(e));
    evolveSummary(summaries, products, envOf(e));
  }
  return summaries;
};

const namesIn = (state: SummaryState, orderId: string) => state.get(orderId)?.items.map((i) => i.productName);

describe('ProductInventory fold', () => {
  it('starts a product at zero, adds adjustments and subtracts ordered quantities', () => {
    const state = foldInventory(
      productAdded('a', 'A', 1),
      productAdded('b', 'B', 1),
      stockAdjusted('a', 50),
      stockAdjusted('b', 10),
      orderPlaced('o1', [
        ['a', 2],
        ['b', 1],
      ]),
      stockAdjusted('a', -5),
    );
    expect(state).toEqual(
      new Map([
        ['a', 43],
        ['b', 9],
      ]),
    );
  });

  it('does not reset stock when a product is added again', () => {
    expect(foldInventory(productAdded('a', 'A', 1), stockAdjusted('a', 7), productAdded('a', 'A2', 2)).get('a')).toBe(
      7,
    );
  });

  it('goes negative on an oversell rather than clamping', () => {
    expect(
      foldInventory(productAdded('a', 'A', 1), stockAdjusted('a', 1), orderPlaced('o1', [['a', 3]])).get('a'),
    ).toBe(-2);
  });

  it('ignores rejections, InventoryUpdated, renames and reprices', () => {
    const state = foldInventory(
      productAdded('a', 'A', 1),
      stockAdjusted('a', 4),
      orderRejected('o1', 'a', 9, 4),
      inventoryUpdated('a', 999),
      productRenamed('a', 'B'),
      productRepriced('a', 5),
    );
    expect(state).toEqual(new Map([['a', 4]]));
  });

  it('lists exactly the event types that change it', () => {
    expect([...inventoryEventTypes].sort()).toEqual(['OrderPlaced', 'ProductAdded', 'StockAdjusted']);
  });
});

describe('Products fold', () => {
  it('adds, renames and reprices', () => {
    const state = foldProducts(
      productAdded('a', 'Gadget', 100),
      productRenamed('a', 'Gadget Pro'),
      productRepriced('a', 250),
    );
    expect(state).toEqual(new Map([['a', { name: 'Gadget Pro', priceCents: 250 }]]));
  });

  it('ignores a rename or reprice of a product it never saw', () => {
    const state = foldProducts(productAdded('a', 'A', 1), productRenamed('ghost', 'Boo'), productRepriced('ghost', 5));
    expect([...state.keys()]).toEqual(['a']);
  });

  it('lets a second ProductAdded replace name and price', () => {
    expect(foldProducts(productAdded('a', 'A', 1), productAdded('a', 'A2', 2)).get('a')).toEqual({
      name: 'A2',
      priceCents: 2,
    });
  });

  it('ignores orders and stock events', () => {
    const state = foldProducts(
      productAdded('a', 'A', 1),
      stockAdjusted('a', 3),
      orderPlaced('o', [['a', 1]]),
      inventoryUpdated('a', 2),
    );
    expect(state).toEqual(new Map([['a', { name: 'A', priceCents: 1 }]]));
  });
});

describe('CustomerOrderSummary fold', () => {
  it('summarises an order with the product names at its position in the log', () => {
    const summaries = foldSummary(
      productAdded('prod_abc', 'Gadget Pro', 4999),
      productAdded('prod_xyz', 'Widget Mini', 5077),
      orderPlaced('ord_789', [
        ['prod_abc', 2, 4999],
        ['prod_xyz', 1, 5077],
      ]),
    );
    expect(summaries.get('ord_789')).toEqual({
      orderId: 'ord_789',
      customerId: 'cust_123',
      orderDate: NOW,
      totalCents: 15075,
      items: [
        { productId: 'prod_abc', productName: 'Gadget Pro', quantity: 2 },
        { productId: 'prod_xyz', productName: 'Widget Mini', quantity: 1 },
      ],
    });
  });

  it('gives an order placed after a rename the new name', () => {
    const summaries = foldSummary(
      productAdded('a', 'Old', 1),
      productRenamed('a', 'New'),
      orderPlaced('o1', [['a', 1]]),
    );
    expect(namesIn(summaries, 'o1')).toEqual(['New']);
  });

  it('updates every existing summary listing a product when it is renamed later, and no other', () => {
    const summaries = foldSummary(
      productAdded('a', 'Old', 1),
      productAdded('b', 'Bee', 1),
      orderPlaced('o1', [
        ['a', 1],
        ['b', 1],
      ]),
      orderPlaced('o2', [['a', 2]]),
      orderPlaced('o3', [['b', 2]]),
      productRenamed('a', 'New'),
    );
    expect(namesIn(summaries, 'o1')).toEqual(['New', 'Bee']);
    expect(namesIn(summaries, 'o2')).toEqual(['New']);
    expect(namesIn(summaries, 'o3')).toEqual(['Bee']);
  });

  it('shows null for a product that never existed, and fills it in once the product is added', () => {
    const before = foldSummary(orderPlaced('o1', [['late', 1]]));
    expect(namesIn(before, 'o1')).toEqual([null]);
    const after = foldSummary(orderPlaced('o1', [['late', 1]]), productAdded('late', 'Late Arrival', 1));
    expect(namesIn(after, 'o1')).toEqual(['Late Arrival']);
  });

  it('keeps null when a product the Products model never saw is renamed', () => {
    const summaries = foldSummary(orderPlaced('o1', [['ghost', 1]]), productRenamed('ghost', 'Boo'));
    expect(namesIn(summaries, 'o1')).toEqual([null]);
  });

  it('ignores a second OrderPlaced with the same orderId', () => {
    const summaries = foldSummary(
      productAdded('a', 'A', 100),
      orderPlaced('o1', [['a', 1]], 'cust_1'),
      orderPlaced('o1', [['a', 5]], 'cust_2'),
    );
    expect(summaries.size).toBe(1);
    expect(summaries.get('o1')).toMatchObject({ customerId: 'cust_1', totalCents: 100, items: [{ quantity: 1 }] });
  });

  it('does not change a summary on a reprice: the total was captured at order time', () => {
    const summaries = foldSummary(
      productAdded('a', 'A', 100),
      orderPlaced('o1', [
        ['a', 3],
        ['b', 1, 7],
      ]),
      productRepriced('a', 1),
    );
    expect(summaries.get('o1')?.totalCents).toBe(307);
  });

  it('ignores rejected orders', () => {
    expect(foldSummary(productAdded('a', 'A', 1), orderRejected('o1', 'a', 2, 0)).size).toBe(0);
  });
});

describe('oracle foldLog', () => {
  it('folds a small log into all three models and records the last sequence', () => {
    const state = foldLog(
      logOf(
        productAdded('prod_abc', 'Gadget Pro', 4999),
        stockAdjusted('prod_abc', 50),
        orderPlaced('ord_1', [['prod_abc', 2, 4999]]),
        orderRejected('ord_2', 'prod_abc', 100, 48),
        productRenamed('prod_abc', 'Gadget Pro 2'),
        inventoryUpdated('prod_abc', 48),
      ),
    );
    expect(state.lastSeq).toBe(6);
    expect(state.inventory).toEqual(new Map([['prod_abc', 48]]));
    expect(state.products).toEqual(new Map([['prod_abc', { name: 'Gadget Pro 2', priceCents: 4999 }]]));
    expect([...state.summaries.keys()]).toEqual(['ord_1']);
    expect(namesIn(state.summaries, 'ord_1')).toEqual(['Gadget Pro 2']);
  });

  it('names an order placed in the same log as its product', () => {
    // The summary reads Products after the event, so an order right after ProductAdded sees the name.
    const state = foldLog(logOf(productAdded('a', 'A', 1), orderPlaced('o', [['a', 1]])));
    expect(namesIn(state.summaries, 'o')).toEqual(['A']);
  });

  it('starts empty at sequence 0', () => {
    expect(foldLog([])).toEqual(emptyReferenceState());
    expect(emptyReferenceState().lastSeq).toBe(0);
  });

  it('takes lastSeq from the log even when sequences have gaps', () => {
    const log = logOf(productAdded('a', 'A', 1), stockAdjusted('a', 1)).map((p, i) => ({ ...p, seq: 10 * (i + 1) }));
    expect(foldLog(log).lastSeq).toBe(20);
  });
});

// ---- properties over random logs -------------------------------------------------------------------------------

const productId = fc.constantFrom('p1', 'p2', 'p3', 'p4');
const orderId = fc.constantFrom('o1', 'o2', 'o3', 'o4', 'o5');
const name = fc.constantFrom('Gadget', 'Widget', 'Gizmo', 'Doohickey');
const price = fc.integer({ min: 0, max: 10_000 });

const eventArb: fc.Arbitrary<DomainEvent> = fc.oneof(
  fc.tuple(productId, name, price).map(([p, n, c]) => productAdded(p, n, c)),
  fc.tuple(productId, name).map(([p, n]) => productRenamed(p, n)),
  fc.tuple(productId, price).map(([p, c]) => productRepriced(p, c)),
  fc.tuple(productId, fc.integer({ min: -20, max: 50 })).map(([p, d]) => stockAdjusted(p, d)),
  fc
    .tuple(
      orderId,
      fc.array(fc.tuple(productId, fc.integer({ min: 1, max: 5 }), price), { minLength: 1, maxLength: 3 }),
    )
    .map(([o, lines]) => orderPlaced(o, lines)),
  fc.tuple(orderId, productId).map(([o, p]) => orderRejected(o, p, 3, 1)),
  fc.tuple(productId, fc.integer({ min: -5, max: 50 })).map(([p, q]) => inventoryUpdated(p, q)),
);

const logArb: fc.Arbitrary<Positioned[]> = fc.array(eventArb, { maxLength: 40 }).map((events) => logOf(...events));

function foldIncrementally(state: ReferenceState, log: readonly Positioned[]): ReferenceState {
  for (const { seq, envelope } of log) foldEvent(state, seq, envelope);
  return state;
}

describe('oracle properties', () => {
  it('is deterministic: the same log, even after an encode/decode trip, folds to a deep-equal state', () => {
    fc.assert(
      fc.property(logArb, (log) => {
        const replayed = log.map(({ seq, envelope }) => {
          const decoded = decodeEnvelope(encodeEnvelope(envelope));
          if (!decoded.ok) throw new Error(decoded.error);
          return { seq, envelope: decoded.value };
        });
        expect(foldLog(replayed)).toEqual(foldLog(log));
      }),
    );
  });

  it('folding a prefix, then the suffix incrementally, equals folding the whole log', () => {
    fc.assert(
      fc.property(logArb, fc.nat(), (log, cut) => {
        const at = log.length === 0 ? 0 : cut % (log.length + 1);
        const incremental = foldIncrementally(foldLog(log.slice(0, at)), log.slice(at));
        expect(incremental).toEqual(foldLog(log));
      }),
    );
  });

  it('inventory is the sum of adjustments minus ordered quantities, for every product either mentions or adds', () => {
    fc.assert(
      fc.property(logArb, (log) => {
        const expected = new Map<string, number>();
        const bump = (p: string, by: number) => expected.set(p, (expected.get(p) ?? 0) + by);
        for (const { envelope } of log) {
          const e = envelope.data;
          if (e.type === 'ProductAdded') bump(e.productId, 0);
          if (e.type === 'StockAdjusted') bump(e.productId, e.delta);
          if (e.type === 'OrderPlaced') for (const l of e.items) bump(l.productId, -l.quantity);
        }
        expect(foldLog(log).inventory).toEqual(expected);
      }),
    );
  });

  it('every summary shows, for each line, the name the Products model holds now (or null)', () => {
    fc.assert(
      fc.property(logArb, (log) => {
        const { products, summaries } = foldLog(log);
        for (const row of summaries.values()) {
          for (const item of row.items) expect(item.productName).toBe(products.get(item.productId)?.name ?? null);
        }
      }),
    );
  });

  it('summarises each distinct orderId once, from its first OrderPlaced', () => {
    fc.assert(
      fc.property(logArb, (log) => {
        const first = new Map<string, DomainEvent & { type: 'OrderPlaced' }>();
        for (const { envelope } of log) {
          const e = envelope.data;
          if (e.type === 'OrderPlaced' && !first.has(e.orderId)) first.set(e.orderId, e);
        }
        const { summaries } = foldLog(log);
        expect([...summaries.keys()].sort()).toEqual([...first.keys()].sort());
        for (const [id, e] of first) {
          const row = summaries.get(id);
          expect(row?.totalCents).toBe(e.totalCents);
          expect(row?.customerId).toBe(e.customerId);
          expect(row?.items.map((i) => [i.productId, i.quantity])).toEqual(
            e.items.map((l) => [l.productId, l.quantity]),
          );
        }
      }),
    );
  });

  it('OrderRejected and InventoryUpdated only move lastSeq', () => {
    const inert = fc.oneof(
      fc.tuple(orderId, productId).map(([o, p]) => orderRejected(o, p, 2, 0)),
      fc.tuple(productId, fc.integer()).map(([p, q]) => inventoryUpdated(p, q)),
    );
    fc.assert(
      fc.property(logArb, inert, fc.nat(), (log, extra, where) => {
        const at = where % (log.length + 1);
        const events = log.map((p) => p.envelope.data);
        const withExtra = foldLog(logOf(...events.slice(0, at), extra, ...events.slice(at)));
        const without = foldLog(log);
        expect({ ...withExtra, lastSeq: 0 }).toEqual({ ...without, lastSeq: 0 });
        expect(withExtra.lastSeq).toBe(log.length + 1);
      }),
    );
  });

  it('products holds exactly the products that were ever added', () => {
    fc.assert(
      fc.property(logArb, (log) => {
        const added = new Set(
          log.flatMap(({ envelope: { data: e } }) => (e.type === 'ProductAdded' ? [e.productId] : [])),
        );
        expect(new Set(foldLog(log).products.keys())).toEqual(added);
      }),
    );
  });
});
