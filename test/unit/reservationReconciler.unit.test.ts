/**
 * The reservation reconciler machine on the virtual clock: the real inventory store (stock ledger, reservations) and
 * order store in in-memory SQLite, and the real order service answering the fate question over the simulated
 * broker. A reservation held past its hold time is released when its order was never placed, confirmed when it
 * was, and left held while nobody can answer.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { orderServiceMachine } from '../../src/actors/orderService.js';
import { reservationReconcilerMachine } from '../../src/actors/reservationReconciler.js';
import { ORDER_FATES_SUBJECT, type ReservationTimings } from '../../src/domain/reservations.js';
import { silentLogger } from '../../src/log/logger.js';
import { InventoryStore } from '../../src/store/inventoryStore.js';
import { OrderStore } from '../../src/store/orderStore.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { createSimTransport } from '../../src/transport/sim/simTransport.js';
import { startSimHarness, type SimHarness } from '../helpers/simHarness.js';
import { envOf, orderPlaced, productAdded, stockAdjusted } from './fixtures.js';

const timings: ReservationTimings = { holdMs: 3_000, reconcileEveryMs: 500 };

async function reconcilerRig() {
  const sim = await startSimHarness();
  const inventory = new InventoryStore(openDatabase(':memory:'));
  inventory.record([envOf(productAdded('p', 'Lamp', 1_000), 'evt_add'), envOf(stockAdjusted('p', 10), 'evt_stock')]);
  const orders = new OrderStore(openDatabase(':memory:'));
  const reserve = (orderId: string, quantity: number) =>
    expect(
      inventory.check({ orderId, reserve: true, items: [{ productId: 'p', quantity }] }, sim.clock.now()).reserved,
    ).toBe(true);
  const place = (orderId: string, quantity: number) =>
    orders.savePlaced(envOf(orderPlaced(orderId, [['p', quantity]]), `evt_${orderId}`));
  const reconciler = createActor(reservationReconcilerMachine, {
    clock: sim.clock,
    input: {
      ledger: inventory.reservations,
      transport: sim.transport,
      clock: sim.clock,
      timings,
      requestTimeoutMs: 1_000,
      log: silentLogger(),
    },
  });
  return {
    sim,
    inventory,
    orders,
    reserve,
    place,
    reconciler,
    startOrderService: () => startOrderService(sim, orders),
  };
}

/** The order service on its own connection: it answers the fate question from its write model. */
function startOrderService(sim: SimHarness, store: OrderStore) {
  let id = 0;
  const input = {
    store,
    transport: createSimTransport(sim.broker, { name: 'orders' }),
    log: silentLogger(),
    maxInFlight: 4,
    checkTimeoutMs: 1_000,
    inventoryMode: 'reserve' as const,
    newId: () => `${++id}`,
    now: () => sim.isoNow(),
    onCommitted: () => undefined,
  };
  return createActor(orderServiceMachine, { clock: sim.clock, input }).start();
}

describe('reservation reconciler', () => {
  it('after the hold time, releases the stock of an order never placed and confirms that of a placed one; not a moment before', async () => {
    const r = await reconcilerRig();
    r.startOrderService();
    r.reserve('ord_lost', 3);
    r.reserve('ord_kept', 4);
    r.place('ord_kept', 4);
    r.reconciler.start();
    expect(r.inventory.ledgerAvailable('p')).toBe(3);

    await r.sim.clock.advance(timings.holdMs - 1);
    expect(r.inventory.reservations.heldOrders()).toEqual(['ord_kept', 'ord_lost']);
    expect(r.inventory.ledgerAvailable('p')).toBe(3);
    // Rounds at 0, 500, …, 2500 ms: none found a reservation old enough to ask about.
    expect(r.reconciler.getSnapshot().context).toMatchObject({
      rounds: 6,
      released: 0,
      confirmed: 0,
      lastProblem: undefined,
    });

    await r.sim.clock.advance(1);
    expect(r.reconciler.getSnapshot().context).toMatchObject({ rounds: 7, released: 1, confirmed: 1 });
    expect(r.inventory.reservations.heldOrders()).toEqual([]);
    expect(r.inventory.ledgerAvailable('p')).toBe(6);
    expect(r.inventory.reservations.activeByProduct()).toEqual(new Map([['p', 4]]));
    // "Voided" is a promise: the order service can never commit the released order now.
    expect(() => r.place('ord_lost', 3)).toThrow(/voided/);
    r.reconciler.stop();
  });

  it('asks about a reservation only once it has been held for the hold time: 1 ms short, it stays held', async () => {
    const r = await reconcilerRig();
    r.startOrderService();
    r.reconciler.start();
    await r.sim.clock.advance(2_001);
    r.reserve('ord_young', 2); // held from 2001 ms; rounds come every 500 ms

    await r.sim.clock.advance(2_999 + 499); // past the round at 5000 ms, when it was held 2999 ms
    expect(r.inventory.reservations.heldOrders()).toEqual(['ord_young']);
    expect(r.inventory.ledgerAvailable('p')).toBe(8);
    await r.sim.clock.advance(1); // the round at 5500 ms
    expect(r.inventory.reservations.heldOrders()).toEqual([]);
    expect(r.inventory.ledgerAvailable('p')).toBe(10);
    expect(r.reconciler.getSnapshot().context).toMatchObject({ released: 1, confirmed: 0 });
    r.reconciler.stop();
  });

  it('keeps the stock held while nobody answers the fate question, and releases it once the order service is back', async () => {
    const r = await reconcilerRig();
    r.reserve('ord_lost', 3);
    r.reconciler.start();

    await r.sim.clock.advance(10_000);
    const { context } = r.reconciler.getSnapshot();
    expect(context.lastProblem).toBe(`request ${ORDER_FATES_SUBJECT}: nobody serves this subject`);
    expect(context).toMatchObject({ released: 0, rounds: 6 }); // the rounds before the hold time ran out
    expect(r.inventory.reservations.heldOrders()).toEqual(['ord_lost']);
    expect(r.inventory.ledgerAvailable('p')).toBe(7);

    r.startOrderService();
    await r.sim.clock.advance(timings.reconcileEveryMs);
    expect(r.reconciler.getSnapshot().context).toMatchObject({ released: 1, lastProblem: undefined });
    expect(r.inventory.ledgerAvailable('p')).toBe(10);
    r.reconciler.stop();
  });

  it('settles nothing on an answer it cannot read: an unknown fate, or an order it did not ask about', async () => {
    const r = await reconcilerRig();
    const encoder = new TextEncoder();
    // A foreign responder on the subject (not the order service): its answers must not release anything.
    r.sim.transport.serve(ORDER_FATES_SUBJECT, () =>
      Promise.resolve(encoder.encode(JSON.stringify({ fates: { ord_lost: 'misplaced', ord_other: 'voided' } }))),
    );
    r.reserve('ord_lost', 3);
    r.reconciler.start();

    await r.sim.clock.advance(timings.holdMs + timings.reconcileEveryMs);
    expect(r.reconciler.getSnapshot().context).toMatchObject({
      rounds: 8,
      released: 0,
      confirmed: 0,
      lastProblem: undefined,
    });
    expect(r.inventory.reservations.heldOrders()).toEqual(['ord_lost']);
    expect(r.inventory.ledgerAvailable('p')).toBe(7);
    r.reconciler.stop();
  });
});
