import type { BrokerStatus } from '../transport/port.js';
import { consumerHealth, type ConsumerHealth } from './consumerStatus.js';
import type { RunningSystem } from './system.js';

const brokerProbeTimeoutMs = 1_000;

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

export interface SystemHealth {
  readonly status: 'ok' | 'degraded';
  readonly broker: { readonly status: BrokerStatus; readonly lastSeq: number | null };
  readonly consumers: readonly ConsumerHealth[];
  readonly outboxes: readonly { readonly name: string; readonly state: string; readonly backlog: number; readonly lastProblem: string | null }[];
  readonly services: { readonly orders: string; readonly inventory: string };
}

/**
 * One look at everything: broker reachability, each consumer's state and lag, each outbox's backlog. Degraded
 * when the broker is not connected, or a consumer is failed/stopped/behind by a problem, or an outbox is stuck.
 */
export async function systemHealth(system: RunningSystem, nowMs = Date.now()): Promise<SystemHealth> {
  const transport = system.options.transport;
  // A broker that dies mid-request leaves the call hanging until the transport's API timeout (seconds); health must
  // answer promptly, so each look at the broker is bounded and the status is read after them, not before.
  const stream = transport.status() === 'connected' ? await within(transport.streamInfo(), brokerProbeTimeoutMs) : undefined;
  const consumers: ConsumerHealth[] = [];
  for (const model of Object.values(system.readModels)) {
    const checkpoint = model.store.checkpoint();
    const behind = stream !== undefined && stream.lastSeq > checkpoint;
    const oldest = behind && transport.status() === 'connected' ? await within(transport.getEvent(checkpoint + 1), brokerProbeTimeoutMs) : undefined;
    consumers.push(
      consumerHealth(model.name, model.consumer.getSnapshot(), { lastSeq: stream?.lastSeq ?? checkpoint }, model.store.deadLetters.count(), oldest?.timestampMs, nowMs),
    );
  }
  const brokerStatus = transport.status();
  const outboxes = Object.values(system.relays).map((relay) => {
    const snap = relay.getSnapshot();
    return { name: snap.context.input.name, state: String(snap.value), backlog: snap.context.input.outbox.backlog(), lastProblem: snap.context.lastProblem ?? null };
  });
  const degraded =
    brokerStatus !== 'connected' ||
    consumers.some((c) => c.state === 'failed' || c.state === 'stopped' || (c.lastProblem !== null && c.lagEvents > 0)) ||
    outboxes.some((o) => o.state !== 'idle' && o.state !== 'draining');
  return {
    status: degraded ? 'degraded' : 'ok',
    broker: { status: brokerStatus, lastSeq: stream?.lastSeq ?? null },
    consumers,
    outboxes,
    services: { orders: String(system.orderService.getSnapshot().value), inventory: String(system.inventoryService.getSnapshot().value) },
  };
}
