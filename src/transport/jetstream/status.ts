import type { NatsConnection, Status } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { TransportError, type BrokerStatus } from '../port.js';

/** The adapter's view of broker reachability: one current value plus change listeners. */
export class StatusHub {
  #current: BrokerStatus = 'connected';
  readonly #listeners = new Set<(status: BrokerStatus) => void>();

  constructor(private readonly log: Logger) {}

  get current(): BrokerStatus {
    return this.#current;
  }

  set(next: BrokerStatus): void {
    if (next === this.#current || this.#current === 'closed') return;
    this.#current = next;
    this.log.info({ status: next }, 'broker status changed');
    for (const listener of [...this.#listeners]) {
      try {
        listener(next);
      } catch (err: unknown) {
        this.log.error({ err, status: next }, 'status listener threw');
      }
    }
  }

  listen(listener: (status: BrokerStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Fail fast instead of letting the client buffer a request that can only time out. */
  requireConnected(what: string): void {
    if (this.#current !== 'connected') {
      throw new TransportError('unavailable', `${what}: broker is ${this.#current}`);
    }
  }
}

/** Feeds the connection's status events into the hub until the connection closes. */
export function watchConnection(nc: NatsConnection, hub: StatusHub, log: Logger): void {
  const pump = async (): Promise<void> => {
    for await (const event of nc.status()) {
      const next = toBrokerStatus(event, log);
      if (next !== undefined) hub.set(next);
    }
  };
  pump().catch((err: unknown) => log.error({ err }, 'status watcher failed'));
  nc.closed()
    .then((err) => {
      if (err) log.warn({ err }, 'connection closed with an error');
      hub.set('closed');
    })
    .catch((err: unknown) => log.error({ err }, 'closed() rejected'));
}

function toBrokerStatus(event: Status, log: Logger): BrokerStatus | undefined {
  switch (event.type) {
    case 'disconnect':
      return 'disconnected';
    case 'reconnecting':
      return 'reconnecting';
    case 'reconnect':
      return 'connected';
    case 'close':
      return 'closed';
    case 'staleConnection':
      // A disconnect event follows; say it now so fetches stop waiting on a hung broker.
      return 'disconnected';
    case 'error':
      log.warn({ err: event.error }, 'async server error');
      return undefined;
    case 'slowConsumer':
      log.warn({ subject: event.sub.getSubject(), pending: event.pending }, 'slow consumer');
      return undefined;
    case 'ldm':
    case 'update':
    case 'ping':
    case 'forceReconnect':
      return undefined;
    default: {
      const unexpected: never = event;
      log.debug({ event: unexpected }, 'unknown status event');
      return undefined;
    }
  }
}
