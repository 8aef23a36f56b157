/** Durable pull consumers: provisioning, fetch, and the ack verbs of a Delivery. */
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import {
  EVENT_STREAM,
  TransportError,
  type ConsumerInfo,
  type Delivery,
  type DurableConsumer,
  type DurableConsumerSpec,
} from '../port.js';
import type { AdapterContext } from './context.js';
import { toTransportError } from './errors.js';
import { pull, type PulledMsg } from './pull.js';

/** Added to `expiresMs` before we stop waiting for the broker's own end-of-request status. */
const pullGraceMs = 1_000;

export async function ensureDurable(ctx: AdapterContext, spec: DurableConsumerSpec): Promise<DurableConsumer> {
  ctx.hub.requireConnected(`durableConsumer ${spec.durable}`);
  const wanted = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    ack_wait: nanos(spec.ackWaitMs),
    max_ack_pending: spec.maxAckPending,
    // Never let the broker give up on a message: the consumer actor counts failures and parks to its own
    // dead-letter store. A broker-side max_deliver would drop the event silently.
    max_deliver: -1,
  };
  const log = ctx.log.child({ durable: spec.durable });
  try {
    const existing = await infoOrUndefined(ctx, spec.durable);
    if (existing === undefined) {
      await ctx.jsm.consumers.add(EVENT_STREAM, wanted);
      log.info({ filterSubject: spec.filterSubject }, 'consumer created');
    } else {
      const c = existing.config;
      const drifted =
        c.filter_subject !== wanted.filter_subject ||
        c.ack_wait !== wanted.ack_wait ||
        c.max_ack_pending !== wanted.max_ack_pending ||
        c.max_deliver !== wanted.max_deliver;
      if (drifted) {
        // ack_policy/deliver_policy cannot change in place; the broker rejects that, which is what we want.
        const { durable_name: _name, ...changes } = wanted;
        await ctx.jsm.consumers.update(EVENT_STREAM, spec.durable, changes);
        log.info({ filterSubject: spec.filterSubject }, 'consumer updated');
      }
    }
  } catch (err: unknown) {
    throw toTransportError(err, `durableConsumer ${spec.durable}`, ctx.hub.current);
  }
  return {
    fetch: (max, expiresMs) => fetchDeliveries(ctx, spec, max, expiresMs),
    info: () => consumerInfo(ctx, spec.durable),
  };
}

async function infoOrUndefined(ctx: AdapterContext, durable: string) {
  try {
    return await ctx.jsm.consumers.info(EVENT_STREAM, durable);
  } catch (err: unknown) {
    const mapped = toTransportError(err, 'consumer info', ctx.hub.current);
    if (mapped instanceof TransportError && mapped.kind === 'not-found') return undefined;
    throw err;
  }
}

async function fetchDeliveries(
  ctx: AdapterContext,
  spec: DurableConsumerSpec,
  max: number,
  expiresMs: number,
): Promise<Delivery[]> {
  if (max < 1) return [];
  const what = `fetch ${spec.durable}`;
  ctx.hub.requireConnected(what);
  const expires = Math.max(0, Math.round(expiresMs));
  const result = await pull(ctx.nc, ctx.hub, {
    stream: EVENT_STREAM,
    consumer: spec.durable,
    // More than max_ack_pending cannot be in flight: asking for it would only make the broker wait out `expires`.
    batch: Math.min(max, spec.maxAckPending),
    expiresMs: expires,
    deadlineMs: expires + pullGraceMs,
  });
  const deliveries = result.msgs.map((m) => toDelivery(ctx, m));
  // Messages already handed to us must reach the caller: dropping them would only delay them by ack_wait.
  if (deliveries.length > 0) {
    if (result.end.kind !== 'complete' && result.end.kind !== 'drained') {
      ctx.log.warn({ durable: spec.durable, end: result.end, got: deliveries.length }, 'fetch ended early');
    }
    return deliveries;
  }
  const end = result.end;
  switch (end.kind) {
    case 'complete':
    case 'drained':
      return [];
    case 'conflict':
      ctx.log.warn({ durable: spec.durable, status: end.description }, 'pull request refused');
      return [];
    case 'consumer-deleted':
      throw new TransportError('not-found', `${what}: consumer was deleted`);
    case 'disconnected':
      throw new TransportError('unavailable', `${what}: connection lost during fetch`);
    case 'shutdown':
      throw new TransportError('unavailable', `${what}: broker is shutting down`);
    case 'error':
      throw toTransportError(end.err, what, ctx.hub.current);
    case 'deadline':
      return explainSilence(ctx, spec.durable, what, expires + pullGraceMs);
    default: {
      const unexpected: never = end;
      throw new Error(`unhandled pull end ${JSON.stringify(unexpected)}`);
    }
  }
}

/** 2.9 ignores a pull for a consumer that does not exist; a hung broker ignores everything. Tell them apart. */
async function explainSilence(ctx: AdapterContext, durable: string, what: string, waitedMs: number): Promise<never> {
  try {
    await ctx.probe.consumers.info(EVENT_STREAM, durable);
  } catch (err: unknown) {
    const mapped = toTransportError(err, what, ctx.hub.current);
    if (mapped instanceof TransportError && mapped.kind === 'not-found') {
      throw new TransportError('not-found', `${what}: no such consumer`, { cause: err });
    }
    throw new TransportError('unavailable', `${what}: broker did not answer within ${waitedMs} ms`, { cause: err });
  }
  throw new TransportError('unavailable', `${what}: broker did not end the pull within ${waitedMs} ms`);
}

function toDelivery(ctx: AdapterContext, m: PulledMsg): Delivery {
  // Acks are one-way: a lost one shows up as a redelivery, which consumers must tolerate anyway.
  const send = (verb: string): void => {
    try {
      ctx.nc.publish(m.reply, verb);
    } catch (err: unknown) {
      ctx.log.warn({ err, seq: m.seq, verb }, 'ack not sent');
    }
  };
  return {
    seq: m.seq,
    subject: m.subject,
    data: m.data,
    timestampMs: m.timestampMs,
    msgId: m.msgId,
    deliveryCount: m.deliveryCount,
    ack: () => send('+ACK'),
    nak: (delayMs = 0) => send(delayMs > 0 ? `-NAK ${JSON.stringify({ delay: nanos(delayMs) })}` : '-NAK'),
    term: () => send('+TERM'),
    working: () => send('+WPI'),
  };
}

async function consumerInfo(ctx: AdapterContext, durable: string): Promise<ConsumerInfo> {
  const what = `consumer info ${durable}`;
  ctx.hub.requireConnected(what);
  try {
    const ci = await ctx.jsm.consumers.info(EVENT_STREAM, durable);
    return {
      pending: ci.num_pending,
      ackPending: ci.num_ack_pending,
      redelivered: ci.num_redelivered,
      ackFloorSeq: ci.ack_floor.stream_seq,
    };
  } catch (err: unknown) {
    throw toTransportError(err, what, ctx.hub.current);
  }
}
