/**
 * Core NATS request/reply. A handler that throws answers with an empty body and the `Nats-Service-Error` /
 * `Nats-Service-Error-Code` headers (the convention of NATS micro services), which `request` turns into
 * TransportError('rejected', message) — so a requester never waits out its timeout because a handler failed.
 */
import {
  Empty,
  headers,
  NoRespondersError,
  RequestError,
  type Msg,
  type MsgHdrs,
  type Subscription,
} from '@nats-io/transport-node';
import { TransportError, type RequestHandler, type Service } from '../port.js';
import { settlesWithin } from '../settlesWithin.js';
import type { AdapterContext } from './context.js';
import { toTransportError } from './errors.js';

const errorHeader = 'Nats-Service-Error';
const errorCodeHeader = 'Nats-Service-Error-Code';
/** All servers of a subject share one queue group: each request is answered once. */
const queueGroup = 'serve';
/** Bound on waiting for the in-flight request when a service stops. */
const stopWaitMs = 5_000;

/**
 * Requests are handled one at a time per `serve` call, in arrival order: a command handler's read-modify-write never
 * interleaves with itself. More concurrency = more `serve` calls on the same subject.
 */
export function serve(ctx: AdapterContext, subject: string, handler: RequestHandler): Service {
  const log = ctx.log.child({ service: subject });
  let sub: Subscription;
  try {
    sub = ctx.nc.subscribe(subject, { queue: queueGroup });
  } catch (err: unknown) {
    throw toTransportError(err, `serve ${subject}`, ctx.hub.current);
  }
  const loop = (async () => {
    for await (const msg of sub) {
      await answer(msg, handler, log);
    }
  })().catch((err: unknown) => log.error({ err }, 'service loop failed'));
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        if (!sub.isClosed()) {
          await sub.drain().catch((err: unknown) => log.warn({ err }, 'service drain failed (connection closing?)'));
        }
        const finished = await settlesWithin(loop, stopWaitMs);
        if (!finished) log.warn({ waitedMs: stopWaitMs }, 'service stopped with a request still running');
      })();
      return stopping;
    },
  };
}

async function answer(msg: Msg, handler: RequestHandler, log: AdapterContext['log']): Promise<void> {
  let reply: Uint8Array;
  try {
    reply = await handler(new Uint8Array(msg.data));
  } catch (err: unknown) {
    log.warn({ err }, 'handler failed; replying with an error');
    const h = headers();
    // Header values are single-line.
    h.set(errorHeader, (err instanceof Error ? err.message : String(err)).replace(/[\r\n]+/g, ' ') || 'handler failed');
    h.set(errorCodeHeader, '500');
    respond(msg, Empty, h, log);
    return;
  }
  respond(msg, reply, undefined, log);
}

function respond(msg: Msg, data: Uint8Array, h: MsgHdrs | undefined, log: AdapterContext['log']): void {
  if (msg.reply === undefined || msg.reply === '') {
    log.warn({ subject: msg.subject }, 'request without a reply subject; nothing to answer');
    return;
  }
  try {
    msg.respond(data, h === undefined ? undefined : { headers: h });
  } catch (err: unknown) {
    // Closed connection: the requester times out, which is what it would see if we had crashed.
    log.warn({ err }, 'reply not sent');
  }
}

export async function request(
  ctx: AdapterContext,
  subject: string,
  data: Uint8Array,
  timeoutMs: number,
): Promise<Uint8Array> {
  const what = `request ${subject}`;
  ctx.hub.requireConnected(what);
  let msg: Msg;
  try {
    msg = await ctx.nc.request(subject, data, { timeout: Math.max(1, Math.round(timeoutMs)) });
  } catch (err: unknown) {
    if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
      throw new TransportError('no-responders', `${what}: nobody serves this subject`, { cause: err });
    }
    throw toTransportError(err, what, ctx.hub.current);
  }
  const failure = msg.headers?.get(errorHeader);
  if (failure !== undefined && failure !== '') {
    throw new TransportError('rejected', failure);
  }
  return new Uint8Array(msg.data);
}
