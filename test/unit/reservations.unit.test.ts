import { describe, expect, it } from 'vitest';
import { envelop } from '../../src/domain/envelope.js';
import type { OrderPlaced } from '../../src/domain/events.js';
import { checkReservations, strandedReservations } from '../../src/scenarios/reservationCheck.js';
import { InventoryStore } from '../../src/store/inventoryStore.js';
import { OrderStore } from '../../src/store/orderStore.js';
import { openDatabase } from '../../src/store/sqlite.js';

// Reserve mode's reservations have an owner and an end: held at the check, settled by the order's fate, released
// only on the order service's word that the order will never be placed.

const meta = (eventId: string) => ({ eventId, occurredAt: '2026-01-01T00:00:00.000Z', causationId: 'cmd' });

function stocked(quantities: Record<string, number>): InventoryStore {
  const store = new InventoryStore(openDatabase(':memory:'));
  for (const [productId, quantity] of Object.entries(quantities)) {
    store.record([
      envelop({ type: 'ProductAdded', productId, name: productId, priceCents: 100 }, meta(`add-${productId}`)),
      envelop(
        { type: 'StockAdjusted', adjustmentId: `adj-${productId}`, productId, delta: quantity, reason: 'in' },
        meta(`adj-${productId}`),
      ),
    ]);
  }
  return store;
}

const reserve = (store: InventoryStore, orderId: string, items: [string, number][], nowMs = 0) =>
  store.check(
    { orderId, reserve: true, items: items.map(([productId, quantity]) => ({ productId, quantity })) },
    nowMs,
  );

function placed(orderId: string, items: [string, number][]) {
  const data: OrderPlaced = {
    type: 'OrderPlaced',
    orderId,
    customerId: 'c',
    orderDate: '2026-01-01T00:00:00.000Z',
    shippingAddress: 'a',
    items: items.map(([productId, quantity]) => ({ productId, quantity, unitPriceCents: 100 })),
    totalCents: 0,
  };
  return envelop(data, meta(`evt-${orderId}`));
}

describe('ReservationLedger', () => {
  it('holds stock per product, a product on two lines with its total, and a repeated check holds nothing twice', () => {
    const store = stocked({ a: 5, b: 1 });
    expect(
      reserve(
        store,
        'o1',
        [
          ['a', 2],
          ['a', 2],
          ['b', 1],
        ],
        1_000,
      ).reserved,
    ).toBe(true);
    expect(
      reserve(
        store,
        'o1',
        [
          ['a', 2],
          ['a', 2],
          ['b', 1],
        ],
        1_500,
      ).reserved,
    ).toBe(true);
    expect([store.ledgerAvailable('a'), store.ledgerAvailable('b')]).toEqual([1, 0]);
    expect(
      reserve(store, 'o2', [
        ['a', 1],
        ['a', 1],
      ]).reserved,
    ).toBe(false); // 2 asked in all, 1 left
    expect(store.reservations.heldOrders()).toEqual(['o1']);
    expect(store.reservations.activeByProduct()).toEqual(
      new Map([
        ['a', 4],
        ['b', 1],
      ]),
    );
  });

  it('asks only about reservations held since the cutoff', () => {
    const store = stocked({ a: 10 });
    reserve(store, 'early', [['a', 1]], 1_000);
    reserve(store, 'late', [['a', 1]], 5_000);
    expect(store.reservations.heldSince(4_000, 100)).toEqual(['early']);
    expect(store.reservations.heldSince(5_000, 100)).toEqual(['early', 'late']);
    expect(store.reservations.heldSince(5_000, 1)).toEqual(['early']);
  });

  it('confirms a placed order’s stock and gives back the stock of one that will never be placed', () => {
    const store = stocked({ a: 10, b: 3 });
    reserve(store, 'kept', [['a', 4]]);
    reserve(store, 'lost', [
      ['a', 3],
      ['b', 3],
    ]);
    expect([store.ledgerAvailable('a'), store.ledgerAvailable('b')]).toEqual([3, 0]);
    expect(
      store.reservations.settle(
        new Map([
          ['kept', 'placed'],
          ['lost', 'voided'],
        ]),
      ),
    ).toEqual({ confirmed: 1, released: 1 });
    expect([store.ledgerAvailable('a'), store.ledgerAvailable('b')]).toEqual([6, 3]);
    expect(store.reservations.heldOrders()).toEqual([]);
    expect(store.reservations.activeByProduct()).toEqual(new Map([['a', 4]]));
    // Settling again changes nothing: released stock is not given back twice, a confirmed reservation stays.
    expect(
      store.reservations.settle(
        new Map([
          ['kept', 'voided'],
          ['lost', 'voided'],
        ]),
      ),
    ).toEqual({ confirmed: 0, released: 0 });
    expect([store.ledgerAvailable('a'), store.ledgerAvailable('b')]).toEqual([6, 3]);
  });

  it('upgrades a data directory from before reservations had an end: old rows become held, to be settled', () => {
    const db = openDatabase(':memory:');
    db.exec(
      `CREATE TABLE reservations (order_id TEXT NOT NULL, product_id TEXT NOT NULL, quantity INTEGER NOT NULL, PRIMARY KEY (order_id, product_id))`,
    );
    db.exec(`INSERT INTO reservations VALUES ('old', 'a', 2)`);
    const store = new InventoryStore(db);
    expect(store.reservations.heldSince(0, 10)).toEqual(['old']);
  });
});

