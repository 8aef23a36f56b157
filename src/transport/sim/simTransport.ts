/**
 * The simulation adapter of the message-bus port: the same observable behaviour as the JetStream adapter (error
 * kinds and wording, fail-fast while disconnected, the same timeouts — on the virtual clock), against a SimBroker.
 * Each transport is one connection; several may share a broker.
 */
import { pino, type Logger } from 'pino';
import {
  EVENT_STREAM,
  EVENT_SUBJECTS,
  TransportError,
  type PublishAck,
  type Service,
  type StoredEvent,
  type Transport,
} from '../port.js';
import type { SimBroker } from './simBroker.js';
import { apiTimeoutMs, ensureDurable, type SimContext } from './simFetch.js';
import { SimSubscription } from './simServices.js';
import type { SimMessage } from './simStream.js';
import { subjectMatches } from '../subjects.js';
import { settlesWithin } from '../settlesWithin.js';

export interface SimTransportOptions {
  /** Connection name, for logs. */
  readonly name?: string;
  readonly log?: Logger;
}

const defaultDuplicateWindowMs = 2 * 60_000;
const defaultPublishTimeoutMs = 5_000;
const stopWaitMs = 5_000;
const closeDrainMs = 5_000;

/** Connects to the simulated broker. Throws TransportError('unavailable') if it is not answering, as connecting does. */
export function createSimTransport(broker: SimBroker, options?: SimTransportOptions): Transport {
  const name = options?.name ?? 'sim';
  const log = (options?.log ?? pino({ level: 'silent' })).child({ component: 'sim-transport', connection: name });
  const connection = broker.connect(name, log);
  const ctx: SimContext = { broker, connection, log };
  let closing: Promise<void> | undefined;
  return {
    provisionStream: async (options) => {
      connection.requireConnected('provisionStream');
      const duplicateWindowMs = options?.duplicateWindowMs ?? defaultDuplicateWindowMs;
      const outcome = await connection.request('provisionStream', apiTimeoutMs, () =>
        broker.jetstream.provisionStream(duplicateWindowMs),
      );
      if (outcome !== 'unchanged') log.info({ stream: EVENT_STREAM, duplicateWindowMs }, `stream ${outcome}`);
    },
    publish: async (event, options): Promise<PublishAck> => {
      const what = `publish ${event.subject}`;
      if (!subjectMatches(EVENT_SUBJECTS, event.subject)) {
        throw new TransportError('rejected', `${what}: subject is not on the event stream (${EVENT_SUBJECTS})`);
      }
      connection.requireConnected(what);
      // Copied now: the caller may reuse its buffer while the publish is in flight.
      const data = new Uint8Array(event.data);
      const msgId = event.msgId === '' ? undefined : event.msgId;
      const timeoutMs = options?.timeoutMs ?? defaultPublishTimeoutMs;
      const ack = await connection.request(what, timeoutMs, () => broker.jetstream.publish(event.subject, data, msgId));
      return { seq: ack.seq, duplicate: ack.duplicate };
    },
    durableConsumer: (spec) => ensureDurable(ctx, spec),
    deleteConsumer: async (durable) => {
      const what = `deleteConsumer ${durable}`;
      connection.requireConnected(what);
      try {
        if (await connection.request(what, apiTimeoutMs, () => broker.jetstream.deleteConsumer(durable))) {
          log.info({ durable }, 'consumer deleted');
        }
      } catch (err: unknown) {
        // Deleting what is already gone is not an error: teardown must be repeatable.
        if (!(err instanceof TransportError && err.kind === 'not-found')) throw err;
      }
    },
    readRange: async (fromSeq, max) => {
      const what = `readRange ${fromSeq}+${max}`;
      if (max < 1) return [];
      connection.requireConnected(what);
      const from = Math.max(1, Math.floor(fromSeq));
      return (await connection.request(what, apiTimeoutMs, () => broker.jetstream.readRange(from, max))).map(toStored);
    },
    getEvent: async (seq) => {
      const what = `getEvent ${seq}`;
      if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
      connection.requireConnected(what);
      const m = await connection.request(what, apiTimeoutMs, () => broker.jetstream.getMessage(seq));
      return m === undefined ? undefined : toStored(m);
    },
    streamInfo: async () => {
      connection.requireConnected('streamInfo');
      return connection.request('streamInfo', apiTimeoutMs, () => broker.jetstream.streamInfo());
    },
    serve: (subject, handler) => serve(ctx, subject, handler),
    request: (subject, data, timeoutMs) => request(ctx, subject, data, timeoutMs),
    status: () => connection.status,
    onStatus: (listener) => connection.onStatus(listener),
    close: () => {
      closing ??= closeConnection(ctx);
      return closing;
    },
  };
}

