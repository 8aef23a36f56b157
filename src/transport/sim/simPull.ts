/**
 * Pull requests waiting at a simulated consumer, as nats-server 2.9 keeps them: FIFO, a request that still wants more
 * goes to the back after each message (round robin between concurrent fetches), and a request whose requester has
 * gone (timed out, disconnected) is dropped unanswered, as the server drops a request whose reply subject lost
 * interest.
 */
import type { SimMessage } from './simStream.js';
import type { TimerId, Timers } from './virtualClock.js';

/** One message as a pull request receives it. */
export interface SimDelivered extends SimMessage {
  readonly deliveryCount: number;
  /** The consumer's delivery sequence: acks name it, and stale ones are told apart by it. */
  readonly consumerSeq: number;
}

/**
 * How a pull request ends: `complete` (got its batch), `drained` (404/408: nothing more right now, or expired),
 * `consumer-deleted` (409).
 */
export type PullEndKind = 'complete' | 'drained' | 'consumer-deleted';

/** The requester's side of a pull request (`no_wait` + `expires`, the only kind the adapter sends). */
export interface PullRequester {
  readonly batch: number;
  /** 0: answer with what is there right now. */
  readonly expiresMs: number;
  /** False once the requester stopped listening. */
  interested(): boolean;
  deliver(message: SimDelivered): void;
  end(kind: PullEndKind): void;
}

interface Waiting {
  readonly req: PullRequester;
  /** Still wanted. */
  n: number;
  /** Delivered so far. */
  d: number;
  timer: TimerId | undefined;
}

export class PullQueue {
  #waiting: Waiting[] = [];

  constructor(private readonly clock: Timers) {}

  /** Queues a request; its expiry (if any) ends it with `drained` and whatever it got so far. */
  add(req: PullRequester): void {
    const w: Waiting = { req, n: req.batch, d: 0, timer: undefined };
    if (req.expiresMs > 0) {
      w.timer = this.clock.setTimeout(() => {
        w.timer = undefined;
        if (this.#remove(w)) w.req.end('drained');
      }, req.expiresMs);
    }
    this.#waiting.push(w);
  }

  /** Drops requests nobody listens to any more; true if one is left to deliver to. */
  hasInterested(): boolean {
    for (const w of this.#waiting.filter((x) => !x.req.interested())) this.#remove(w);
    return this.#waiting.length > 0;
  }

  /** Sum of what the live requests still want (the server's "batch pending"). */
  batchPending(): number {
    return this.#waiting.filter((w) => w.req.interested()).reduce((sum, w) => sum + w.n, 0);
  }

  /** Hands one message to the head request; rotates it to the back if it wants more, ends it if it is full. */
  deliverToHead(message: SimDelivered): void {
    const w = this.#waiting[0];
    if (w === undefined) throw new Error('deliverToHead with no waiting request');
    w.req.deliver(message);
    w.n--;
    w.d++;
    if (w.n <= 0) {
      this.#remove(w);
      w.req.end('complete');
    } else if (this.#waiting.length > 1) {
      this.#waiting.shift();
      this.#waiting.push(w);
    }
  }

  /** The server's end-of-stream pass: one-shot (no_wait) requests that got something end now. */
  endSatisfied(): void {
    for (const w of this.#waiting.filter((x) => x.d > 0)) {
      this.#remove(w);
      w.req.end('drained');
    }
  }

  /** Ends every request with `kind`, or silently (`undefined`: the server went away and answers nobody). */
  clear(kind: PullEndKind | undefined): void {
    const all = this.#waiting;
    this.#waiting = [];
    for (const w of all) {
      this.clock.clearTimeout(w.timer);
      if (kind !== undefined) w.req.end(kind);
    }
  }

  #remove(w: Waiting): boolean {
    const i = this.#waiting.indexOf(w);
    if (i < 0) return false;
    this.#waiting.splice(i, 1);
    this.clock.clearTimeout(w.timer);
    return true;
  }
}
