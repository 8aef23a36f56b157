/**
 * One pull request, spoken directly over core NATS (`$JS.API.CONSUMER.MSG.NEXT`) instead of `consumer.fetch()`:
 * the client's fetch rejects `expires` under 1 s and keeps waiting after the first messages until the batch is full.
 * `no_wait` together with `expires` (supported by 2.9) is exactly the port's contract: wait up to `expires` for the
 * first message, then return what is there, ended by a 408 status.
 */
import { createInbox, nanos, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { StatusHub } from './status.js';

export interface PulledMsg {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly msgId: string | undefined;
  /** Stream sequence. */
  readonly seq: number;
  /** Consumer (delivery) sequence: contiguous for an ack-none consumer. */
  readonly consumerSeq: number;
  readonly deliveryCount: number;
  readonly timestampMs: number;
  /** The ack subject: publish +ACK / -NAK / +TERM / +WPI here. */
  readonly reply: string;
}

export type PullEnd =
  /** Got `batch` messages. */
  | { readonly kind: 'complete' }
  /** 404/408: nothing (more) to deliver before expiry. */
  | { readonly kind: 'drained' }
  | { readonly kind: 'consumer-deleted' }
  /** 409 Server Shutdown: the broker is going away (SIGTERM); a disconnect follows. */
  | { readonly kind: 'shutdown' }
  /** Other 409s (max waiting, leadership change...): the request ended early. */
  | { readonly kind: 'conflict'; readonly description: string }
  | { readonly kind: 'disconnected' }
  /** No terminal answer before our own deadline: hung broker, or no such consumer (2.9 stays silent). */
  | { readonly kind: 'deadline' }
  | { readonly kind: 'error'; readonly err: unknown };

export interface PullResult {
  readonly msgs: PulledMsg[];
  readonly end: PullEnd;
}

export interface PullRequest {
  readonly stream: string;
  readonly consumer: string;
  readonly batch: number;
  /** 0: answer with what is there right now (404 when nothing). */
  readonly expiresMs: number;
  /** Our own bound, for when the broker never answers. */
  readonly deadlineMs: number;
}

const encoder = new TextEncoder();

export function pull(nc: NatsConnection, hub: StatusHub, request: PullRequest): Promise<PullResult> {
  return new Promise<PullResult>((resolve) => {
    const msgs: PulledMsg[] = [];
    let finished = false;
    const inbox = createInbox();
    const finish = (end: PullEnd): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      stopListening();
      sub.unsubscribe();
      resolve({ msgs, end });
    };
    const sub = nc.subscribe(inbox, {
      callback: (err, msg) => {
        if (err) return finish({ kind: 'error', err });
        let end: PullEnd | undefined;
        try {
          end = classify(msg, msgs);
        } catch (parseErr: unknown) {
          return finish({ kind: 'error', err: parseErr });
        }
        if (end !== undefined) return finish(end);
        if (msgs.length >= request.batch) finish({ kind: 'complete' });
      },
    });
    const timer = setTimeout(() => finish({ kind: 'deadline' }), request.deadlineMs);
    const stopListening = hub.listen((status) => {
      if (status !== 'connected') finish({ kind: 'disconnected' });
    });
    const body =
      request.expiresMs > 0
        ? { batch: request.batch, no_wait: true, expires: nanos(request.expiresMs) }
        : { batch: request.batch, no_wait: true };
    try {
      nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${request.stream}.${request.consumer}`, encoder.encode(JSON.stringify(body)), {
        reply: inbox,
      });
    } catch (err: unknown) {
      finish({ kind: 'error', err });
    }
  });
}

/** Appends a data message to `msgs`, or says how a status message ends the request. */
function classify(msg: Msg, msgs: PulledMsg[]): PullEnd | undefined {
  const code = msg.headers?.code ?? 0;
  if (code === 0 || (msg.reply ?? '') !== '') {
    msgs.push(toPulled(msg));
    return undefined;
  }
  const description = msg.headers?.description ?? '';
  if (code === 404 || code === 408) return { kind: 'drained' };
  const reason = description.toLowerCase();
  if (code === 409 && reason.includes('consumer deleted')) return { kind: 'consumer-deleted' };
  if (code === 409 && reason.includes('server shutdown')) return { kind: 'shutdown' };
  if (code === 100) return undefined; // idle heartbeat: we ask for none, but harmless
  return { kind: 'conflict', description: `${code} ${description}` };
}

function toPulled(msg: Msg): PulledMsg {
  const reply = msg.reply ?? '';
  const info = parseAckSubject(reply);
  const msgId = msg.headers?.get('Nats-Msg-Id');
  return {
    subject: msg.subject,
    // A copy: the client hands out Buffer views into its socket reads, which would pin them as long as we keep events.
    data: new Uint8Array(msg.data),
    msgId: msgId === undefined || msgId === '' ? undefined : msgId,
    ...info,
    reply,
  };
}

/**
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tsNanos>.<pending>` (v1, what 2.9 sends), or the v2 form with
 * `<domain>.<accountHash>` after `ACK` and a random token at the end.
 */
export function parseAckSubject(reply: string): {
  seq: number;
  consumerSeq: number;
  deliveryCount: number;
  timestampMs: number;
} {
  const tokens = reply.split('.');
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK' || (tokens.length !== 9 && tokens.length < 11)) {
    throw new Error(`not a JetStream ack subject: ${reply}`);
  }
  const at = tokens.length === 9 ? 4 : 6;
  const field = (i: number): string => tokens[at + i] ?? '';
  const int = (s: string): number => {
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad number "${s}" in ack subject ${reply}`);
    return n;
  };
  return {
    deliveryCount: int(field(0)),
    seq: int(field(1)),
    consumerSeq: int(field(2)),
    // Nanoseconds overflow a double's integer range; divide exactly first.
    timestampMs: Number(BigInt(field(3)) / 1_000_000n),
  };
}