function toStored(m: SimMessage): StoredEvent {
  return { seq: m.seq, subject: m.subject, data: new Uint8Array(m.data), timestampMs: m.timestampMs, msgId: m.msgId };
}

/** Requests are handled one at a time per `serve` call, in arrival order, like the adapter's service loop. */
function serve(ctx: SimContext, subject: string, handler: (data: Uint8Array) => Promise<Uint8Array>): Service {
  if (ctx.connection.status === 'closed') {
    throw new TransportError('unavailable', `serve ${subject}: connection closed`);
  }
  const subscription = new SimSubscription(ctx.connection, subject, handler);
  ctx.broker.services.add(subscription);
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        // Drain: no new requests, the ones already received are answered.
        subscription.stopped = true;
        ctx.broker.services.remove(subscription);
        if (!(await settlesWithin(subscription.idle(), stopWaitMs, ctx.broker.clock))) {
          ctx.log.warn({ service: subject, waitedMs: stopWaitMs }, 'service stopped with a request still running');
        }
      })();
      return stopping;
    },
  };
}

function request(ctx: SimContext, subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  const { broker, connection } = ctx;
  const what = `request ${subject}`;
  return new Promise<Uint8Array>((resolve, reject) => {
    connection.requireConnected(what);
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      broker.clock.clearTimeout(timer);
      stopListening();
      fn();
    };
    const timer = broker.clock.setTimeout(
      () => {
        const kind = connection.status === 'connected' ? 'timeout' : 'unavailable';
        settle(() => reject(new TransportError(kind, `${what}: no answer in time (broker ${connection.status})`)));
      },
      Math.max(1, Math.round(timeoutMs)),
    );
    const stopListening = connection.onStatus((status) => {
      if (status === 'closed') settle(() => reject(new TransportError('unavailable', `${what}: connection closed`)));
    });
    /** The answer travels back over the requester's connection: lost if that link is down. */
    const answer = (fn: () => void): void => {
      if (connection.status === 'connected') settle(fn);
    };
    const payload = new Uint8Array(data);
    connection.send(() => {
      const server = broker.services.pick(subject);
      if (server === undefined) {
        return answer(() => reject(new TransportError('no-responders', `${what}: nobody serves this subject`)));
      }
      server.enqueue({
        data: payload,
        respond: (reply) => {
          server.connection.send(() =>
            answer(() => (reply.ok ? resolve(reply.data) : reject(new TransportError('rejected', reply.error)))),
          );
        },
      });
    });
  });
}

async function closeConnection(ctx: SimContext): Promise<void> {
  const { broker, connection, log } = ctx;
  if (connection.status === 'connected') {
    // Drain: services answer what they already received; it cannot finish without a broker, so only when connected.
    const subscriptions = broker.services.ofConnection(connection);
    for (const s of subscriptions) s.stopped = true;
    const drained = Promise.all(subscriptions.map((s) => s.idle()));
    if (!(await settlesWithin(drained, closeDrainMs, broker.clock))) {
      log.warn({ waitedMs: closeDrainMs }, 'drain did not finish');
    }
  }
  connection.close();
  log.info('closed');
}
