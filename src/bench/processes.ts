/**
 * The multi-process topology under the same HTTP load as the single process (e2e.ts's HTTP run): five service
 * processes on a private nats-server, orders through the HTTP process's POST /orders until every read model has
 * applied them (their durable consumers' ack floors at the stream's end). What putting every service in its own
 * process, and every command and query on the broker, costs on this machine.
 */
import { DEFAULT_CONSUMER_SETTINGS } from '../actors/consumerSettings.js';
import { LIMITS } from '../domain/limits.js';
import { READ_MODELS } from '../domain/readModels.js';
import { silentLogger } from '../log/logger.js';
import { portOverNats } from '../system/portOverNats.js';
import { startServiceProcesses } from '../topology/startServiceProcesses.js';
import { EVENT_SUBJECTS, type Transport } from '../transport/port.js';
import { BENCH_PRODUCTS, perSecond, privateBroker, productId, waitUntil } from './infra.js';
import { benchOrder } from './e2e.js';
import { loadLoop } from './loadLoop.js';
import type { BenchSizes } from './sizes.js';

export interface ProcessesFigures {
  readonly processes_http_orders_per_s: number;
  readonly processes_not_placed: number;
}

/** OrderPlaced and one InventoryUpdated per line: two distinct products per order (i and i + 7 of 16). */
const EVENTS_PER_ORDER = 3;

export async function processesRun(sizes: BenchSizes): Promise<ProcessesFigures> {
  const broker = await privateBroker('processes');
  const options = { inventoryMode: 'check' as const, http: { host: '127.0.0.1', port: 0 }, logLevel: 'error' };
  try {
    const supervisor = await startServiceProcesses(
      { url: broker.server.url, replicas: 1 },
      broker.dataDir,
      options,
      silentLogger(),
    );
    try {
      const port = portOverNats(broker.transport);
      for (let i = 0; i < BENCH_PRODUCTS; i++) {
        const id = productId(i);
        await port.inventoryCommand({ type: 'AddProduct', productId: id, name: `Bench ${i}`, priceCents: 1000 + i });
        await port.inventoryCommand({
          type: 'AdjustStock',
          productId: id,
          delta: LIMITS.stockDeltaAbsMax,
          reason: 'bench',
        });
      }
      const url = supervisor.processes.find((p) => p.name === 'http')?.readyDetail ?? '';
      const settle = (what: string) => waitUntil(what, () => caughtUp(broker.transport), sizes.phaseTimeoutMs);
      await settle('the seeded catalogue');
      const post = (from: number, requests: number) =>
        loadLoop({
          url: `${url}/orders`,
          method: 'POST',
          body: (i) => JSON.stringify(benchOrder(from + i)),
          requests,
          concurrency: sizes.concurrency,
          timeoutMs: 30_000,
        });
      await post(0, Math.min(200, sizes.e2eOrders)); // warm-up, not timed
      await settle('the warm-up');
      const seqBefore = (await broker.transport.streamInfo()).lastSeq;
      const started = performance.now();
      const timed = await post(1_000_000, sizes.e2eOrders);
      const placed = timed.statuses[201] ?? 0;
      // Each order's events must be on the stream before "caught up" means anything: the outbox relays run in
      // other processes, a moment after the 201.
      const published = async () =>
        (await broker.transport.streamInfo()).lastSeq - seqBefore >= placed * EVENTS_PER_ORDER;
      await waitUntil('every order published', published, sizes.phaseTimeoutMs);
      await settle('every read model after the timed run');
      return {
        processes_http_orders_per_s: perSecond(placed, performance.now() - started),
        processes_not_placed: sizes.e2eOrders - placed,
      };
    } finally {
      await supervisor.stop();
    }
  } finally {
    await broker.stop();
  }
}

/** Every read model's durable consumer has acked the whole stream (they run in other processes: asked of the broker). */
async function caughtUp(transport: Transport): Promise<boolean> {
  const { lastSeq } = await transport.streamInfo();
  for (const durable of READ_MODELS) {
    // The consumer's own settings, so this handle changes nothing about it.
    const consumer = await transport.durableConsumer({
      durable,
      filterSubject: EVENT_SUBJECTS,
      ackWaitMs: DEFAULT_CONSUMER_SETTINGS.ackWaitMs,
      maxAckPending: DEFAULT_CONSUMER_SETTINGS.batchSize * 4,
    });
    const info = await consumer.info();
    if (info.pending > 0 || info.ackPending > 0 || info.ackFloorSeq < lastSeq) return false;
  }
  return true;
}