describe('OrderStore.fates', () => {
  it('answers placed and rejected from the write model, and voids an order it does not have, for good', async () => {
    const store = new OrderStore(openDatabase(':memory:'));
    store.savePlaced(placed('ord_1', [['a', 1]]));
    expect(store.fates(['ord_1', 'ord_gone'])).toEqual(
      new Map([
        ['ord_1', 'placed'],
        ['ord_gone', 'voided'],
      ]),
    );
    // The voided order can never be committed afterwards: its reservation may already be released.
    expect(() => store.savePlaced(placed('ord_gone', [['a', 1]]))).toThrow(/voided/);
    await expect(store.savePlacedGrouped(placed('ord_gone', [['a', 1]]))).rejects.toThrow(/voided/);
    expect(store.placedAmong(['ord_1', 'ord_gone'])).toEqual(new Set(['ord_1']));
    expect(store.fates(['ord_gone'])).toEqual(new Map([['ord_gone', 'voided']]));
  });
});

describe('checkReservations (noStrandedReservations)', () => {
  const log = (...orders: ReturnType<typeof placed>[]) => orders.map((envelope, i) => ({ seq: i + 1, envelope }));

  it('balances when every reserved unit belongs to a placed order, held or confirmed', () => {
    const inventory = stocked({ a: 10 });
    const orders = new OrderStore(openDatabase(':memory:'));
    reserve(inventory, 'o1', [['a', 2]]);
    reserve(inventory, 'o2', [['a', 3]]);
    orders.savePlaced(placed('o1', [['a', 2]]));
    orders.savePlaced(placed('o2', [['a', 3]]));
    inventory.reservations.settle(new Map([['o1', 'placed']])); // o2 still held: its order is placed all the same
    expect(
      checkReservations('reserve', inventory, orders, log(placed('o1', [['a', 2]]), placed('o2', [['a', 3]]))),
    ).toEqual({ mode: 'reserve', strandedOrders: 0, mismatches: [] });
  });

  it('finds stock held for an order that was never placed, and the units it keeps from the books', () => {
    const inventory = stocked({ a: 10, b: 5 });
    const orders = new OrderStore(openDatabase(':memory:'));
    reserve(inventory, 'o1', [['a', 2]]);
    reserve(inventory, 'ghost', [
      ['a', 1],
      ['b', 4],
    ]);
    orders.savePlaced(placed('o1', [['a', 2]]));
    expect(strandedReservations(inventory, orders)).toEqual(['ghost']);
    expect(checkReservations('reserve', inventory, orders, log(placed('o1', [['a', 2]])))).toEqual({
      mode: 'reserve',
      strandedOrders: 1,
      mismatches: ['a: 3 reserved, 2 in placed orders', 'b: 4 reserved, 0 in placed orders'],
    });
  });

  it('has nothing to say in check mode', () => {
    expect(checkReservations('check', stocked({}), new OrderStore(openDatabase(':memory:')), [])).toEqual({
      mode: 'check',
      strandedOrders: 0,
      mismatches: [],
    });
  });
});
