/**
 * One pull request, spoken directly over core NATS (`$JS.API.CONSUMER.MSG.NEXT`) instead of `consumer.fetch()`:
 * the client's fetch rejects `expires` under 1 s and keeps waiting after the first messages until the batch is full.
 * `no_wait` together with `expires` (supported by 2.9) is exactly the port's contract: wait up to `expires` for the
 * first message, then return what is there, ended by a 408 status.
 */
import { createInbox, nanos, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
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
    let sub: Subscription | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopListening: (() => void) | undefined;
    const finish = (end: PullEnd): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      stopListening?.();
      sub?.unsubscribe();
      resolve({ msgs, end });
    };
    const onMessage = (err: Error | null, msg: Msg): void => {
      if (err) return finish({ kind: 'error', err });
      let end: PullEnd | undefined;
      try {
        end = classify(msg, msgs);
      } catch (parseErr: unknown) {
        return finish({ kind: 'error', err: parseErr });
      }
      if (end !== undefined) return finish(end);
      if (msgs.length >= request.batch) finish({ kind: 'complete' });
    };
    const body =
      request.expiresMs > 0
        ? { batch: request.batch, no_wait: true, expires: nanos(request.expiresMs) }
        : { batch: request.batch, no_wait: true };
    try {
      const inbox = createInbox();
      sub = nc.subscribe(inbox, { callback: onMessage });
      timer = setTimeout(() => finish({ kind: 'deadline' }), request.deadlineMs);
      stopListening = hub.listen((status) => {
        if (status !== 'connected') finish({ kind: 'disconnected' });
      });
      const subject = `$JS.API.CONSUMER.MSG.NEXT.${request.stream}.${request.consumer}`;
      nc.publish(subject, encoder.encode(JSON.stringify(body)), { reply: inbox });
    } catch (err: unknown) {
      // Closed or draining connection: subscribe/publish throw synchronously.
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
  const tokens = reply.split('.');
  if (tokens[0] !== '$JS' || tokens[1] !== 'ACK' || (tokens.length !== 9 && tokens.length < 11)) {
    throw new Error(`not a JetStream ack subject: ${reply}`);
  }
  // v1 (what 2.9 sends): $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tsNanos>.<pending>
  // v2: $JS.ACK.<domain>.<accountHash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tsNanos>.<pending>.<token>
  const at = tokens.length === 9 ? 4 : 6;
  const field = (i: number): number => {
    const token = tokens[at + i] ?? '';
    const n = Number(token);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad number "${token}" in ack subject ${reply}`);
    return n;
  };
  const nanosToken = tokens[at + 3] ?? '';
  if (!/^\d+$/.test(nanosToken)) throw new Error(`bad timestamp "${nanosToken}" in ack subject ${reply}`);
  // Nanoseconds overflow a double's integer range: cut the last six digits instead of dividing.
  const timestampMs = nanosToken.length > 6 ? Number(nanosToken.slice(0, -6)) : 0;
  const msgId = msg.headers?.get('Nats-Msg-Id');
  return {
    subject: msg.subject,
    // A copy: the client hands out views into its socket read buffers, which would pin them as long as we keep events.
    data: new Uint8Array(msg.data),
    msgId: msgId === undefined || msgId === '' ? undefined : msgId,
    deliveryCount: field(0),
    seq: field(1),
    consumerSeq: field(2),
    timestampMs,
    reply,
  };
}
