/**
 * A simulated durable pull consumer (explicit ack, deliver all), following nats-server 2.9's consumer.go closely
 * enough that the same acks, naks and pulls give the same deliveries, counts and ack floor:
 * - redeliveries (the `rdq`) go out before new messages; expired messages join it sorted by stream sequence;
 * - the delivery count grows when a message is handed out again, not when its ack wait runs out;
 * - max_ack_pending stops new messages, not redeliveries;
 * - nak(delay) re-times the pending entry to `now - ackWait + delay`; a bare nak queues it at once;
 * - working() restarts the ack wait; term is an ack that also suppresses redelivery;
 * - the n-th delivery waits backoff[min(n-1, len-1)] when a backoff is set (which overrides ack wait);
 * - past max_deliver a message is dropped from pending when its turn comes (its ack floor stays behind it);
 * - a restart keeps what the file store kept (pending, counts, floors) and loses the redelivery queue.
 * Longer than our usual file on purpose: it is one state machine whose fields interlock (cursor, floors, pending,
 * redelivery queue, timer); kept whole it can be read side by side with consumer.go.
 */
import type { ConsumerInfo } from '../port.js';
import { lowestAbove, SimConsumerStore } from './simConsumerStore.js';
import { PullQueue, type PullRequester } from './simPull.js';
import type { SimMessage, SimStream } from './simStream.js';
import { subjectMatches } from '../subjects.js';
import type { TimerId, Timers } from './virtualClock.js';

export interface SimConsumerConfig {
  readonly durable: string;
  readonly filterSubject: string;
  readonly ackWaitMs: number;
  /** ≤ 0: unbounded. */
  readonly maxAckPending: number;
  /** ≤ 0: unbounded (what the adapter asks for: the consumer actor parks poison events itself). */
  readonly maxDeliver?: number;
  /** Ack wait per delivery attempt; when set, its first entry replaces `ackWaitMs`, as the server does. */
  readonly backoffMs?: readonly number[];
}

interface Pending {
  /** Delivery sequence of the latest delivery. */
  dseq: number;
  /** When the ack wait started (or a nak delay's backdated equivalent). */
  ts: number;
}

type Next = { readonly message: SimMessage; readonly deliveryCount: number } | 'eof' | 'max-ack-pending';

export class SimConsumer {
  #config: SimConsumerConfig;
  /** Next stream sequence to look at for new messages. */
  #sseq = 1;
  /** Next delivery sequence. */
  #dseq = 1;
  #floorDseq = 0;
  #floorSeq = 0;
  /** Matching messages at or after #sseq (never delivered). */
  #numPending: number;
  readonly #pending = new Map<number, Pending>();
  /** Redelivery count (deliveries - 1) of messages delivered more than once and not yet acked. */
  readonly #redelivered = new Map<number, number>();
  /** The redelivery queue: a Set keeps insertion order and ignores a second add, as the server's rdq does. */
  readonly #rdq = new Set<number>();
  readonly #store = new SimConsumerStore(1);
  readonly #waiting: PullQueue;
  #timer: TimerId | undefined;
  #timerDueMs: number | undefined;

  constructor(
    config: SimConsumerConfig,
    private readonly stream: SimStream,
    private readonly clock: Timers,
  ) {
    this.#config = config;
    this.#numPending = stream.countMatching(this.#sseq, config.filterSubject);
    this.#waiting = new PullQueue(clock);
  }

  get config(): SimConsumerConfig {
    return this.#config;
  }

  update(config: SimConsumerConfig): void {
    const filterChanged = config.filterSubject !== this.#config.filterSubject;
    this.#config = config;
    if (filterChanged) this.#numPending = this.stream.countMatching(this.#sseq, config.filterSubject);
    this.#armTimer();
    this.#dispatch();
  }

  info(): ConsumerInfo {
    return {
      pending: this.#numPending,
      ackPending: this.#pending.size,
      redelivered: this.#redelivered.size,
      ackFloorSeq: this.#floorSeq,
    };
  }

