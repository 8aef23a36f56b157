import { orderPlacedEvent, perSecond, pipelinedPublish, privateBroker, waitUntil } from './infra.js';
import type { BenchSizes } from './sizes.js';
import { EVENT_SUBJECTS } from '../transport/port.js';

export interface Calibration {
  /** Pipelined async publishes per second (window `publishWindow`), real OrderPlaced payloads. */
  readonly R_pub: number;
  /** Durable pull consumer, empty handler, every message acked: messages per second. */
  readonly R_cons: number;
  /** Ordered read of the stream from seq 1 (the adapter's readRange), empty handler: messages per second. */
  readonly R_drain: number;
  readonly payloadBytes: number;
}

/** The ceiling the rest is compared with: the same client and the same adapter, no SQLite, no actors. */
export async function calibrate(sizes: BenchSizes): Promise<Calibration> {
  const broker = await privateBroker('calibrate');
  try {
    const { transport } = broker;
    const n = sizes.calibrationEvents;
    const payloadBytes = orderPlacedEvent('cal', 0).data.byteLength;
    const pubMs = await pipelinedPublish(transport, n, sizes.publishWindow, (i) => orderPlacedEvent('cal', i));

    const consumer = await transport.durableConsumer({ durable: 'bench-cons', filterSubject: EVENT_SUBJECTS, ackWaitMs: 30_000, maxAckPending: 1_024 });
    let consumed = 0;
    const consStart = performance.now();
    await waitUntil('the calibration consumer to take every message', async () => {
      const batch = await consumer.fetch(256, 1_000);
      for (const d of batch) d.ack();
      consumed += batch.length;
      return consumed >= n;
    }, sizes.phaseTimeoutMs, 0);
    const consMs = performance.now() - consStart;

    let drained = 0;
    const drainStart = performance.now();
    await waitUntil('the calibration drain to read every message', async () => {
      const batch = await transport.readRange(drained + 1, 5_000);
      drained += batch.length;
      return drained >= n || batch.length === 0;
    }, sizes.phaseTimeoutMs, 0);
    const drainMs = performance.now() - drainStart;
    if (drained < n) throw new Error(`bench: drain read ${drained} of ${n} messages`);
    return { R_pub: perSecond(n, pubMs), R_cons: perSecond(n, consMs), R_drain: perSecond(drained, drainMs), payloadBytes };
  } finally {
    await broker.stop();
  }
}
