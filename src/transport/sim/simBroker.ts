/**
 * The simulated JetStream server: one stream, durable pull consumers, request/reply routing, client connections, and
 * fault controls — all on one virtual clock, with randomness (if any) from one seeded PRNG. Several transports may
 * share a broker, as several connections share a server.
 *
 * Faults, as the real broker shows them to the adapter:
 * - `down()`/`up()`: a stopped and restarted nats-server. Connections see the socket close at once (disconnected →
 *   reconnecting) and reconnect on their next attempt after `up()`; waiting pulls vanish; consumers keep what their
 *   file store kept.
 * - `pause()`/`resume()`: a SIGSTOPped server. Nothing is answered and the server's own timers stand still; what the
 *   clients sent is processed on resume, in order (so a publish that timed out may still be stored). Connections
 *   notice after `staleAfterMs` (missed pings) and go reconnecting.
 */
import { pino, type Logger } from 'pino';
import type { Prng } from '../../domain/prng.js';
import { EVENT_SUBJECTS, TransportError, type ConsumerInfo, type StreamInfo } from '../port.js';
import { SimConnection, type SimLink } from './simConnection.js';
import { SimConsumer, type SimConsumerConfig } from './simConsumer.js';
import type { PullRequester } from './simPull.js';
import { SimServices } from './simServices.js';
import { SimStream, type SimMessage, type StoreResult } from './simStream.js';
import { subjectMatches } from './subjects.js';
import { VirtualClock, type TimerId, type Timers } from './virtualClock.js';

export interface SimBrokerOptions {
  readonly clock?: VirtualClock;
  /** The run's PRNG: latency jitter, reconnect jitter, queue-group picks, restart check delay. */
  readonly prng?: Prng;
  /** One-way latency of every client→server operation, uniform in [min, max] (needs `prng` for max > min). 0 default. */
  readonly latencyMs?: { readonly min: number; readonly max: number };
  /** nats.js pings every 5 s and gives up after 2 unanswered: a hung server is noticed 10–15 s in. */
  readonly staleAfterMs?: number;
  /** The adapter's reconnectTimeWait. */
  readonly reconnectWaitMs?: number;
  /** nats.js adds up to 100 ms of jitter per attempt; applied only with a `prng`. */
  readonly reconnectJitterMs?: number;
  readonly log?: Logger;
}

export type SimBrokerState = 'up' | 'down' | 'paused';
export type Provisioned = 'created' | 'updated' | 'unchanged';
export type AckVerb = { readonly kind: 'ack' | 'term' | 'working' } | { readonly kind: 'nak'; readonly delayMs: number };

export class SimBroker implements SimLink {
  readonly clock: VirtualClock;
  readonly services: SimServices;
  /** The server's own timers: they stand still while paused and die with the process. */
  readonly #serverTimers: Timers;
  #state: SimBrokerState = 'up';
  #stream: SimStream | undefined;
  readonly #consumers = new Map<string, SimConsumer>();
  readonly #connections = new Set<SimConnection>();
  /** What reached a paused server (operations and its own timers), run in order on resume. */
  #frozen: (() => void)[] = [];
  readonly #log: Logger;

  constructor(private readonly options: SimBrokerOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    this.services = new SimServices(options.prng);
    this.#log = (options.log ?? pino({ level: 'silent' })).child({ component: 'sim-broker' });
    const clock = this.clock;
    this.#serverTimers = {
      now: () => clock.now(),
      setTimeout: (fn, ms): TimerId => clock.setTimeout(() => this.#whenRunning(fn), ms),
      clearTimeout: (id) => clock.clearTimeout(id),
    };
  }

  get state(): SimBrokerState {
    return this.#state;
  }

  // ---- faults

