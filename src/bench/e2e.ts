/**
 * The whole system on a private nats-server and SQLite files: orders through the order service actor (validate,
 * inventory check, SQLite commit with outbox, publish) until every read model has caught up; the same through HTTP
 * next to a bare route of the same server; then a consumer outage with a known backlog and its catch-up.
 */
import { DEFAULT_CONSUMER_SETTINGS } from '../actors/consumerSettings.js';
import { startSystem, type RunningSystem } from '../system/startSystem.js';
import type { PlaceOrder } from '../domain/commands.js';
import { READ_MODELS } from '../domain/readModels.js';
import { buildHttpServer } from '../http/server.js';
import { silentLogger } from '../log/logger.js';
import type { Transport } from '../transport/port.js';
import { BENCH_PRODUCTS, cpuMs, perSecond, privateBroker, productId, waitUntil } from './infra.js';
import { loadLoop } from './loadLoop.js';
import type { BenchSizes } from './sizes.js';
import { systemPort, type SystemPort } from '../system/systemPort.js';

export interface EndToEnd {
  readonly e2e_orders_per_s: number;
  readonly http_orders_per_s: number;
  readonly bare_requests_per_s: number;
  readonly convergence_backlog_events: number;
  readonly convergence_ms: number;
  readonly ack_wait_ms: number;
  /** Orders not placed (busy, unavailable, rejected) in the actor run plus HTTP non-201s: should be 0. */
  readonly not_placed: number;
  /** Events per stream message batch each read model applied over the actor run, and outbox rows per relay round. */
  readonly events_per_batch: Readonly<Record<string, number>>;
  /** Events the stream gained per order in the actor run (OrderPlaced plus the InventoryUpdated it causes). */
  readonly events_per_order: number;
  /** CPU per order over the actor run, ms: the testbed process (actors, SQLite, client) and the broker. */
  readonly cpu_ms_per_order: { readonly testbed: number; readonly broker: number };
}

function batchSizes(system: RunningSystem): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of READ_MODELS) {
    const c = system.readModels[m].consumer.getSnapshot().context.counters;
    out[m] = (c.applied + c.ignored + c.duplicates) / Math.max(1, c.batches);
  }
  for (const [name, relay] of Object.entries(system.relays)) {
    const c = relay.getSnapshot().context;
    out[`${name}-outbox`] = c.published / Math.max(1, c.rounds);
  }
  return out;
}

const ids = { newId: () => crypto.randomUUID(), now: () => new Date().toISOString() };
const command = (i: number): PlaceOrder => ({
  type: 'PlaceOrder', customerId: `cust_${i % 500}`, shippingAddress: '123 Main St, Springfield',
  items: [{ productId: productId(i), quantity: 1 }, { productId: productId(i + 7), quantity: 2 }],
});

async function caughtUp(system: RunningSystem, transport: Transport, models: readonly string[] = READ_MODELS): Promise<boolean> {
  if (system.orderStore.outbox.backlog() > 0 || system.inventoryStore.outbox.backlog() > 0) return false;
  const { lastSeq } = await transport.streamInfo();
  return READ_MODELS.filter((m) => models.includes(m)).every((m) => system.readModels[m].store.checkpoint() >= lastSeq);
}

async function placeMany(port: SystemPort, from: number, count: number, concurrency: number): Promise<number> {
  let next = from, notPlaced = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < from + count) {
      const outcome = await port.placeOrder(command(next++));
      if (outcome.kind !== 'placed') notPlaced++;
    }
  }));
  return notPlaced;
}

