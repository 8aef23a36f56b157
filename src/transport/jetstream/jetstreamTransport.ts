/**
 * The JetStream adapter of the message-bus port. Everything NATS stays in this folder: callers get a `Transport`,
 * TransportErrors and plain data.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino, type Logger } from 'pino';
import { EVENT_STREAM, EVENT_SUBJECTS, TransportError, type PublishAck, type Transport } from '../port.js';
import { settlesWithin } from '../settlesWithin.js';
import { subjectMatches } from '../subjects.js';
import type { AdapterContext } from './context.js';
import { ensureDurable } from './delivery.js';
import { toTransportError } from './errors.js';
import { provisionStream } from './provision.js';
import { defaultReadPullBatch, getEvent, readRange, streamInfo } from './range.js';
import { request, serve } from './requestReply.js';
import { StatusHub, watchConnection } from './status.js';

export interface ConnectJetStreamOptions {
  /** One URL or a comma-separated list, e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string;
  /** Connection name, shown by the server's monitoring. */
  readonly name: string;
  readonly log?: Logger;
  /** Messages per pull request in readRange (default 5,000). Tests lower it to cross pull boundaries cheaply. */
  readonly readPullBatch?: number;
  /** Copies of the stream JetStream keeps, one per node (default 1; 3 on a 3-node cluster). */
  readonly streamReplicas?: number;
}

const connectTimeoutMs = 5_000;
/** JetStream API calls (stream/consumer management, message get). */
const apiTimeoutMs = 5_000;
const probeTimeoutMs = 1_000;
const defaultPublishTimeoutMs = 5_000;
/** Small: a restarted broker is found again within a fraction of a second. */
const reconnectTimeWaitMs = 250;
/** Two missed pings detect a hung (SIGSTOPped) broker in about 10 s. */
const pingIntervalMs = 5_000;
const closeDrainMs = 5_000;

/** Connects and returns the port. Fails with TransportError('unavailable') if no broker with JetStream answers. */
export async function connectJetStream(options: ConnectJetStreamOptions): Promise<Transport> {
  const log = (options.log ?? pino({ level: 'silent' })).child({ component: 'jetstream', connection: options.name });
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers.split(',').map((s) => s.trim()),
      name: options.name,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: reconnectTimeWaitMs,
      pingInterval: pingIntervalMs,
      maxPingOut: 2,
      timeout: connectTimeoutMs,
      // Async traces capture a stack (an Error) per request: about 10% of the CPU of a publish burst when profiled.
      noAsyncTraces: true,
    });
  } catch (err: unknown) {
    throw new TransportError('unavailable', `cannot connect to ${options.servers}`, { cause: err });
  }
  const hub = new StatusHub(log);
  watchConnection(nc, hub, log);
  let ctx: AdapterContext;
  try {
    ctx = {
      nc,
      hub,
      log,
      readPullBatch: Math.max(1, Math.floor(options.readPullBatch ?? defaultReadPullBatch)),
      streamReplicas: options.streamReplicas ?? 1,
      js: jetstream(nc, { timeout: apiTimeoutMs }),
      jsm: await jetstreamManager(nc, { timeout: apiTimeoutMs }),
      probe: await jetstreamManager(nc, { timeout: probeTimeoutMs, checkAPI: false }),
    };
  } catch (err: unknown) {
    await nc.close();
    throw new TransportError('unavailable', `JetStream is not available at ${options.servers}`, { cause: err });
  }
  log.info({ server: nc.getServer() }, 'connected');
  return makeTransport(ctx);
}

function makeTransport(ctx: AdapterContext): Transport {
  const { nc, hub, log } = ctx;
  let closing: Promise<void> | undefined;
  return {
    provisionStream: (options) => provisionStream(ctx, options?.duplicateWindowMs),
    publish: async (event, options): Promise<PublishAck> => {
      const what = `publish ${event.subject}`;
      // Off-stream subjects get a 503 that looks like an outage; say what it really is.
      if (!subjectMatches(EVENT_SUBJECTS, event.subject)) {
        throw new TransportError('rejected', `${what}: subject is not on the event stream (${EVENT_SUBJECTS})`);
      }
      hub.requireConnected(what);
      try {
        const ack = await ctx.js.publish(event.subject, event.data, {
          msgID: event.msgId,
          timeout: options?.timeoutMs ?? defaultPublishTimeoutMs,
        });
        return { seq: ack.seq, duplicate: ack.duplicate };
      } catch (err: unknown) {
        throw toTransportError(err, what, hub.current);
      }
    },
    durableConsumer: (spec) => ensureDurable(ctx, spec),
    deleteConsumer: (durable) => deleteConsumer(ctx, durable),
    readRange: (fromSeq, max) => readRange(ctx, fromSeq, max),
    getEvent: (seq) => getEvent(ctx, seq),
    streamInfo: () => streamInfo(ctx),
    serve: (subject, handler) => serve(ctx, subject, handler),
    request: (subject, data, timeoutMs) => request(ctx, subject, data, timeoutMs),
    status: () => hub.current,
    onStatus: (listener) => hub.listen(listener),
    close: () => {
      closing ??= closeConnection(nc, hub, log);
      return closing;
    },
  };
}

/** Deleting a consumer that is already gone is not an error: teardown must be repeatable. */
async function deleteConsumer(ctx: AdapterContext, durable: string): Promise<void> {
  const what = `deleteConsumer ${durable}`;
  ctx.hub.requireConnected(what);
  try {
    await ctx.jsm.consumers.delete(EVENT_STREAM, durable);
    ctx.log.info({ durable }, 'consumer deleted');
  } catch (err: unknown) {
    const mapped = toTransportError(err, what, ctx.hub.current);
    if (mapped instanceof TransportError && mapped.kind === 'not-found') return;
    throw mapped;
  }
}

async function closeConnection(nc: NatsConnection, hub: StatusHub, log: Logger): Promise<void> {
  if (!nc.isClosed()) {
    // Drain lets in-flight replies and acks go out; it cannot finish without a broker, so only try when connected.
    if (hub.current === 'connected') {
      const drain = nc.drain().catch((err: unknown) => log.warn({ err }, 'drain failed'));
      if (!(await settlesWithin(drain, closeDrainMs))) log.warn({ waitedMs: closeDrainMs }, 'drain did not finish');
    }
    if (!nc.isClosed()) await nc.close();
  }
  hub.set('closed');
  log.info('closed');
}
