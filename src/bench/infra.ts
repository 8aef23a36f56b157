/**
 * Shared pieces of the benches: a private nats-server on a temp dir (loopback only), realistic event payloads, a
 * pipelined publisher with a bounded window, and a peak-RSS sampler.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelop, encodeEnvelope } from '../domain/envelope.js';
import { subjectFor, type InventoryUpdated, type OrderPlaced, type ProductAdded } from '../domain/events.js';
import { connectJetStream } from '../transport/jetstream/jetstreamTransport.js';
import { brokerPidFileOf, brokerStoreOf, createOwnedTempDir, removeOwnedTempDir } from '../process/ownedTempDir.js';
import { startNatsServer, type NatsServerProcess } from '../transport/natsServerProcess.js';
import type { OutgoingEvent, Transport } from '../transport/port.js';

export interface PrivateBroker {
  readonly server: NatsServerProcess;
  readonly transport: Transport;
  /** A temp dir for this bench's SQLite files (removed by `stop`). */
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** A fresh nats-server (file storage, one replica: the stream's defaults) and a connected transport. */
export async function privateBroker(name: string): Promise<PrivateBroker> {
  // As a scenario run's: an owned dir and a guarded broker, so an interrupted or killed bench leaves nothing behind.
  const dir = createOwnedTempDir(`cqrs-bench-${name}-`);
  let server: NatsServerProcess | undefined;
  try {
    server = await startNatsServer({ storeDir: brokerStoreOf(dir), pidFile: brokerPidFileOf(dir), detach: true });
    const transport = await connectJetStream({ servers: server.url, name: `bench-${name}` });
    await transport.provisionStream();
    const started = server;
    return {
      server,
      transport,
      dataDir: join(dir, 'data'),
      async stop() {
        await transport.close();
        await started.stop();
        removeOwnedTempDir(dir);
      },
    };
  } catch (err: unknown) {
    await server?.stop();
    removeOwnedTempDir(dir);
    throw err;
  }
}

export const BENCH_PRODUCTS = 16;
export const productId = (i: number): string => `prod_${String(i % BENCH_PRODUCTS).padStart(4, '0')}`;

export function productAddedEvent(i: number): OutgoingEvent {
  const data: ProductAdded = {
    type: 'ProductAdded',
    productId: productId(i),
    name: `Bench product ${i}`,
    priceCents: 1000 + i,
  };
  const eventId = `bench-product-${i}`;
  return {
    subject: subjectFor('ProductAdded'),
    msgId: eventId,
    data: encodeEnvelope(envelop(data, { eventId, occurredAt: new Date(0).toISOString(), causationId: eventId })),
  };
}

/** An OrderPlaced shaped like the ones the order service writes (two lines, uuid-like ids): the payload size is real. */
export function orderPlacedEvent(run: string, i: number): OutgoingEvent {
  const orderId = `ord_${run}-${String(i).padStart(12, '0')}-4a1b-9c2d`;
  const data: OrderPlaced = {
    type: 'OrderPlaced',
    orderId,
    customerId: `cust_${i % 1000}`,
    orderDate: new Date(1_700_000_000_000 + i).toISOString(),
    shippingAddress: '123 Main St, Springfield',
    items: [
      { productId: productId(i), quantity: 2, unitPriceCents: 6250 },
      { productId: productId(i + 1), quantity: 1, unitPriceCents: 2575 },
    ],
    totalCents: 15075,
  };
  const eventId = `${run}-${String(i).padStart(12, '0')}-0000-4000-8000-000000000000`;
  return {
    subject: subjectFor('OrderPlaced'),
    msgId: eventId,
    data: encodeEnvelope(envelop(data, { eventId, occurredAt: data.orderDate, causationId: `cmd-${eventId}` })),
  };
}

/** An InventoryUpdated as the inventory view derives it from an order line: the other two events of an order. */
export function inventoryUpdatedEvent(run: string, i: number, line: number): OutgoingEvent {
  const sourceEventId = `${run}-${String(i).padStart(12, '0')}-0000-4000-8000-000000000000`;
  const eventId = `${sourceEventId}:${productId(i + line)}`;
  const data: InventoryUpdated = {
    type: 'InventoryUpdated',
    productId: productId(i + line),
    availableQuantity: 1_000_000 - i,
    sourceEventId,
  };
  return {
    subject: subjectFor('InventoryUpdated'),
    msgId: eventId,
    data: encodeEnvelope(
      envelop(data, { eventId, occurredAt: new Date(1_700_000_000_000 + i).toISOString(), causationId: sourceEventId }),
    ),
  };
}

/** Publishes `count` events with at most `window` un-acked publishes in flight. Returns the wall time taken, ms. */
export async function pipelinedPublish(
  transport: Transport,
  count: number,
  window: number,
  make: (i: number) => OutgoingEvent,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await transport.publish(make(i), { timeoutMs: 30_000 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, () => worker()));
  return performance.now() - started;
}

/** Samples this process's RSS every `everyMs`; `peakMb()` is the highest seen (and now). */
export function rssSampler(everyMs = 100): { peakMb(): number; phasePeakMb(): number; stop(): void } {
  let peak = process.memoryUsage.rss();
  let phasePeak = peak;
  const timer = setInterval(() => {
    const now = process.memoryUsage.rss();
    peak = Math.max(peak, now);
    phasePeak = Math.max(phasePeak, now);
  }, everyMs);
  timer.unref();
  const mb = (bytes: number) => bytes / (1024 * 1024);
  return {
    peakMb: () => mb(Math.max(peak, process.memoryUsage.rss())),
    /** Peak since the previous call (or the start), then starts a new phase. */
    phasePeakMb: () => {
      const p = mb(Math.max(phasePeak, process.memoryUsage.rss()));
      phasePeak = process.memoryUsage.rss();
      return p;
    },
    stop: () => clearInterval(timer),
  };
}

/** Polls `condition` every `everyMs` until it holds; throws after `timeoutMs` naming `what`. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() >= deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * CPU time (user + system) used so far, ms: this process from Node, another (the broker) from /proc on Linux
 * (NaN where there is no /proc). Clock ticks are taken as 100 per second, Linux's USER_HZ on every common build.
 */
export function cpuMs(pid?: number): number {
  if (pid === undefined) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export const perSecond = (count: number, ms: number): number => (count * 1000) / Math.max(ms, 1e-3);
