import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderServiceOutcome } from '../../src/actors/orderService.js';
import type { RunningSystem } from '../../src/system/startSystem.js';
import type { InventoryCheckReply } from '../../src/domain/inventoryCheck.js';
import { decidePlaceOrder } from '../../src/domain/order.js';
import { readEventLog } from '../../src/scenarios/eventLog.js';
import { eventually } from '../helpers/eventually.js';
import {
  addProduct,
  oracleAndModels,
  order,
  placeOrder,
  startTestSystem,
  type TestSystem,
} from '../helpers/systemHarness.js';
import { quiesced } from '../helpers/quiescence.js';

const PRICES = { p1: 1_000, p2: 2_500 } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Commits an accepted order straight into the write model (order rows + outbox row, one transaction), decided by
 * the domain against a hand-made inventory answer: what the order service does, minus the request to the
 * inventory service, which needs the broker.
 */
function commitDirectly(
  system: RunningSystem,
  customerId: string,
  productId: keyof typeof PRICES,
  quantity: number,
): string {
  const orderId = `ord_direct_${randomUUID()}`;
  const check: InventoryCheckReply = {
    items: [{ productId, known: true, availableQuantity: 1_000_000, priceCents: PRICES[productId] }],
    reserved: false,
  };
  const meta = { commandId: `cmd_${randomUUID()}`, now: new Date().toISOString(), newId: () => randomUUID() };
  const decided = decidePlaceOrder(order(customerId, [[productId, quantity]]), orderId, check, meta);
  if (!decided.ok || decided.value.kind !== 'placed')
    throw new Error(`expected a placed decision, got ${JSON.stringify(decided)}`);
  system.orderStore.savePlaced(decided.value.event);
  return orderId;
}

const placedIds = (outcomes: readonly OrderServiceOutcome[]) =>
  outcomes.flatMap((o) => (o.kind === 'placed' ? [o.orderId] : []));

/**
 * The write model against the stream: every accepted order is announced by exactly one OrderPlaced carrying the
 * event id committed with it, and the stream announces no order the write model does not hold.
 */
async function expectEveryPlacedOrderPublishedOnce(t: TestSystem): Promise<number> {
  const log = await readEventLog(t.transport);
  const published = new Map<string, string[]>();
  for (const { envelope } of log.entries) {
    if (envelope.data.type !== 'OrderPlaced') continue;
    published.set(envelope.data.orderId, [...(published.get(envelope.data.orderId) ?? []), envelope.eventId]);
  }
  const committed = t.system.orderStore.placedOrders();
  expect(new Map(committed.map((o) => [o.orderId, [o.eventId]]))).toEqual(published);
  expect(log.undecodable).toEqual([]);

  // The inventory service's outbox went through the same outage: one InventoryUpdated per (source event, product).
  const updates = log.entries.flatMap((e) =>
    e.envelope.data.type === 'InventoryUpdated'
      ? [`${e.envelope.data.sourceEventId}/${e.envelope.data.productId}`]
      : [],
  );
  expect(new Set(updates).size).toBe(updates.length);
  return committed.length;
}

async function expectReadModelsEqualOracle(t: TestSystem, placed: number): Promise<void> {
  const { oracle, inventory, products, summaries } = await oracleAndModels(t);
  expect(inventory).toEqual(oracle.inventory);
  expect(products).toEqual(oracle.products);
  expect(summaries).toEqual(oracle.summaries);
  expect(summaries.size).toBe(placed);
}