export async function endToEnd(sizes: BenchSizes): Promise<EndToEnd> {
  const broker = await privateBroker('e2e');
  const { transport } = broker;
  const system = await startSystem({ transport, log: silentLogger(), dataDir: broker.dataDir, ...ids });
  const app = buildHttpServer(system, silentLogger(), ids);
  const port = systemPort(system, ids);
  app.get('/bench/bare', () => ({ ok: true }));
  try {
    for (let i = 0; i < BENCH_PRODUCTS; i++) {
      const added = await port.inventoryCommand({ type: 'AddProduct', productId: productId(i), name: `Bench ${i}`, priceCents: 1000 + i });
      const stocked = await port.inventoryCommand({ type: 'AdjustStock', productId: productId(i), delta: 1_000_000_000, reason: 'bench stock' });
      if (added.kind !== 'done' || stocked.kind !== 'done') throw new Error(`bench: seeding ${productId(i)} failed`);
    }
    const settle = (what: string, models?: readonly string[]) => waitUntil(what, () => caughtUp(system, transport, models), sizes.phaseTimeoutMs);
    await settle('the seeded catalogue');
    // Warm-up (JIT, SQLite page cache, consumers' first pulls); not timed.
    let notPlaced = await placeMany(port, 0, Math.min(200, sizes.e2eOrders), sizes.concurrency);
    await settle('the warm-up');

    let base = 1_000_000;
    const seqBefore = (await transport.streamInfo()).lastSeq;
    const cpuBefore = { testbed: cpuMs(), broker: cpuMs(broker.server.pid) };
    const actorStart = performance.now();
    notPlaced += await placeMany(port, base, sizes.e2eOrders, sizes.concurrency);
    await settle('every read model after the actor run');
    const e2eMs = performance.now() - actorStart;
    const cpuPerOrder = {
      testbed: (cpuMs() - cpuBefore.testbed) / sizes.e2eOrders,
      broker: (cpuMs(broker.server.pid) - cpuBefore.broker) / sizes.e2eOrders,
    };
    const eventsPerOrder = ((await transport.streamInfo()).lastSeq - seqBefore) / sizes.e2eOrders;
    const eventsPerBatch = batchSizes(system);

    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    base = 2_000_000;
    const http = await loadLoop({ url: `${url}/orders`, method: 'POST', body: (i) => JSON.stringify(command(base + i)), requests: sizes.e2eOrders, concurrency: sizes.concurrency, timeoutMs: 30_000 });
    await settle('every read model after the HTTP run');
    const httpMs = performance.now() - actorStart - e2eMs;
    notPlaced += sizes.e2eOrders - (http.statuses[201] ?? 0);
    const bare = await loadLoop({ url: `${url}/bench/bare`, method: 'GET', requests: sizes.bareRequests, concurrency: sizes.concurrency, timeoutMs: 30_000 });

    // Convergence after heal: the summary is stopped while a known backlog builds, then restarted.
    const summary = system.readModels['customer-order-summary'];
    summary.consumer.send({ type: 'STOP' });
    await waitUntil('the summary consumer to stop', () => summary.consumer.getSnapshot().matches('stopped'), 10_000);
    notPlaced += await placeMany(port, 3_000_000, sizes.convergenceOrders, sizes.concurrency);
    await settle('the other read models during the summary outage', ['product-inventory', 'products']);
    const { lastSeq } = await transport.streamInfo();
    const backlog = lastSeq - summary.store.checkpoint();
    const healStart = performance.now();
    summary.consumer.send({ type: 'START' });
    await waitUntil('the summary to converge after restart', () => summary.store.checkpoint() >= lastSeq, sizes.phaseTimeoutMs, 1);
    const convergenceMs = performance.now() - healStart;

    return {
      e2e_orders_per_s: perSecond(sizes.e2eOrders, e2eMs),
      http_orders_per_s: perSecond(http.statuses[201] ?? 0, httpMs),
      bare_requests_per_s: perSecond(bare.statuses[200] ?? 0, bare.ms),
      convergence_backlog_events: backlog,
      convergence_ms: convergenceMs,
      ack_wait_ms: DEFAULT_CONSUMER_SETTINGS.ackWaitMs,
      not_placed: notPlaced,
      events_per_batch: eventsPerBatch,
      events_per_order: eventsPerOrder,
      cpu_ms_per_order: cpuPerOrder,
    };
  } finally {
    await app.close();
    await system.stop();
    await broker.stop();
  }
}
