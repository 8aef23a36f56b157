/**
 * One client connection to the simulated broker, with what nats.js does for it: a status that follows the broker
 * (disconnected → reconnecting → connected, reconnect attempts every `reconnectWaitMs`), stale detection of a hung
 * broker, one-way publishes (acks, replies) buffered while reconnecting and flushed on reconnect, and requests that
 * time out on the virtual clock.
 */
import type { Logger } from 'pino';
import { TransportError, type BrokerStatus } from '../port.js';
import type { TimerId, VirtualClock } from './virtualClock.js';

/** What a connection needs from its broker. */
export interface SimLink {
  readonly clock: VirtualClock;
  /** Whether a dial would succeed right now. */
  acceptsConnections(): boolean;
  /** Carries an operation to the server (latency, pause and outage apply). */
  carry(from: SimConnection, op: () => void): void;
  /** Delay before the next reconnect attempt. */
  reconnectDelayMs(): number;
  detach(connection: SimConnection): void;
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export class SimConnection {
  #status: BrokerStatus = 'connected';
  readonly #listeners = new Set<(status: BrokerStatus) => void>();
  /** Publishes issued while not connected; nats.js keeps them and sends them after reconnecting. */
  #outbox: (() => void)[] = [];
  #reconnectTimer: TimerId | undefined;
  #staleTimer: TimerId | undefined;
  /** Per-connection FIFO under latency: an operation never overtakes an earlier one. */
  lastArrivalMs = 0;

  constructor(
    readonly name: string,
    private readonly link: SimLink,
    private readonly log: Logger,
  ) {}

  get status(): BrokerStatus {
    return this.#status;
  }

  onStatus(listener: (status: BrokerStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Same wording and kind as the adapter's fail-fast check. */
  requireConnected(what: string): void {
    if (this.#status !== 'connected') {
      throw new TransportError('unavailable', `${what}: broker is ${this.#status}`);
    }
  }

  /** A one-way publish. False if the connection is closed (the message is not sent). */
  send(op: () => void): boolean {
    if (this.#status === 'closed') return false;
    if (this.#status === 'connected') this.link.carry(this, op);
    else this.#outbox.push(op);
    return true;
  }

  /**
   * A request: `op` runs at the server and its result comes back unless the link dropped meanwhile. A TransportError
   * thrown by the server gets `what` in front, as the adapter words its errors. Times out on the virtual clock like a
   * NATS request ('timeout' while connected, else 'unavailable'); closing the connection fails it at once.
   */
  request<T>(what: string, timeoutMs: number, op: () => T): Promise<T> {
    const clock = this.link.clock;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        stopListening();
        fn();
      };
      const timer = clock.setTimeout(() => {
        const kind = this.#status === 'connected' ? 'timeout' : 'unavailable';
        settle(() => reject(new TransportError(kind, `${what}: no answer in time (broker ${this.#status})`)));
      }, timeoutMs);
      const stopListening = this.onStatus((status) => {
        if (status === 'closed') settle(() => reject(new TransportError('unavailable', `${what}: connection closed`)));
      });
      const answer = (outcome: Outcome<T>): void => {
        if (this.#status !== 'connected') return;
        if (outcome.ok) return settle(() => resolve(outcome.value));
        const err = outcome.error;
        settle(() =>
          reject(
            err instanceof TransportError
              ? new TransportError(err.kind, `${what}: ${err.message}`, { cause: err })
              : err instanceof Error
                ? err
                : new Error(String(err)),
          ),
        );
      };
      this.send(() => {
        let outcome: Outcome<T>;
        try {
          outcome = { ok: true, value: op() };
        } catch (error: unknown) {
          outcome = { ok: false, error };
        }
        answer(outcome);
      });
    });
  }

  /** The broker went away (stopped) or stopped answering pings (hung): the socket is gone. */
  lost(): void {
    if (this.#status === 'closed') return;
    this.link.clock.clearTimeout(this.#staleTimer);
    this.#staleTimer = undefined;
    if (this.#status !== 'connected') return;
    this.#set('disconnected');
    // nats.js dials again at once (and fails), then every reconnectTimeWait.
    this.#set('reconnecting');
    this.#scheduleReconnect();
  }

  /** A hung broker is noticed only when pings go unanswered. */
  watchForStale(afterMs: number): void {
    if (this.#status !== 'connected' || this.#staleTimer !== undefined) return;
    this.#staleTimer = this.link.clock.setTimeout(() => {
      this.#staleTimer = undefined;
      this.lost();
    }, afterMs);
  }

  /** The broker answers again before pings ran out. */
  stopWatchingForStale(): void {
    this.link.clock.clearTimeout(this.#staleTimer);
    this.#staleTimer = undefined;
  }

  close(): void {
    if (this.#status === 'closed') return;
    this.link.clock.clearTimeout(this.#reconnectTimer);
    this.stopWatchingForStale();
    this.#outbox = [];
    this.link.detach(this);
    this.#set('closed');
  }

  #scheduleReconnect(): void {
    this.#reconnectTimer = this.link.clock.setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#status !== 'reconnecting') return;
      if (!this.link.acceptsConnections()) return this.#scheduleReconnect();
      this.#set('connected');
      const buffered = this.#outbox;
      this.#outbox = [];
      for (const op of buffered) this.link.carry(this, op);
    }, this.link.reconnectDelayMs());
  }

  #set(next: BrokerStatus): void {
    if (next === this.#status || this.#status === 'closed') return;
    this.#status = next;
    this.log.info({ status: next }, 'broker status changed');
    for (const listener of [...this.#listeners]) {
      try {
        listener(next);
      } catch (err: unknown) {
        this.log.error({ err, status: next }, 'status listener threw');
      }
    }
  }
}
