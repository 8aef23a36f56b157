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
import { TransportError } from '../port.js';
import { SimConnection, type SimLink } from './simConnection.js';
import { SimJetStream } from './simJetStream.js';
import { SimServices } from './simServices.js';
import { VirtualClock, type TimerId } from './virtualClock.js';

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

export class SimBroker implements SimLink {
  readonly clock: VirtualClock;
  /** The server's stream and consumers; operations reach it through a connection (`SimConnection.request`). */
  readonly jetstream: SimJetStream;
  readonly services: SimServices;
  #state: SimBrokerState = 'up';
  readonly #connections = new Set<SimConnection>();
  /** What reached a paused server (operations and its own timers), run in order on resume. */
  #frozen: (() => void)[] = [];
  readonly #log: Logger;

  constructor(private readonly options: SimBrokerOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    this.services = new SimServices(options.prng);
    this.#log = (options.log ?? pino({ level: 'silent' })).child({ component: 'sim-broker' });
    const clock = this.clock;
    // The server's own timers: they stand still while paused and die with the process.
    this.jetstream = new SimJetStream({
      now: () => clock.now(),
      setTimeout: (fn, ms): TimerId => clock.setTimeout(() => this.#whenRunning(fn), ms),
      clearTimeout: (id) => clock.clearTimeout(id),
    });
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
    this.jetstream.crash();
    for (const connection of [...this.#connections]) connection.lost();
  }

  up(): void {
    if (this.#state !== 'down') return;
    this.#log.info('broker up');
    this.#state = 'up';
    const prng = this.options.prng;
    // 2.9 checks restored pending after a random 0.5–1.5 s.
    this.jetstream.restart(() => (prng === undefined ? 1_000 : prng.int(500, 1_500)));
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
    if (this.#state !== 'up')
      throw new TransportError('unavailable', `cannot connect ${name}: broker is ${this.#state}`);
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
