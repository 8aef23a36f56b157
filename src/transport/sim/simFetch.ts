/** Durable consumers over the simulation: provisioning, fetch, and the ack verbs — worded and bounded as the adapter's. */
import type { Logger } from 'pino';
import {
  TransportError,
  type ConsumerInfo,
  type Delivery,
  type DurableConsumer,
  type DurableConsumerSpec,
} from '../port.js';
import type { SimBroker } from './simBroker.js';
import type { AckVerb } from './simJetStream.js';
import type { SimConnection } from './simConnection.js';
import type { SimConsumerConfig } from './simConsumer.js';
import type { PullEndKind, PullRequester, SimDelivered } from './simPull.js';

/** What the transport's parts share. */
export interface SimContext {
  readonly broker: SimBroker;
  readonly connection: SimConnection;
  readonly log: Logger;
}

/** The adapter's bounds, so a hung simulated broker fails in the same (virtual) time as a hung real one. */
export const apiTimeoutMs = 5_000;
const probeTimeoutMs = 1_000;
const pullGraceMs = 1_000;

type PullEnd = { readonly kind: PullEndKind } | { readonly kind: 'disconnected' } | { readonly kind: 'deadline' };

export async function ensureDurable(ctx: SimContext, spec: DurableConsumerSpec): Promise<DurableConsumer> {
  const what = `durableConsumer ${spec.durable}`;
  ctx.connection.requireConnected(what);
  const wanted: SimConsumerConfig = {
    durable: spec.durable,
    filterSubject: spec.filterSubject,
    ackWaitMs: spec.ackWaitMs,
    maxAckPending: spec.maxAckPending,
    maxDeliver: -1,
  };
  const outcome = await ctx.connection.request(what, apiTimeoutMs, () => {
    const c = ctx.broker.jetstream.consumerConfig(spec.durable);
    if (c === undefined) return ctx.broker.jetstream.upsertConsumer(wanted);
    // The same drift check as the adapter: anything else (a backoff set from outside) is left alone.
    const drifted =
      c.filterSubject !== wanted.filterSubject ||
      c.ackWaitMs !== wanted.ackWaitMs ||
      c.maxAckPending !== wanted.maxAckPending ||
      (c.maxDeliver ?? -1) !== wanted.maxDeliver;
    return drifted ? ctx.broker.jetstream.upsertConsumer(wanted) : 'unchanged';
  });
  if (outcome !== 'unchanged') {
    ctx.log.child({ durable: spec.durable }).info({ filterSubject: spec.filterSubject }, `consumer ${outcome}`);
  }
  return {
    fetch: (max, expiresMs) => fetchDeliveries(ctx, spec, max, expiresMs),
    info: () => consumerInfo(ctx, spec.durable),
  };
}

async function consumerInfo(ctx: SimContext, durable: string): Promise<ConsumerInfo> {
  const what = `consumer info ${durable}`;
  ctx.connection.requireConnected(what);
  return ctx.connection.request(what, apiTimeoutMs, () => ctx.broker.jetstream.consumerInfo(durable));
}

async function fetchDeliveries(
  ctx: SimContext,
  spec: DurableConsumerSpec,
  max: number,
  expiresMs: number,
): Promise<Delivery[]> {
  if (max < 1) return [];
  const what = `fetch ${spec.durable}`;
  ctx.connection.requireConnected(what);
  const expires = Math.max(0, Math.round(expiresMs));
  // More than max_ack_pending cannot be in flight: asking for it would only make the broker wait out `expires`.
  const batch = spec.maxAckPending > 0 ? Math.min(max, spec.maxAckPending) : max;
  const { msgs, end } = await pull(ctx, spec.durable, batch, expires, expires + pullGraceMs);
  // Messages already handed to us must reach the caller: dropping them would only delay them by ack wait.
  if (msgs.length > 0) {
    if (end.kind !== 'complete' && end.kind !== 'drained') {
      ctx.log.warn({ durable: spec.durable, end, got: msgs.length }, 'fetch ended early');
    }
    return msgs.map((m) => toDelivery(ctx, spec.durable, m));
  }
  switch (end.kind) {
    case 'complete':
    case 'drained':
      return [];
    case 'consumer-deleted':
      throw new TransportError('not-found', `${what}: consumer was deleted`);
    case 'disconnected':
      throw new TransportError('unavailable', `${what}: connection lost during fetch`);
    case 'deadline':
      return explainSilence(ctx, spec.durable, what, expires + pullGraceMs);
    default: {
      const unexpected: never = end;
      throw new Error(`unhandled pull end ${JSON.stringify(unexpected)}`);
    }
  }
}

/** One pull request; messages and the end come back over the connection, so nothing arrives while it is down. */
function pull(ctx: SimContext, durable: string, batch: number, expiresMs: number, deadlineMs: number) {
  const { broker, connection } = ctx;
  return new Promise<{ msgs: SimDelivered[]; end: PullEnd }>((resolve) => {
    const msgs: SimDelivered[] = [];
    let finished = false;
    const finish = (end: PullEnd): void => {
      if (finished) return;
      finished = true;
      broker.clock.clearTimeout(timer);
      stopListening();
      resolve({ msgs, end });
    };
    const timer = broker.clock.setTimeout(() => finish({ kind: 'deadline' }), deadlineMs);
    const stopListening = connection.onStatus((status) => {
      if (status !== 'connected') finish({ kind: 'disconnected' });
    });
    const reachable = (): boolean => !finished && connection.status === 'connected';
    const requester: PullRequester = {
      batch,
      expiresMs,
      interested: () => !finished,
      deliver: (m) => {
        if (reachable()) msgs.push(m);
      },
      end: (kind) => {
        if (reachable()) finish({ kind });
      },
    };
    connection.send(() => broker.jetstream.pull(durable, requester));
  });
}

/** 2.9 ignores a pull for a consumer that does not exist; a hung broker ignores everything. Tell them apart. */
async function explainSilence(ctx: SimContext, durable: string, what: string, waitedMs: number): Promise<never> {
  try {
    await ctx.connection.request('consumer info', probeTimeoutMs, () => ctx.broker.jetstream.consumerInfo(durable));
  } catch (err: unknown) {
    if (err instanceof TransportError && err.kind === 'not-found') {
      throw new TransportError('not-found', `${what}: no such consumer`, { cause: err });
    }
    throw new TransportError('unavailable', `${what}: broker did not answer within ${waitedMs} ms`, { cause: err });
  }
  throw new TransportError('unavailable', `${what}: broker did not end the pull within ${waitedMs} ms`);
}

function toDelivery(ctx: SimContext, durable: string, m: SimDelivered): Delivery {
  // Acks are one-way: a lost one shows up as a redelivery, which consumers must tolerate anyway.
  const send = (verb: AckVerb): void => {
    const sent = ctx.connection.send(() => ctx.broker.jetstream.ackVerb(durable, m.seq, m.consumerSeq, verb));
    if (!sent) ctx.log.warn({ seq: m.seq, verb: verb.kind }, 'ack not sent');
  };
  return {
    seq: m.seq,
    subject: m.subject,
    data: m.data,
    timestampMs: m.timestampMs,
    msgId: m.msgId,
    deliveryCount: m.deliveryCount,
    ack: () => send({ kind: 'ack' }),
    nak: (delayMs = 0) => send({ kind: 'nak', delayMs: delayMs > 0 ? delayMs : 0 }),
    term: () => send({ kind: 'term' }),
    working: () => send({ kind: 'working' }),
  };
}
