import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActor, type Actor } from 'xstate';
import { projectionConsumerMachine } from '../../src/actors/projectionConsumer.js';
import type { InventoryUpdated } from '../../src/domain/events.js';
import { silentLogger } from '../../src/log/logger.js';
import { readEventLog } from '../../src/scenarios/eventLog.js';
import { readInventoryModel, readProductsModel } from '../../src/store/readModelState.js';
import { ProjectionStore } from '../../src/store/projectionStore.js';
import { openDatabase, type Db } from '../../src/store/sqlite.js';
import { productInventoryView } from '../../src/store/views/productInventoryView.js';
import { productsView } from '../../src/store/views/productsView.js';
import {
  EVENT_SUBJECTS,
  TransportError,
  type Delivery,
  type DurableConsumer,
  type Transport,
} from '../../src/transport/port.js';
import { fastSettings, publishAll, startBareStream, type BareStream } from '../helpers/streamHarness.js';
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
import { orderPlaced, productAdded, productRenamed, stockAdjusted } from '../unit/fixtures.js';

const ACK_WAIT_MS = 800;

/**
 * Fetches until `n` deliveries came (redeliveries trickle in as each ack-wait timer fires), bounded by `timeoutMs`.
 * A pull the broker does not end in time surfaces as TransportError('unavailable') although the link is up (seen on a
 * CPU-starved machine); the consumer actor backs off and pulls again, and so does this.
 */
async function fetchN(
  transport: Transport,
  consumer: DurableConsumer,
  n: number,
  timeoutMs = 5_000,
): Promise<Delivery[]> {
  const got: Delivery[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < n && Date.now() < deadline) {
    try {
      got.push(...(await consumer.fetch(n - got.length, 250)));
    } catch (error) {
      if (!(error instanceof TransportError && error.kind === 'unavailable' && transport.status() === 'connected'))
        throw error;
    }
  }
  return got.sort((a, b) => a.seq - b.seq);
}

/**
 * Sequence and whether the broker handed it over before. (The exact count is not asserted: on a loaded machine a
 * redelivery can be missed in transit and come once more.)
 */
const seqAndKind = (ds: readonly Delivery[]) => ds.map((d) => [d.seq, d.deliveryCount > 1 ? 'redelivered' : 'first']);

/** InventoryUpdated rows a ProductInventory view appended to its database's outbox. */
function outboxUpdates(db: Db): InventoryUpdated[] {
  const rows = db
    .prepare("SELECT payload FROM outbox WHERE subject = 'shop.inventory.updated' ORDER BY id")
    .pluck()
    .all() as Buffer[];
  return rows.map((p) => (JSON.parse(p.toString('utf8')) as { data: InventoryUpdated }).data);
}

