import { inProcessView, type SystemView } from './systemView.js';
import type { RunningSystem } from '../system/startSystem.js';
import type { ReferenceState } from '../domain/projections/oracle.js';
import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type { ModelStates } from './divergence.js';
import type { LogEntry } from './eventLog.js';
import { divergenceWithLag } from './notYetApplied.js';
import type { OrderCounts } from './orderCounts.js';
import type { Scenario } from './scenario.js';
import { expectationNames, lagMsOf, type ModelTelemetry, type Telemetry, type TimelineEntry } from './telemetry.js';
import type { WorkloadCounters } from './workloadDriver.js';

/** A step the run has executed, with the fault it starts or ends (scenario `fault#i`, or `live:…`). */
export interface RanStep {
  readonly atMs: number;
  readonly label: string;
  readonly phase: TimelineEntry['phase'];
  readonly key: string | undefined;
  readonly live: boolean;
  /** Acts once (poison published, crashes armed): never shown as active. */
  readonly instant: boolean;
}

/**
 * Past, active and upcoming steps: a fault-start is active while its key is among the active faults (until its
 * fault-end, a deployFix, or the live action that ends it).
 */
export function timelineEntries(
  ran: readonly RanStep[],
  activeKeys: ReadonlySet<string>,
  upcoming: readonly { readonly atMs: number | null; readonly label: string; readonly phase: TimelineEntry['phase'] }[],
): TimelineEntry[] {
  // Only the latest start of a key is active: a consumer stopped, started and stopped again is active once.
  const latestStart = new Map<string, number>();
  ran.forEach((s, i) => {
    if (s.key !== undefined && s.phase === 'fault-start') latestStart.set(s.key, i);
  });
  const past = ran.map((s, i): TimelineEntry => ({
    atMs: s.atMs,
    label: s.label,
    phase: s.phase,
    live: s.live,
    status:
      s.phase === 'fault-start' &&
      !s.instant &&
      s.key !== undefined &&
      activeKeys.has(s.key) &&
      latestStart.get(s.key) === i
        ? 'active'
        : 'past',
  }));
  return [...past, ...upcoming.map((u): TimelineEntry => ({ ...u, status: 'upcoming', live: false }))];
}

export interface RunTelemetryInput {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly system: RunningSystem;
  readonly elapsedMs: number;
  readonly nowMs: number;
  readonly phase: Telemetry['phase'];
  readonly brokerPaused: boolean;
  readonly headSeq: number;
  /** The oracle's state at `headSeq`, and each model's, read in this same synchronous turn. */
  readonly reference: ReferenceState;
  readonly states: ModelStates;
  readonly log: readonly LogEntry[];
  readonly counters: WorkloadCounters;
  readonly timeline: readonly TimelineEntry[];
  readonly firstNegative: Telemetry['firstNegative'] | undefined;
}

/** Just the order counts (the telemetry crosses NATS: no more than the dashboard shows). */
const orderCountsOf = (c: OrderCounts): OrderCounts => ({
  placed: c.placed,
  rejected: c.rejected,
  unavailable: c.unavailable,
  invalid: c.invalid,
  failed: c.failed,
});

/** The consumer side of a model, read now: state, position, retries. */
function consumerSide(view: SystemView, name: ReadModelName) {
  const { state, redeliveries, lastProblem } = view.consumer(name);
  return { state, checkpoint: view.checkpoint(name), redeliveries, deadLetters: view.deadLetters(name), lastProblem };
}

/**
 * Every read model as the dashboard shows it: divergence from the oracle (what its lag explains apart from what it
 * does not), lag, and its consumer's state. Synchronous: the checkpoints are read in the turn `states` were.
 */
export function modelsTelemetry(
  view: SystemView,
  headSeq: number,
  compared: { readonly reference: ReferenceState; readonly states: ModelStates },
  log: readonly LogEntry[],
  nowMs: number,
): Record<ReadModelName, ModelTelemetry> {
  const sides = Object.fromEntries(READ_MODELS.map((name) => [name, consumerSide(view, name)])) as Record<
    ReadModelName,
    ReturnType<typeof consumerSide>
  >;
  const checkpoints = Object.fromEntries(READ_MODELS.map((name) => [name, sides[name].checkpoint])) as Record<
    ReadModelName,
    number
  >;
  const divergence = divergenceWithLag(compared.reference, compared.states, log, checkpoints);
  const models = {} as Record<ReadModelName, ModelTelemetry>;
  for (const name of READ_MODELS) {
    const side = sides[name];
    models[name] = {
      ...side,
      divergence: divergence[name],
      lagEvents: Math.max(0, headSeq - side.checkpoint),
      lagMs: lagMsOf(log, side.checkpoint, headSeq, nowMs),
    };
  }
  return models;
}

/** One snapshot for the dashboard, from what the sampler just computed. */
export function telemetrySnapshot(input: RunTelemetryInput): Telemetry {
  const { system } = input;
  const models = modelsTelemetry(inProcessView(system), input.headSeq, input, input.log, input.nowMs);
  return {
    source: 'run',
    scenario: input.scenario.name,
    seed: input.seed,
    elapsedMs: input.elapsedMs,
    workloadMs: input.scenario.workload.durationMs,
    phase: input.phase,
    broker: system.options.transport.status(),
    brokerPaused: input.brokerPaused,
    headSeq: input.headSeq,
    outboxBacklog: { orders: system.orderStore.outbox.backlog(), inventory: system.inventoryStore.outbox.backlog() },
    orders: orderCountsOf(input.counters),
    models,
    timeline: input.timeline,
    expectations: expectationNames(input.scenario.expect),
    firstNegative: input.firstNegative ?? null,
    stale: false,
  };
}

/**
 * The last snapshot brought up to date with what needs no broker (clock, phase, consumer states, the timeline,
 * outboxes, counters), for the ticks where the sampler is still waiting on a paused or restarting broker.
 */
export function refreshedTelemetry(
  last: Telemetry,
  now: Pick<RunTelemetryInput, 'system' | 'elapsedMs' | 'phase' | 'brokerPaused' | 'counters' | 'timeline'>,
): Telemetry {
  const models = {} as Record<ReadModelName, ModelTelemetry>;
  const view = inProcessView(now.system);
  for (const name of READ_MODELS) {
    const side = consumerSide(view, name);
    models[name] = { ...last.models[name], ...side, lagEvents: Math.max(0, last.headSeq - side.checkpoint) };
  }
  return {
    ...last,
    elapsedMs: now.elapsedMs,
    phase: now.phase,
    broker: now.system.options.transport.status(),
    brokerPaused: now.brokerPaused,
    outboxBacklog: {
      orders: now.system.orderStore.outbox.backlog(),
      inventory: now.system.inventoryStore.outbox.backlog(),
    },
    orders: orderCountsOf(now.counters),
    models,
    timeline: now.timeline,
    stale: true,
  };
}
