import type { BrokerStatus } from '../transport/port.js';
import { consumerHealth, type ConsumerHealth } from '../actors/consumerStatus.js';
import type { RunningSystem } from './startSystem.js';

/**
 * How long /health waits for the broker to answer a round trip. Short: a health check must answer promptly, and a
 * broker that takes longer than this to answer a stream-info request is not one the system can work with.
 */
export const BROKER_PROBE_TIMEOUT_MS = 500;
/** How long each look at a consumer's oldest unapplied event may take, once the broker has answered. */
const EVENT_PROBE_TIMEOUT_MS = 1_000;

/** The value, or undefined if `p` fails or takes longer than `ms` (a failed look at the broker is "unknown"). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The broker as /health sees it: the client's connection state, or `unresponsive` when the connection is up but the
 * broker did not answer a round trip in time (SIGSTOPped, hung, overloaded: the cached state still says connected).
 */
export type BrokerHealth = BrokerStatus | 'unresponsive';

export interface SystemHealth {
  /**
   * `ok`: everything is well. `degraded`: something needs a look — the broker unreachable, a consumer stopped,
   * failed or retrying while behind, an outbox stuck. Whether that makes the instance unfit to serve is the HTTP
   * status's business (see `healthHttpStatus`).
   */
  readonly status: 'ok' | 'degraded';
  readonly broker: {
    readonly status: BrokerHealth;
    /** How long the round trip took (a stream-info request), or null when it did not come back in time. */
    readonly roundTripMs: number | null;
    readonly lastSeq: number | null;
  };
  readonly consumers: readonly ConsumerHealth[];
  readonly outboxes: readonly {
    readonly name: string;
    readonly state: string;
    readonly backlog: number;
    readonly lastProblem: string | null;
  }[];
  readonly services: { readonly orders: string; readonly inventory: string };
}

/**
 * One look at everything: broker reachability, each consumer's state and lag, each outbox's backlog. Degraded
 * when the broker is not connected, or a consumer is failed/stopped/behind by a problem, or an outbox is stuck.
 */
export async function systemHealth(
  system: RunningSystem,
  nowMs = Date.now(),
  probeTimeoutMs = BROKER_PROBE_TIMEOUT_MS,
): Promise<SystemHealth> {
  const transport = system.options.transport;
  // A real round trip, not the connection's cached state: a SIGSTOPped broker keeps its TCP connection open, and the
  // client notices only at its next ping (minutes). A broker that dies mid-request leaves the call hanging until the
  // transport's API timeout (seconds); health must answer promptly, so each look at the broker is bounded and the
  // connection state is read after them, not before.
  const probeStart = Date.now();
  const stream = transport.status() === 'connected' ? await within(transport.streamInfo(), probeTimeoutMs) : undefined;
  const roundTripMs = stream === undefined ? null : Date.now() - probeStart;
  const consumers: ConsumerHealth[] = [];
  for (const model of Object.values(system.readModels)) {
    const checkpoint = model.store.checkpoint();
    const behind = stream !== undefined && stream.lastSeq > checkpoint;
    const oldest =
      behind && transport.status() === 'connected'
        ? await within(transport.getEvent(checkpoint + 1), EVENT_PROBE_TIMEOUT_MS)
        : undefined;
    consumers.push(
      consumerHealth(
        model.name,
        model.consumer.getSnapshot(),
        { lastSeq: stream?.lastSeq ?? checkpoint },
        model.store.deadLetters.count(),
        oldest?.timestampMs,
        nowMs,
      ),
    );
  }
  const connection = transport.status();
  const brokerStatus: BrokerHealth = connection === 'connected' && stream === undefined ? 'unresponsive' : connection;
  const outboxes = Object.values(system.relays).map((relay) => {
    const snap = relay.getSnapshot();
    return {
      name: snap.context.input.name,
      state: String(snap.value),
      backlog: snap.context.input.outbox.backlog(),
      lastProblem: snap.context.lastProblem ?? null,
    };
  });
  const degraded =
    brokerStatus !== 'connected' ||
    consumers.some(
      (c) => c.state === 'failed' || c.state === 'stopped' || (c.lastProblem !== null && c.lagEvents > 0),
    ) ||
    outboxes.some((o) => o.state !== 'idle' && o.state !== 'draining');
  return {
    status: degraded ? 'degraded' : 'ok',
    broker: { status: brokerStatus, roundTripMs, lastSeq: stream?.lastSeq ?? null },
    consumers,
    outboxes,
    services: {
      orders: String(system.orderService.getSnapshot().value),
      inventory: String(system.inventoryService.getSnapshot().value),
    },
  };
}

/**
 * The HTTP status of GET /health: 503 only when the broker cannot be reached (nothing is published, the read models
 * cannot move, reserve mode refuses orders) — taking the instance out of rotation is then right. A stopped, failed
 * or retrying consumer is 200 with `status: "degraded"`: commands still succeed and publish, every other read model
 * still serves, and restarting the instance would not repair the consumer (an operator's `start`, fix or rebuild
 * does). The body says which.
 */
export const healthHttpStatus = (health: SystemHealth): 200 | 503 => (health.broker.status === 'connected' ? 200 : 503);
