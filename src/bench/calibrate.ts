import {
  inventoryUpdatedEvent,
  orderPlacedEvent,
  perSecond,
  pipelinedPublish,
  privateBroker,
  waitUntil,
} from './infra.js';
import type { BenchSizes } from './sizes.js';
import { brokerStoreOf, createOwnedTempDir, removeOwnedTempDir } from '../process/ownedTempDir.js';
import { connectJetStream } from '../transport/jetstream/jetstreamTransport.js';
import { startNatsCluster } from '../transport/natsCluster.js';
import { EVENT_SUBJECTS, type DurableConsumer } from '../transport/port.js';

export interface Calibration {
  /** Pipelined async publishes per second (window `publishWindow`), real OrderPlaced payloads. */
  readonly R_pub: number;
  /** Durable pull consumer, empty handler, every message acked: messages per second. */
  readonly R_cons: number;
  /** Ordered read of the stream from seq 1 (the adapter's readRange), empty handler: messages per second. */
  readonly R_drain: number;
  readonly payloadBytes: number;
  /**
   * The design's own ceiling, measured: orders/s when every order publishes its three events (an OrderPlaced and
   * two InventoryUpdated) and three durable consumers with empty handlers take and ack every event, all at once.
   * No SQLite, no actors: what a testbed that cost nothing would reach on this broker.
   */
  readonly R_pipeline_orders: number;
  /** R_pub again, on a 3-node cluster on this machine with the stream on 3 replicas (each publish acked by a quorum). */
  readonly R_pub_r3: number;
}

/** Fetches (256 at a time) and acks until `total` messages were taken: the empty handler of the calibration. */
async function takeAll(consumer: DurableConsumer, total: number, who: string, timeoutMs: number): Promise<void> {
  let taken = 0;
  await waitUntil(
    `${who} to take every message`,
    async () => {
      const batch = await consumer.fetch(256, 250);
      for (const d of batch) d.ack();
      taken += batch.length;
      return taken >= total;
    },
    timeoutMs,
    0,
  );
}

/** Events per order and consumers of each, as the system has them (e2e measures events_per_order: 3). */
const PIPELINE_EVENTS_PER_ORDER = 3;
const PIPELINE_CONSUMERS = 3;

async function pipelineCeiling(sizes: BenchSizes): Promise<number> {
  const broker = await privateBroker('pipeline');
  try {
    const { transport } = broker;
    const orders = Math.max(1, Math.floor(sizes.calibrationEvents / PIPELINE_EVENTS_PER_ORDER));
    const total = orders * PIPELINE_EVENTS_PER_ORDER;
    const consumers = await Promise.all(
      Array.from({ length: PIPELINE_CONSUMERS }, (_, c) =>
        transport.durableConsumer({
          durable: `bench-pipe-${c}`,
          filterSubject: EVENT_SUBJECTS,
          ackWaitMs: 30_000,
          maxAckPending: 1_024,
        }),
      ),
    );
    const started = performance.now();
    const consumed = consumers.map((consumer, c) =>
      takeAll(consumer, total, `pipeline consumer ${c}`, sizes.phaseTimeoutMs),
    );
    const event = (k: number) => {
      const order = Math.floor(k / PIPELINE_EVENTS_PER_ORDER),
        part = k % PIPELINE_EVENTS_PER_ORDER;
      return part === 0 ? orderPlacedEvent('pipe', order) : inventoryUpdatedEvent('pipe', order, part);
    };
    await Promise.all([pipelinedPublish(transport, total, sizes.publishWindow, event), ...consumed]);
    return perSecond(orders, performance.now() - started);
  } finally {
    await broker.stop();
  }
}

/** The ceiling the rest is compared with: the same client and the same adapter, no SQLite, no actors. */
export async function calibrate(sizes: BenchSizes): Promise<Calibration> {
  const broker = await privateBroker('calibrate');
  let raw: Omit<Calibration, 'R_pipeline_orders' | 'R_pub_r3'>;
  try {
    const { transport } = broker;
    const n = sizes.calibrationEvents;
    const payloadBytes = orderPlacedEvent('cal', 0).data.byteLength;
    const pubMs = await pipelinedPublish(transport, n, sizes.publishWindow, (i) => orderPlacedEvent('cal', i));

    const consumer = await transport.durableConsumer({
      durable: 'bench-cons',
      filterSubject: EVENT_SUBJECTS,
      ackWaitMs: 30_000,
      maxAckPending: 1_024,
    });
    const consStart = performance.now();
    await takeAll(consumer, n, 'the calibration consumer', sizes.phaseTimeoutMs);
    const consMs = performance.now() - consStart;

    let drained = 0;
    const drainStart = performance.now();
    await waitUntil(
      'the calibration drain to read every message',
      async () => {
        const batch = await transport.readRange(drained + 1, 5_000);
        drained += batch.length;
        return drained >= n || batch.length === 0;
      },
      sizes.phaseTimeoutMs,
      0,
    );
    const drainMs = performance.now() - drainStart;
    if (drained < n) throw new Error(`bench: drain read ${drained} of ${n} messages`);
    raw = {
      R_pub: perSecond(n, pubMs),
      R_cons: perSecond(n, consMs),
      R_drain: perSecond(drained, drainMs),
      payloadBytes,
    };
  } finally {
    await broker.stop();
  }
  return { ...raw, R_pipeline_orders: await pipelineCeiling(sizes), R_pub_r3: await replicatedPublishRate(sizes) };
}

/** The same pipelined publish to a private 3-node cluster whose stream has a replica on each node. */
async function replicatedPublishRate(sizes: BenchSizes): Promise<number> {
  const dir = createOwnedTempDir('cqrs-bench-r3-');
  try {
    const cluster = await startNatsCluster({ size: 3, storeDir: brokerStoreOf(dir), detach: true });
    try {
      const transport = await connectJetStream({ servers: cluster.url, name: 'bench-r3', streamReplicas: 3 });
      try {
        await transport.provisionStream();
        const n = sizes.calibrationEvents;
        const ms = await pipelinedPublish(transport, n, sizes.publishWindow, (i) => orderPlacedEvent('r3', i));
        return perSecond(n, ms);
      } finally {
        await transport.close();
      }
    } finally {
      await cluster.stop();
    }
  } finally {
    removeOwnedTempDir(dir);
  }
}
