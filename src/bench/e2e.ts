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
/** The bench's order number `i`: two lines of two distinct products of the 16 (so three events on the stream). */
export const benchOrder = (i: number): PlaceOrder => ({
  type: 'PlaceOrder',
  customerId: `cust_${i % 500}`,
  shippingAddress: '123 Main St, Springfield',
  items: [
    { productId: productId(i), quantity: 1 },
    { productId: productId(i + 7), quantity: 2 },
  ],
});

async function caughtUp(
  system: RunningSystem,
  transport: Transport,
  models: readonly string[] = READ_MODELS,
): Promise<boolean> {
  if (system.orderStore.outbox.backlog() > 0 || system.inventoryStore.outbox.backlog() > 0) return false;
  const { lastSeq } = await transport.streamInfo();
  return READ_MODELS.filter((m) => models.includes(m)).every((m) => system.readModels[m].store.checkpoint() >= lastSeq);
}

async function placeMany(port: SystemPort, from: number, count: number, concurrency: number): Promise<number> {
  let next = from,
    notPlaced = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < from + count) {
        const outcome = await port.placeOrder(benchOrder(next++));
        if (outcome.kind !== 'placed') notPlaced++;
      }
    }),
  );
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
    const bench: Bench = {
      system,
      transport,
      port,
      sizes,
      brokerPid: broker.server.pid,
      settle: (what, models) => waitUntil(what, () => caughtUp(system, transport, models), sizes.phaseTimeoutMs),
    };
    await seedCatalog(port);
    await bench.settle('the seeded catalogue');
    // Warm-up (JIT, SQLite page cache, consumers' first pulls); not timed.
    const warmUpNotPlaced = await placeMany(port, 0, Math.min(200, sizes.e2eOrders), sizes.concurrency);
    await bench.settle('the warm-up');
    const actor = await actorRun(bench);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const http = await httpRun(bench, url);
    const convergence = await convergenceAfterOutage(bench);
    return {
      e2e_orders_per_s: perSecond(sizes.e2eOrders, actor.ms),
      http_orders_per_s: http.ordersPerS,
      bare_requests_per_s: http.bareRequestsPerS,
      convergence_backlog_events: convergence.backlog,
      convergence_ms: convergence.ms,
      ack_wait_ms: DEFAULT_CONSUMER_SETTINGS.ackWaitMs,
      not_placed: warmUpNotPlaced + actor.notPlaced + http.notPlaced + convergence.notPlaced,
      events_per_batch: actor.eventsPerBatch,
      events_per_order: actor.eventsPerOrder,
      cpu_ms_per_order: actor.cpuPerOrder,
    };
  } finally {
    await app.close();
    await system.stop();
    await broker.stop();
  }
}

/** What the phases of the end-to-end bench share. */
interface Bench {
  readonly system: RunningSystem;
  readonly transport: Transport;
  readonly port: SystemPort;
  readonly sizes: BenchSizes;
  readonly brokerPid: number | undefined;
  /** Waits (bounded) until every read model (or the ones named) has applied the whole stream. */
  readonly settle: (what: string, models?: readonly string[]) => Promise<void>;
}

async function seedCatalog(port: SystemPort): Promise<void> {
  for (let i = 0; i < BENCH_PRODUCTS; i++) {
    const name = `Bench ${i}`;
    const added = await port.inventoryCommand({
      type: 'AddProduct',
      productId: productId(i),
      name,
      priceCents: 1000 + i,
    });
    const stocked = await port.inventoryCommand({
      type: 'AdjustStock',
      productId: productId(i),
      delta: 1_000_000_000,
      reason: 'bench stock',
    });
    if (added.kind !== 'done' || stocked.kind !== 'done') throw new Error(`bench: seeding ${productId(i)} failed`);
  }
}

/** Orders through the order service actor until every read model has caught up: throughput and CPU per order. */
async function actorRun(bench: Bench) {
  const { sizes, transport } = bench;
  const seqBefore = (await transport.streamInfo()).lastSeq;
  const cpuBefore = { testbed: cpuMs(), broker: cpuMs(bench.brokerPid) };
  const started = performance.now();
  const notPlaced = await placeMany(bench.port, 1_000_000, sizes.e2eOrders, sizes.concurrency);
  await bench.settle('every read model after the actor run');
  const ms = performance.now() - started;
  const cpuPerOrder = {
    testbed: (cpuMs() - cpuBefore.testbed) / sizes.e2eOrders,
    broker: (cpuMs(bench.brokerPid) - cpuBefore.broker) / sizes.e2eOrders,
  };
  const eventsPerOrder = ((await transport.streamInfo()).lastSeq - seqBefore) / sizes.e2eOrders;
  return { ms, notPlaced, cpuPerOrder, eventsPerOrder, eventsPerBatch: batchSizes(bench.system) };
}

/** The same orders through POST /orders until caught up, then a bare route of the same server as the yardstick. */
async function httpRun(bench: Bench, url: string) {
  const { sizes } = bench;
  const started = performance.now();
  const http = await loadLoop({
    url: `${url}/orders`,
    method: 'POST',
    body: (i) => JSON.stringify(benchOrder(2_000_000 + i)),
    requests: sizes.e2eOrders,
    concurrency: sizes.concurrency,
    timeoutMs: 30_000,
  });
  await bench.settle('every read model after the HTTP run');
  const httpMs = performance.now() - started;
  const bare = await loadLoop({
    url: `${url}/bench/bare`,
    method: 'GET',
    requests: sizes.bareRequests,
    concurrency: sizes.concurrency,
    timeoutMs: 30_000,
  });
  return {
    ordersPerS: perSecond(http.statuses[201] ?? 0, httpMs),
    bareRequestsPerS: perSecond(bare.statuses[200] ?? 0, bare.ms),
    notPlaced: sizes.e2eOrders - (http.statuses[201] ?? 0),
  };
}

/** Convergence after heal: the summary is stopped while a known backlog builds, then restarted. */
async function convergenceAfterOutage(bench: Bench) {
  const { system, transport, sizes } = bench;
  const summary = system.readModels['customer-order-summary'];
  summary.consumer.send({ type: 'STOP' });
  await waitUntil('the summary consumer to stop', () => summary.consumer.getSnapshot().matches('stopped'), 10_000);
  const notPlaced = await placeMany(bench.port, 3_000_000, sizes.convergenceOrders, sizes.concurrency);
  await bench.settle('the other read models during the summary outage', ['product-inventory', 'products']);
  const { lastSeq } = await transport.streamInfo();
  const backlog = lastSeq - summary.store.checkpoint();
  const healStart = performance.now();
  summary.consumer.send({ type: 'START' });
  const caughtUpAgain = () => summary.store.checkpoint() >= lastSeq;
  await waitUntil('the summary to converge after restart', caughtUpAgain, sizes.phaseTimeoutMs, 1);
  return { backlog, ms: performance.now() - healStart, notPlaced };
}