describe('a redelivered event does not change a view twice: one durable consumer driven by hand', () => {
  let bare: BareStream;
  beforeEach(async () => {
    bare = await startBareStream();
  });
  afterEach(async () => bare?.stop());

  const durable = (name: string) =>
    bare.transport.durableConsumer({
      durable: name,
      filterSubject: EVENT_SUBJECTS,
      ackWaitMs: ACK_WAIT_MS,
      maxAckPending: 100,
    });

  it('ProductInventory: a batch committed but never acked comes back redelivered (deliveryCount > 1) and is skipped as duplicates', async () => {
    await publishAll(bare.transport, [
      productAdded('p1', 'Lamp', 1_000),
      stockAdjusted('p1', 10),
      orderPlaced('o1', [['p1', 3]]),
      productRenamed('p1', 'Lamp XL'),
    ]);
    const { db, store } = bare.openProjection('inventory.db', productInventoryView);
    const consumer = await durable('redeliver-inventory');

    const first = await fetchN(bare.transport, consumer, 4);
    expect(first.map((d) => d.seq)).toEqual([1, 2, 3, 4]);
    expect(store.applyBatch(first)).toEqual({ checkpoint: 4, applied: 3, ignored: 1, duplicates: 0, parked: 0 });
    const view = readInventoryModel(db);
    expect(view.state).toEqual(new Map([['p1', 7]]));
    expect(outboxUpdates(db).map((u) => u.availableQuantity)).toEqual([10, 7]);
    // Crash after the commit, before the acks: nothing is acknowledged.

    // Meanwhile the stream grows; the new events arrive at once, the old ones after ack-wait.
    await publishAll(bare.transport, [orderPlaced('o2', [['p1', 2]]), stockAdjusted('p1', 5)]);
    const second = await fetchN(bare.transport, consumer, 6, 5 * ACK_WAIT_MS);
    expect(second.map((d) => d.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seqAndKind(second.slice(0, 4))).toEqual([
      [1, 'redelivered'],
      [2, 'redelivered'],
      [3, 'redelivered'],
      [4, 'redelivered'],
    ]);
    const result = store.applyBatch(second);
    expect(result).toEqual({ checkpoint: 6, applied: 2, ignored: 0, duplicates: 4, parked: 0 });
    for (const d of second) d.ack();

    // 10 - 3 - 2 + 5: the order of the redelivered batch was taken once, not twice.
    expect(readInventoryModel(db)).toEqual({ checkpoint: 6, state: new Map([['p1', 10]]) });
    expect(outboxUpdates(db).map((u) => u.availableQuantity)).toEqual([10, 7, 5, 10]);
    await eventually(async () => (await consumer.info()).ackPending === 0, { what: 'acks reached the broker' });
    expect(await consumer.info()).toMatchObject({ ackPending: 0, pending: 0, ackFloorSeq: 6 });
  });

  it('Products: an old rename redelivered after a newer one was applied does not revert the name', async () => {
    await publishAll(bare.transport, [productAdded('p1', 'Lamp', 1_000), productRenamed('p1', 'Lamp XL')]);
    const { db, store } = bare.openProjection('products.db', productsView);
    const consumer = await durable('redeliver-products');

    const first = await fetchN(bare.transport, consumer, 2);
    expect(store.applyBatch(first)).toMatchObject({ checkpoint: 2, applied: 2 });
    // not acked

    const [newer] = await publishAll(bare.transport, [productRenamed('p1', 'Lamp Pro')]);
    const fresh = await fetchN(bare.transport, consumer, 1);
    expect(fresh.map((d) => d.seq)).toEqual([newer]); // well within ack-wait: the new event, not yet the old ones
    expect(store.applyBatch(fresh)).toMatchObject({ checkpoint: 3, applied: 1, duplicates: 0 });
    for (const d of fresh) d.ack();
    expect(readProductsModel(db).state.get('p1')).toEqual({ name: 'Lamp Pro', priceCents: 1_000 });

    const redelivered = await fetchN(bare.transport, consumer, 2, 5 * ACK_WAIT_MS);
    expect(seqAndKind(redelivered)).toEqual([
      [1, 'redelivered'],
      [2, 'redelivered'],
    ]);
    expect(store.applyBatch(redelivered)).toEqual({ checkpoint: 3, applied: 0, ignored: 0, duplicates: 2, parked: 0 });
    for (const d of redelivered) d.ack();
    expect(readProductsModel(db)).toEqual({
      checkpoint: 3,
      state: new Map([['p1', { name: 'Lamp Pro', priceCents: 1_000 }]]),
    });
  });
});

/** The real transport, except that while `drop.on` every ack is swallowed: a consumer that "crashes" before acking. */
function droppingAcks(transport: Transport, drop: { on: boolean; dropped: number }): Transport {
  return {
    ...transport,
    durableConsumer: async (spec) => {
      const real = await transport.durableConsumer(spec);
      return {
        info: () => real.info(),
        fetch: async (max, expiresMs) =>
          (await real.fetch(max, expiresMs)).map((d): Delivery => ({
            ...d,
            ack: () => {
              if (drop.on) drop.dropped++;
              else d.ack();
            },
          })),
      };
    },
  };
}

describe('a redelivered event does not change a view twice: the running system', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
    await addProduct(t.system, 'p1', 'Lamp', 1_000, 5_000);
    await addProduct(t.system, 'p2', 'Desk', 5_000, 5_000);
    await quiesced(t);
  });
  afterAll(async () => t?.stop());

  async function placeMany(n: number, from = 0): Promise<void> {
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        placeOrder(
          t.system,
          order(`cust_${(from + i) % 7}`, [
            ['p1', 1 + ((from + i) % 3)],
            ['p2', 1],
          ]),
        ),
      ),
    );
    expect(outcomes.map((o) => o.kind)).toEqual(outcomes.map(() => 'placed'));
  }

  it('a consumer that committed but never acked, then crashed and restarted, ends equal to the oracle (no double decrement)', async () => {
    let copy: Db | undefined;
    const actors: Actor<typeof projectionConsumerMachine>[] = [];
    try {
      copy = openDatabase(join(t.dataDir, 'inventory-copy.db'));
      const store = new ProjectionStore(copy, productInventoryView, {
        maxDeliveries: 5,
        now: () => new Date().toISOString(),
      });
      const drop = { on: true, dropped: 0 };
      const transport = droppingAcks(t.transport, drop);
      const settings = fastSettings({ ackWaitMs: 1_000 });
      const start = () => {
        const actor = createActor(projectionConsumerMachine, {
          input: { name: 'inventory-copy', transport, store, settings, log: silentLogger() },
        });
        actors.push(actor);
        actor.start();
        return actor;
      };

      const first = start();
      await placeMany(20);
      await quiesced(t);
      const { lastSeq } = await t.transport.streamInfo();
      await eventually(() => store.checkpoint() === lastSeq, { what: 'the copy applied everything once' });
      const { oracle } = await oracleAndModels(t);
      expect(readInventoryModel(copy).state).toEqual(oracle.inventory);
      const updatesBefore = outboxUpdates(copy);
      const info = await first.getSnapshot().context.consumer?.info();
      expect(drop.dropped).toBeGreaterThanOrEqual(lastSeq);
      expect(info?.ackFloorSeq).toBe(0); // the broker never heard an ack

      first.stop(); // the crash
      drop.on = false;
      const second = start();
      let seen: unknown;
      await eventually(
        async () => {
          const i = await second.getSnapshot().context.consumer?.info();
          seen = {
            info: i,
            state: second.getSnapshot().value,
            checkpoint: store.checkpoint(),
            lastSeq: (await t.transport.streamInfo()).lastSeq,
            problem: second.getSnapshot().context.lastProblem,
          };
          return i?.ackPending === 0 && i.ackFloorSeq === lastSeq;
        },
        { what: 'the restarted consumer acked every redelivery', timeoutMs: 10_000 },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; last seen ${JSON.stringify(seen)}`);
      });

      const { counters } = second.getSnapshot().context;
      expect(counters.applied + counters.ignored).toBe(0);
      expect(counters.duplicates).toBeGreaterThanOrEqual(lastSeq);
      expect(counters.redeliveries).toBeGreaterThanOrEqual(lastSeq);
      expect(store.checkpoint()).toBe(lastSeq);
      expect(readInventoryModel(copy).state).toEqual(oracle.inventory);
      expect(outboxUpdates(copy)).toEqual(updatesBefore); // no second InventoryUpdated for any source event
    } finally {
      for (const a of actors) a.stop();
      copy?.close();
    }
  });

  it('a summary consumer stopped while it waits in-process for Products writes nothing more until started again', async () => {
    const { products, 'customer-order-summary': summary } = t.system.readModels;
    await quiesced(t);
    products.consumer.send({ type: 'STOP' });
    await placeMany(1, 300);
    await eventually(() => t.system.orderStore.outbox.backlog() === 0, { what: 'the order is in the stream' });
    const log = await readEventLog(t.transport);
    const orderSeq = log.entries.findLast((e) => e.envelope.data.type === 'OrderPlaced')?.seq ?? -1;
    // The summary fetched the order at once and now waits (within its batch, well under a second) for Products.
    await new Promise((r) => setTimeout(r, 150));
    expect(summary.store.checkpoint()).toBe(orderSeq - 1);
    expect(summary.consumer.getSnapshot().matches('pulling')).toBe(true);

    summary.consumer.send({ type: 'STOP' });
    products.consumer.send({ type: 'START' });
    await eventually(() => products.store.checkpoint() >= orderSeq, { what: 'Products caught up' });
    await new Promise((r) => setTimeout(r, 400));
    expect(summary.consumer.getSnapshot().value).toBe('stopped');
    expect(summary.store.checkpoint()).toBe(orderSeq - 1); // stopped means stopped

    summary.consumer.send({ type: 'START' });
    await quiesced(t);
    const { oracle, summaries } = await oracleAndModels(t);
    expect(summaries).toEqual(oracle.summaries);
  });

  it('the system’s consumers stopped mid-stream and started again converge to the oracle', async () => {
    const consumers = Object.values(t.system.readModels);
    const base = t.system.orderStore.counts().placed;
    const batch = placeMany(30, 100);
    await eventually(() => t.system.orderStore.counts().placed >= base + 5, { what: 'the first orders committed' });
    for (const m of consumers) m.consumer.send({ type: 'STOP' });
    const frozen = consumers.map((m) => m.store.checkpoint());
    await batch;
    await placeMany(10, 200);
    await eventually(() => t.system.orderStore.outbox.backlog() === 0, { what: 'the new orders are in the stream' });
    await new Promise((r) => setTimeout(r, 300));
    expect(consumers.map((m) => m.consumer.getSnapshot().value)).toEqual(consumers.map(() => 'stopped'));
    expect(consumers.map((m) => m.store.checkpoint())).toEqual(frozen);
    expect((await t.transport.streamInfo()).lastSeq).toBeGreaterThan(Math.max(...frozen));

    for (const m of consumers) m.consumer.send({ type: 'START' });
    await quiesced(t);
    const { oracle, inventory, products, summaries } = await oracleAndModels(t);
    expect(inventory).toEqual(oracle.inventory);
    expect(products).toEqual(oracle.products);
    expect(summaries).toEqual(oracle.summaries);
    expect(summaries.size).toBe(t.system.orderStore.counts().placed);

    // One InventoryUpdated per (source event, product), whatever was redelivered.
    const log = await readEventLog(t.transport);
    const keys = log.entries.flatMap((e) =>
      e.envelope.data.type === 'InventoryUpdated'
        ? [`${e.envelope.data.sourceEventId}/${e.envelope.data.productId}`]
        : [],
    );
    const lines = log.entries.reduce(
      (n, e) =>
        n +
        (e.envelope.data.type === 'OrderPlaced'
          ? e.envelope.data.items.length
          : e.envelope.data.type === 'StockAdjusted'
            ? 1
            : 0),
      0,
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(lines);
  });
});
