import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite.js';
import { eventually } from '../helpers/eventually.js';
import { addProduct, order, placeOrder, startTestSystem, type TestSystem } from '../helpers/systemHarness.js';

// Reserve mode on a real nats-server and real SQLite files: a reservation whose order never commits — the order
// service crashed in between, or (here) the whole process was killed there and the data directory is reopened —
// is released once the order service says the order will never be placed, and no sooner.

const timings = { holdMs: 300, reconcileEveryMs: 100 };
let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('reservations (reserve mode, real NATS)', () => {
  it('releases the stock an order held when the order service died before committing it', async () => {
    let crashes = 1;
    running = await startTestSystem({
      inventoryMode: 'reserve',
      reservations: timings,
      orderHooks: { crashBeforeCommit: () => crashes-- > 0 },
    });
    const { system } = running;
    await addProduct(system, 'p', 'P', 100, 3);
    const lost = await placeOrder(system, order('c1', [['p', 3]]));
    expect(lost.kind).toBe('unavailable');
    expect(system.inventoryStore.ledgerAvailable('p')).toBe(0); // held for an order that does not exist
    await eventually(() => system.inventoryStore.ledgerAvailable('p') === 3, {
      what: 'the reconciler released the stranded units',
    });
    expect(system.inventoryStore.reservations.heldOrders()).toEqual([]);
    const kept = await placeOrder(system, order('c2', [['p', 3]]));
    expect(kept.kind).toBe('placed');
    await eventually(
      () =>
        system.inventoryStore.reservations.heldOrders().length === 0 &&
        system.inventoryStore.ledgerAvailable('p') === 0,
      { what: 'the placed order’s reservation confirmed' },
    );
  });

  it('settles at start what a killed process left held: the order service voids the order it never committed', async () => {
    const first = await startTestSystem({
      inventoryMode: 'reserve',
      reservations: { holdMs: 3_600_000, reconcileEveryMs: 100 },
    });
    running = first;
    await addProduct(first.system, 'p', 'P', 100, 5);
    expect((await placeOrder(first.system, order('c1', [['p', 2]]))).kind).toBe('placed');
    await first.stopSystem();
    // What a kill -9 between reservation and commit leaves on disk: a held reservation, no order.
    const inventoryDb = openDatabase(`${first.dataDir}/inventory.db`);
    inventoryDb.exec(
      "INSERT INTO reservations (order_id, product_id, quantity, state, reserved_at_ms) VALUES ('ord_killed', 'p', 3, 'held', 0)",
    );
    inventoryDb.exec("UPDATE stock_ledger SET reserved_total = reserved_total + 3 WHERE product_id = 'p'");
    inventoryDb.close();
    running = await startTestSystem(
      { inventoryMode: 'reserve', reservations: timings },
      { broker: first.broker, dataDir: first.dataDir },
    );
    const { system } = running;
    await eventually(() => system.inventoryStore.ledgerAvailable('p') === 3, {
      what: 'the killed order’s units released at start',
    });
    expect(system.orderStore.fates(['ord_killed']).get('ord_killed')).toBe('voided');
    expect(system.inventoryStore.reservations.activeByProduct()).toEqual(new Map([['p', 2]]));
  });

  it('keeps the stock held while the order service cannot answer: no release without its word', async () => {
    running = await startTestSystem({ inventoryMode: 'reserve', reservations: timings });
    const { system } = running;
    await addProduct(system, 'p', 'P', 100, 2);
    system.orderService.stop(); // its process is gone: nobody answers the reconciler
    expect(
      system.inventoryStore.check({ orderId: 'ord_x', reserve: true, items: [{ productId: 'p', quantity: 2 }] }, 0)
        .reserved,
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(system.inventoryStore.ledgerAvailable('p')).toBe(0); // never released without the order service's word
    expect(system.reconciler?.getSnapshot().context.lastProblem).toMatch(/./);
  });
});