describe('the outbox survives a broker outage: no loss, no duplicate (real nats-server, real SQLite files)', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
    await addProduct(t.system, 'p1', 'Lamp', PRICES.p1, 100_000);
    await addProduct(t.system, 'p2', 'Desk', PRICES.p2, 100_000);
    await quiesced(t);
  });
  afterAll(async () => t?.stop());

  it('orders committed but unpublished when the broker dies, and orders committed during the outage, are published once after restart', async () => {
    const { system, broker } = t;
    const before = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        placeOrder(
          system,
          order(`cust_${i}`, [
            ['p1', 1],
            ['p2', 1],
          ]),
        ),
      ),
    );
    expect(placedIds(before)).toHaveLength(5);
    await eventually(() => system.orderStore.outbox.backlog() === 0, { what: 'first orders published' });

    // Commit, then lose the broker before the relay publishes.
    system.relays.orders.send({ type: 'STOP' });
    const unpublished = await Promise.all(
      Array.from({ length: 10 }, (_, i) => placeOrder(system, order(`cust_${i}`, [['p1', 2]]))),
    );
    expect(placedIds(unpublished)).toHaveLength(10);
    expect(system.orderStore.outbox.backlog()).toBe(10);
    const { lastSeq: lastSeqBeforeOutage } = await t.transport.streamInfo();

    await broker.server.kill9();
    await eventually(() => t.transport.status() !== 'connected', { what: 'the transport noticed the outage' });

    // Accepted during the outage: through the order service (check mode decides against the last known
    // availability) and straight into the write model.
    const during = await Promise.all(
      Array.from({ length: 6 }, (_, i) => placeOrder(system, order(`cust_out_${i}`, [['p2', 1]]))),
    );
    expect(during.map((o) => o.kind)).toEqual(during.map(() => 'placed'));
    const direct = Array.from({ length: 4 }, (_, i) =>
      commitDirectly(system, `cust_direct_${i}`, i % 2 === 0 ? 'p1' : 'p2', 1 + i),
    );
    expect(system.orderStore.outbox.backlog()).toBe(20);

    // The relay runs again but cannot reach the broker: it backs off and keeps every row.
    system.relays.orders.send({ type: 'START' });
    await eventually(() => system.relays.orders.getSnapshot().context.failures >= 2, {
      what: 'relay failing and backing off',
    });
    expect(system.relays.orders.getSnapshot().context.backlog).toBe(20);
    expect(system.relays.orders.getSnapshot().context.lastProblem).toMatch(
      /unavailable|disconnected|reconnecting|closed/i,
    );
    expect(system.orderStore.outbox.backlog()).toBe(20);

    await broker.server.restart();
    await quiesced(t, 20_000);

    expect(system.orderStore.outbox.backlog()).toBe(0);
    expect(system.inventoryStore.outbox.backlog()).toBe(0);
    const log = await readEventLog(t.transport);
    const afterOutage = log.entries.filter(
      (e) => e.seq > lastSeqBeforeOutage && e.envelope.data.type === 'OrderPlaced',
    );
    const expected = [...placedIds(unpublished), ...placedIds(during), ...direct];
    expect(
      afterOutage.map((e) => (e.envelope.data.type === 'OrderPlaced' ? e.envelope.data.orderId : '')).sort(),
    ).toEqual(expected.sort());
    const placed = await expectEveryPlacedOrderPublishedOnce(t);
    expect(placed).toBe(25);
    await expectReadModelsEqualOracle(t, placed);
  });

  it('a kill -9 in the middle of a stream of concurrent orders loses no placed order and publishes none twice', async () => {
    const { system, broker } = t;
    const placedBefore = system.orderStore.counts().placed;
    const pending: Promise<OrderServiceOutcome>[] = [];
    const chaos = (async () => {
      await sleep(150);
      await broker.server.kill9();
      await sleep(600);
      await broker.server.restart();
    })();
    let submittedDuringOutage = 0;
    for (let i = 0; i < 120; i++) {
      pending.push(
        placeOrder(
          system,
          order(`cust_stream_${i % 9}`, [
            ['p1', 1 + (i % 2)],
            ['p2', 1],
          ]),
        ),
      );
      if (t.transport.status() !== 'connected') submittedDuringOutage++;
      await sleep(10);
    }
    await chaos;
    const outcomes = await Promise.all(pending);

    // Orders may be refused while the broker is away, never half-accepted: 'placed' means committed.
    expect(outcomes.filter((o) => o.kind !== 'placed' && o.kind !== 'unavailable')).toEqual([]);
    const accepted = placedIds(outcomes);
    expect(accepted.length).toBeGreaterThan(0);
    expect(submittedDuringOutage).toBeGreaterThan(0); // the crash really landed in the middle of the stream
    expect(system.orderStore.counts().placed).toBe(placedBefore + accepted.length);
    const committed = new Set(system.orderStore.placedOrders().map((o) => o.orderId));
    for (const id of accepted) expect(committed.has(id), id).toBe(true);

    await quiesced(t, 20_000);
    const placed = await expectEveryPlacedOrderPublishedOnce(t);
    expect(placed).toBe(placedBefore + accepted.length);
    await expectReadModelsEqualOracle(t, placed);
  });

  it('rows the broker stored but whose acks were lost are republished after a broker crash and stored once', async () => {
    const { system, broker } = t;
    await quiesced(t);
    const placed = placedIds(
      await Promise.all(Array.from({ length: 5 }, (_, i) => placeOrder(system, order(`cust_ack_${i}`, [['p2', 1]])))),
    );
    expect(placed).toHaveLength(5);
    await quiesced(t);
    const { lastSeq } = await t.transport.streamInfo();
    const duplicatesBefore = system.relays.orders.getSnapshot().context.duplicates;

    // The relay "died" after the broker stored these rows and before it marked them sent; then the broker crashed.
    system.relays.orders.send({ type: 'STOP' });
    const reset = system.orderStore.db
      .prepare('UPDATE outbox SET sent_at = NULL WHERE id IN (SELECT id FROM outbox ORDER BY id DESC LIMIT 5)')
      .run();
    expect(reset.changes).toBe(5);
    await broker.server.kill9();
    await broker.server.restart();
    system.relays.orders.send({ type: 'START' });

    await eventually(() => system.orderStore.outbox.backlog() === 0, { what: 'republished', timeoutMs: 20_000 });
    // The broker recognised every msg id (its dedupe window survived the crash) and stored nothing new.
    expect(system.relays.orders.getSnapshot().context.duplicates - duplicatesBefore).toBe(5);
    await quiesced(t, 20_000);
    expect((await t.transport.streamInfo()).lastSeq).toBe(lastSeq);
    const total = await expectEveryPlacedOrderPublishedOnce(t);
    await expectReadModelsEqualOracle(t, total);
  });
});
