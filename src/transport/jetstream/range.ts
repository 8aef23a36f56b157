/** Reading the stream without a durable: ranges, single messages, stream state. */
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { EVENT_STREAM, TransportError, type StoredEvent, type StreamInfo } from '../port.js';
import type { AdapterContext } from './context.js';
import { toTransportError } from './errors.js';
import { pull } from './pull.js';

/**
 * Default messages per pull request. Measured on 2.9.10 (2 shared cores, 100k events): 1k per pull ≈ 50–78k msg/s,
 * 5k ≈ 87–108k msg/s; the pull round trip and its wake-up are what a bigger batch amortises.
 */
export const defaultReadPullBatch = 5_000;
/** A no_wait pull of one batch from a local broker takes milliseconds; this only bounds a hung one. */
const readPullDeadlineMs = 10_000;
/** If we die mid-read, the broker removes the reader by itself after this. */
const readerInactiveMs = 30_000;

/**
 * An ephemeral ack-none pull consumer starting at `fromSeq`, drained with no_wait pulls: delivery is in stream order,
 * and a no_wait pull ends with a 404 exactly at the end of the stream, so no expiry is ever waited out.
 * (2.9 has no batched direct get; one direct get per message measured ≈ 25k msg/s.)
 */
export async function readRange(ctx: AdapterContext, fromSeq: number, max: number): Promise<StoredEvent[]> {
  const what = `readRange ${fromSeq}+${max}`;
  if (max < 1) return [];
  ctx.hub.requireConnected(what);
  let reader: string;
  try {
    const ci = await ctx.jsm.consumers.add(EVENT_STREAM, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, Math.floor(fromSeq)),
      mem_storage: true,
      inactive_threshold: nanos(readerInactiveMs),
    });
    reader = ci.name;
  } catch (err: unknown) {
    throw toTransportError(err, what, ctx.hub.current);
  }
  try {
    return await drainReader(ctx, reader, max, what);
  } finally {
    await ctx.jsm.consumers.delete(EVENT_STREAM, reader).catch((err: unknown) => {
      ctx.log.warn({ err, reader }, 'could not delete range reader; it expires by itself');
    });
  }
}

async function drainReader(ctx: AdapterContext, reader: string, max: number, what: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let lastConsumerSeq = 0;
  while (out.length < max) {
    const batch = Math.min(ctx.readPullBatch, max - out.length);
    const result = await pull(ctx.nc, ctx.hub, {
      stream: EVENT_STREAM,
      consumer: reader,
      batch,
      expiresMs: 0,
      deadlineMs: readPullDeadlineMs,
    });
    for (const m of result.msgs) {
      // Ack-none delivery sequences are contiguous; a hole means a message was lost in transit.
      if (m.consumerSeq !== lastConsumerSeq + 1) {
        throw new TransportError('unavailable', `${what}: delivery gap after stream seq ${out.at(-1)?.seq ?? 0}`);
      }
      lastConsumerSeq = m.consumerSeq;
      out.push({ seq: m.seq, subject: m.subject, data: m.data, timestampMs: m.timestampMs, msgId: m.msgId });
    }
    const end = result.end;
    switch (end.kind) {
      case 'complete':
        continue;
      case 'drained':
        return out;
      case 'consumer-deleted':
      case 'shutdown':
      case 'conflict':
      case 'disconnected':
      case 'deadline':
        throw new TransportError('unavailable', `${what}: read interrupted (${JSON.stringify(end)})`);
      case 'error':
        throw toTransportError(end.err, what, ctx.hub.current);
      default: {
        const unexpected: never = end;
        throw new Error(`unhandled pull end ${JSON.stringify(unexpected)}`);
      }
    }
  }
  return out;
}

export async function getEvent(ctx: AdapterContext, seq: number): Promise<StoredEvent | undefined> {
  const what = `getEvent ${seq}`;
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  ctx.hub.requireConnected(what);
  try {
    const m = await ctx.jsm.streams.getMessage(EVENT_STREAM, { seq });
    if (m === null) return undefined;
    const msgId = m.header.get('Nats-Msg-Id');
    return {
      seq: m.seq,
      subject: m.subject,
      data: m.data,
      timestampMs: m.time.getTime(),
      msgId: msgId === '' ? undefined : msgId,
    };
  } catch (err: unknown) {
    throw toTransportError(err, what, ctx.hub.current);
  }
}

export async function streamInfo(ctx: AdapterContext): Promise<StreamInfo> {
  ctx.hub.requireConnected('streamInfo');
  try {
    const { state } = await ctx.jsm.streams.info(EVENT_STREAM);
    const lastTs = Date.parse(state.last_ts);
    return {
      firstSeq: state.first_seq,
      lastSeq: state.last_seq,
      messages: state.messages,
      // An empty stream reports year 1; say 0 instead.
      lastTimestampMs: state.last_seq > 0 && lastTs > 0 ? lastTs : 0,
    };
  } catch (err: unknown) {
    throw toTransportError(err, 'streamInfo', ctx.hub.current);
  }
}