  down(): void {
    if (this.#state === 'down') return;
    this.#log.info({ from: this.#state }, 'broker down');
    this.#state = 'down';
    this.#frozen = [];
    for (const consumer of this.#consumers.values()) consumer.crash();
    for (const connection of [...this.#connections]) connection.lost();
  }

  up(): void {
    if (this.#state !== 'down') return;
    this.#log.info('broker up');
    this.#state = 'up';
    const prng = this.options.prng;
    for (const consumer of this.#consumers.values()) consumer.restart(prng === undefined ? 1_000 : prng.int(500, 1_500));
  }

  pause(): void {
    if (this.#state !== 'up') return;
    this.#log.info('broker paused');
    this.#state = 'paused';
    for (const connection of this.#connections) connection.watchForStale(this.options.staleAfterMs ?? 15_000);
  }

  resume(): void {
    if (this.#state !== 'paused') return;
    this.#log.info({ backlog: this.#frozen.length }, 'broker resumed');
    this.#state = 'up';
    for (const connection of this.#connections) connection.stopWatchingForStale();
    const backlog = this.#frozen;
    this.#frozen = [];
    for (const work of backlog) this.#whenRunning(work);
  }

  // ---- connections

  /** A new client connection; like connecting to a real server, it fails if the server is not answering. */
  connect(name: string, log: Logger = this.#log): SimConnection {
    if (this.#state !== 'up') throw new TransportError('unavailable', `cannot connect ${name}: broker is ${this.#state}`);
    const connection = new SimConnection(name, this, log);
    this.#connections.add(connection);
    return connection;
  }

  acceptsConnections(): boolean {
    return this.#state === 'up';
  }

  carry(from: SimConnection, op: () => void): void {
    const now = this.clock.now();
    const latency = this.#latencyMs();
    if (latency === 0 && from.lastArrivalMs <= now) return this.#whenRunning(op);
    // FIFO per connection: never before the previous operation from the same connection.
    const at = Math.max(from.lastArrivalMs, now + latency);
    from.lastArrivalMs = at;
    this.clock.setTimeout(() => this.#whenRunning(op), at - now);
  }

  reconnectDelayMs(): number {
    const wait = this.options.reconnectWaitMs ?? 250;
    const prng = this.options.prng;
    return prng === undefined ? wait : wait + prng.int(0, this.options.reconnectJitterMs ?? 100);
  }

  detach(connection: SimConnection): void {
    this.#connections.delete(connection);
    for (const subscription of this.services.ofConnection(connection)) this.services.remove(subscription);
  }

  // ---- the server's API (what arrives over a connection)

  provisionStream(duplicateWindowMs: number): Provisioned {
    if (this.#stream === undefined) {
      this.#stream = new SimStream(EVENT_SUBJECTS, duplicateWindowMs);
      return 'created';
    }
    if (this.#stream.duplicateWindowMs === duplicateWindowMs) return 'unchanged';
    this.#stream.duplicateWindowMs = duplicateWindowMs;
    return 'updated';
  }

  publish(subject: string, data: Uint8Array, msgId: string | undefined): StoreResult {
    const stream = this.#stream;
    // No stream listens on the subject: the server answers 503, which the client reports as JetStream not enabled.
    if (stream === undefined || !stream.accepts(subject)) throw new TransportError('unavailable', 'jetstream is not enabled');
    const result = stream.store(subject, data, msgId, this.clock.now());
    const message = stream.get(result.seq);
    if (!result.duplicate && message !== undefined) {
      for (const consumer of this.#consumers.values()) consumer.stored(message);
    }
    return result;
  }

  consumerConfig(durable: string): SimConsumerConfig | undefined {
    this.#requireStream();
    return this.#consumers.get(durable)?.config;
  }

  /** Creates or replaces a durable's config (position and pending are kept on update). */
  upsertConsumer(config: SimConsumerConfig): Provisioned {
    const stream = this.#requireStream();
    const filter = config.filterSubject;
    if (!subjectMatches(stream.subjects, filter) && !subjectMatches(filter, stream.subjects)) {
      throw new TransportError('rejected', 'consumer filter subject is not a valid subset of the interest subjects');
    }
    const backoff = config.backoffMs ?? [];
    if (backoff.length > 0 && (config.maxDeliver ?? -1) <= backoff.length) {
      throw new TransportError('rejected', 'max deliver is required to be > length of backoff values');
    }
    const existing = this.#consumers.get(config.durable);
    if (existing === undefined) {
      this.#consumers.set(config.durable, new SimConsumer(config, stream, this.#serverTimers));
      return 'created';
    }
    existing.update(config);
    return 'updated';
  }

  deleteConsumer(durable: string): boolean {
    this.#requireStream();
    const consumer = this.#consumers.get(durable);
    if (consumer === undefined) return false;
    this.#consumers.delete(durable);
    consumer.close();
    return true;
  }

  consumerInfo(durable: string): ConsumerInfo {
    this.#requireStream();
    const consumer = this.#consumers.get(durable);
    if (consumer === undefined) throw new TransportError('not-found', 'consumer not found');
    return consumer.info();
  }

  /** 2.9 says nothing at all to a pull for a consumer (or stream) that does not exist. */
  pull(durable: string, req: PullRequester): void {
    this.#consumers.get(durable)?.pull(req);
  }

  /** Acks are one-way: for a consumer that is gone they are dropped. */
  ackVerb(durable: string, seq: number, dseq: number, verb: AckVerb): void {
    const consumer = this.#consumers.get(durable);
    if (consumer === undefined) return;
    switch (verb.kind) {
      case 'ack':
        return consumer.ack(seq, dseq);
      case 'term':
        return consumer.term(seq, dseq);
      case 'working':
        return consumer.working(seq);
      case 'nak':
        return consumer.nak(seq, dseq, verb.delayMs);
      default: {
        const unexpected: never = verb;
        throw new Error(`unknown ack verb ${JSON.stringify(unexpected)}`);
      }
    }
  }

  getMessage(seq: number): SimMessage | undefined {
    return this.#requireStream().get(seq);
  }

  readRange(fromSeq: number, max: number): SimMessage[] {
    return this.#requireStream().range(fromSeq, max);
  }

  streamInfo(): StreamInfo {
    const stream = this.#requireStream();
    const lastSeq = stream.lastSeq;
    // As 2.9 reports it: an empty stream has first_seq 0.
    return { firstSeq: lastSeq > 0 ? 1 : 0, lastSeq, messages: stream.count, lastTimestampMs: stream.lastTimestampMs };
  }

  #requireStream(): SimStream {
    if (this.#stream === undefined) throw new TransportError('not-found', 'stream not found');
    return this.#stream;
  }

  /** Runs server-side work now, holds it while paused, drops it while down (the process is gone). */
  #whenRunning(work: () => void): void {
    switch (this.#state) {
      case 'up':
        return work();
      case 'paused':
        this.#frozen.push(work);
        return;
      case 'down':
        return;
      default: {
        const unexpected: never = this.#state;
        throw new Error(`unknown broker state ${String(unexpected)}`);
      }
    }
  }

  #latencyMs(): number {
    const latency = this.options.latencyMs;
    if (latency === undefined) return 0;
    const prng = this.options.prng;
    return prng === undefined ? latency.min : prng.int(latency.min, latency.max);
  }
}