  /** A new message was stored in the stream. */
  stored(message: SimMessage): void {
    if (message.seq >= this.#sseq && subjectMatches(this.#config.filterSubject, message.subject)) this.#numPending++;
    this.#dispatch();
  }

  /** A `no_wait` pull request arrives (processNextMsgRequest). */
  pull(req: PullRequester): void {
    const msgsPending = this.#numPending + this.#rdq.size;
    if (msgsPending === 0 && req.expiresMs <= 0) return req.end('drained'); // 404 No Messages
    // 408 Requests Pending: earlier requests already claim more than there is.
    if (msgsPending > 0 && msgsPending < this.#waiting.batchPending()) return req.end('drained');
    this.#waiting.add(req);
    this.#dispatch();
  }

  /** `dseq` is the delivery's own sequence (from its ack subject); the pending entry's wins if there is one. */
  ack(seq: number, dseq: number): void {
    const p = this.#pending.get(seq);
    const wasFull = this.#atMaxAckPending();
    if (p !== undefined) {
      this.#pending.delete(seq);
      dseq = p.dseq;
    }
    if (this.#pending.size === 0) {
      this.#floorDseq = this.#dseq - 1;
      this.#floorSeq = this.#sseq - 1;
    } else if (dseq === this.#floorDseq + 1) {
      this.#floorDseq = dseq;
      this.#floorSeq = seq;
      // The floor stops just below the next message still pending.
      const next = lowestAbove(this.#pending, seq, this.#sseq - 1);
      if (next !== undefined) {
        this.#floorDseq = next.dseq - 1;
        this.#floorSeq = next.seq - 1;
      }
    }
    this.#store.updateAcks(dseq, seq, this.#pending);
    this.#redelivered.delete(seq);
    this.#rdq.delete(seq);
    this.#armTimer();
    if (p !== undefined && wasFull) this.#dispatch();
  }

  nak(seq: number, dseq: number, delayMs: number): void {
    if (dseq <= this.#floorDseq || dseq >= this.#dseq) return;
    const p = this.#pending.get(seq);
    if (p === undefined) return;
    if (delayMs > 0) {
      this.#rdq.delete(seq);
      p.ts = this.clock.now() - this.#ackWaitMs() + delayMs;
      this.#armTimer();
      return;
    }
    this.#rdq.add(seq);
    this.#dispatch();
  }

  term(seq: number, dseq: number): void {
    this.ack(seq, dseq);
  }

  working(seq: number): void {
    const p = this.#pending.get(seq);
    if (p === undefined) return;
    p.ts = this.clock.now();
    this.#armTimer();
  }

  /** The server process died: waiting requests vanish unanswered, timers stop, memory-only state is lost. */
  crash(): void {
    this.#waiting.clear(undefined);
    this.#clearTimer();
  }

  /**
   * The server came back: state from the store (the cursor returns to the last delivered message, the redelivery
   * queue is gone), and pending is checked after `checkAfterMs` (2.9 picks 0.5–1.5 s, or the ack wait if shorter).
   */
  restart(checkAfterMs: number): void {
    this.#sseq = Math.max(1, this.#store.deliveredSeq + 1);
    this.#dseq = this.#store.deliveredDseq + 1;
    this.#floorDseq = this.#store.floorDseq;
    this.#floorSeq = this.#store.floorSeq;
    this.#rdq.clear();
    this.#numPending = this.stream.countMatching(this.#sseq, this.#config.filterSubject);
    if (this.#pending.size > 0) {
      this.#timerDueMs = this.clock.now() + Math.min(checkAfterMs, this.#ackWaitMs());
      this.#timer = this.clock.setTimeout(() => this.#checkPending(), this.#timerDueMs - this.clock.now());
    }
  }

  /** Deleted: waiting requests get 409 Consumer Deleted, timers stop. */
  close(): void {
    this.#waiting.clear('consumer-deleted');
    this.#clearTimer();
  }

  /** loopAndGatherMsgs: serve waiting requests while there is something to hand out. */
  #dispatch(): void {
    let delivered = false;
    while (this.#waiting.hasInterested()) {
      const next = this.#nextMessage();
      if (next === 'eof' || next === 'max-ack-pending') {
        // Blocked by max_ack_pending is not "nothing left": one-shot requests keep waiting for room.
        if (next === 'eof') this.#waiting.endSatisfied();
        break;
      }
      const dseq = this.#dseq++;
      const { message, deliveryCount } = next;
      const now = this.clock.now();
      const p = this.#pending.get(message.seq);
      if (p === undefined) this.#pending.set(message.seq, { dseq, ts: now });
      else Object.assign(p, { dseq, ts: now });
      this.#store.updateDelivered(dseq, message.seq);
      delivered = true;
      this.#waiting.deliverToHead({ ...message, data: new Uint8Array(message.data), deliveryCount, consumerSeq: dseq });
    }
    if (delivered) this.#armTimer();
  }

  /** getNextMsg: the redelivery queue first, then the next new matching message. */
  #nextMessage(): Next {
    for (const seq of this.#rdq) {
      this.#rdq.delete(seq);
      const redeliveries = (this.#redelivered.get(seq) ?? 0) + 1;
      this.#redelivered.set(seq, redeliveries);
      const deliveryCount = redeliveries + 1;
      const maxDeliver = this.#config.maxDeliver ?? -1;
      if (maxDeliver > 0 && deliveryCount > maxDeliver) {
        this.#pending.delete(seq);
        continue;
      }
      const message = this.stream.get(seq);
      if (message !== undefined) return { message, deliveryCount };
    }
    if (this.#atMaxAckPending()) return 'max-ack-pending';
    const message = this.stream.nextMatching(this.#sseq, this.#config.filterSubject);
    if (message === undefined) {
      this.#sseq = Math.max(this.#sseq, this.stream.lastSeq + 1);
      this.#numPending = 0;
      return 'eof';
    }
    this.#sseq = message.seq + 1;
    this.#numPending--;
    return { message, deliveryCount: 1 };
  }

  #atMaxAckPending(): boolean {
    return this.#config.maxAckPending > 0 && this.#pending.size >= this.#config.maxAckPending;
  }

  #ackWaitMs(): number {
    return this.#config.backoffMs?.[0] ?? this.#config.ackWaitMs;
  }

  /** When a pending message's wait runs out: its attempt's backoff entry, or the ack wait. */
  #deadline(seq: number, p: Pending): number {
    const backoff = this.#config.backoffMs ?? [];
    if (backoff.length === 0) return p.ts + this.#config.ackWaitMs;
    const attempt = Math.min(this.#redelivered.get(seq) ?? 0, backoff.length - 1);
    return p.ts + (backoff[attempt] ?? this.#config.ackWaitMs);
  }

  /** One timer at the earliest deadline of a pending message not already queued (the server's ptmr). */
  #armTimer(): void {
    let due: number | undefined;
    for (const [seq, p] of this.#pending) {
      if (this.#rdq.has(seq)) continue;
      const deadline = this.#deadline(seq, p);
      if (due === undefined || deadline < due) due = deadline;
    }
    if (due === this.#timerDueMs) return;
    this.#clearTimer();
    if (due === undefined) return;
    this.#timerDueMs = due;
    this.#timer = this.clock.setTimeout(() => this.#checkPending(), due - this.clock.now());
  }

  #clearTimer(): void {
    this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDueMs = undefined;
  }

  /** checkPending: expired messages join the redelivery queue in stream order. */
  #checkPending(): void {
    this.#clearTimer();
    const now = this.clock.now();
    const expired = [...this.#pending]
      .filter(([seq, p]) => !this.#rdq.has(seq) && this.#deadline(seq, p) <= now)
      .map(([seq]) => seq)
      .sort((a, b) => a - b);
    for (const seq of expired) this.#rdq.add(seq);
    this.#armTimer();
    if (expired.length > 0) this.#dispatch();
  }
}
