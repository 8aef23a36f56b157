import type { ConsumerState } from '../actors/consumerStatus.js';
import { isReadModelName, type ReadModelName } from '../domain/readModels.js';
import type { BrokerNodeState } from '../transport/natsCluster.js';
import type { BrokerStatus } from '../transport/port.js';
import type { LogEntry } from './eventLog.js';
import type { OrderCounts } from './orderCounts.js';
import type { ExpectationSpec } from './scenario.js';

/**
 * What the live dashboard shows, as plain data: the scenario runner's sampler builds one a few times a second
 * (`RunOptions.onTelemetry`), and `cqrs-testbed up` answers one on {@link TELEMETRY_SUBJECT}. JSON-safe on purpose:
 * the same value crosses NATS to a dashboard in another process.
 */
export interface Telemetry {
  /** `run`: a scenario on the runner (timeline, properties); `up`: a plain running system. */
  readonly source: 'run' | 'up';
  readonly scenario: string | null;
  readonly seed: number | null;
  /** Scenario clock (ms since the workload started), or uptime for `up`. */
  readonly elapsedMs: number;
  /** How long the workload lasts; null for `up`. */
  readonly workloadMs: number | null;
  readonly phase: 'workload' | 'healing' | 'settling' | 'checking' | 'running';
  readonly broker: BrokerStatus;
  /** The broker process is SIGSTOPped (a brokerPause fault, or paused from the dashboard). */
  readonly brokerPaused: boolean;
  /** Each node of a broker cluster (absent with one broker): its process up, and which leads the stream. */
  readonly brokerNodes?: readonly BrokerNodeState[];
  /** Each service process (absent in one process: `up --topology processes` only), as its supervisor knows it. */
  readonly processes?: readonly ProcessTelemetry[];
  readonly headSeq: number;
  readonly outboxBacklog: { readonly orders: number; readonly inventory: number };
  /** Every order by outcome (for `up`: what the order service knows, see serveTelemetry). */
  readonly orders: OrderCounts;
  readonly models: Readonly<Record<ReadModelName, ModelTelemetry>>;
  readonly timeline: readonly TimelineEntry[];
  /** Each expectation by the name its verdict will carry; empty for `up`. */
  readonly expectations: readonly string[];
  /** The first point of the log where the oracle's inventory went negative (known as soon as it is read). */
  readonly firstNegative: { readonly seq: number; readonly productId: string; readonly quantity: number } | null;
  /** Divergence and lag are those of an earlier sample: the last look at the broker has not answered yet. */
  readonly stale: boolean;
}

/** A service process of the multi-process topology. */
export interface ProcessTelemetry {
  readonly name: string;
  /** -1 while it is down. */
  readonly pid: number;
  readonly restarts: number;
  /** It kept dying: its supervisor stopped restarting it. */
  readonly gaveUp: boolean;
  /** SIGSTOPped from the dashboard, not continued yet. */
  readonly frozen: boolean;
}

/**
 * A model against the oracle at the head. `notYetApplied` counts the keys that differ only through events the
 * model has not applied yet (it lags: expected, and repaired by catching up); the other buckets are differences
 * its lag does not explain.
 */
export interface DivergenceCounts {
  readonly ok: number;
  readonly notYetApplied: number;
  readonly missing: number;
  readonly unexpected: number;
  readonly wrong: number;
  readonly duplicated: number;
}

export interface ModelTelemetry {
  readonly divergence: DivergenceCounts;
  readonly lagEvents: number;
  /** Age of the oldest event the model has not applied yet (0 when caught up). */
  readonly lagMs: number;
  readonly state: ConsumerState;
  readonly checkpoint: number;
  readonly redeliveries: number;
  readonly deadLetters: number;
  readonly lastProblem: string | null;
}

/** One fault or remediation step against the scenario clock. `atMs` null: "after the workload", not yet run. */
export interface TimelineEntry {
  readonly atMs: number | null;
  readonly label: string;
  readonly phase: 'fault-start' | 'fault-end' | 'remediation';
  /** past: done (or a fault since healed); active: a fault acting now; upcoming: not run yet. */
  readonly status: 'past' | 'active' | 'upcoming';
  /** Injected from the dashboard rather than by the scenario. */
  readonly live: boolean;
}

/** Where a running system answers telemetry requests; outside `shop.>`, so it is never an event on the stream. */
export const TELEMETRY_SUBJECT = 'telemetry.cqrs-testbed';
/** Where it takes {@link ControlAction}s. */
export const CONTROL_SUBJECT = 'telemetry.cqrs-testbed.control';

/** What the dashboard's keys do to a running system. */
export type ControlAction =
  | {
      readonly kind: 'stopConsumer' | 'startConsumer' | 'rebuild' | 'replayDeadLetters' | 'toggleBug';
      readonly target: ReadModelName;
    }
  | { readonly kind: 'pauseBroker' | 'resumeBroker' }
  /** On a broker cluster: SIGKILL of the node leading the stream (brought back by its supervisor, or 3 s later). */
  | { readonly kind: 'killLeaderNode' }
  | ProcessAction;

/** What the dashboard's keys do on the processes topology: to the process running the selected model's consumer. */
export interface ProcessAction {
  readonly kind: 'killProcess' | 'freezeProcess' | 'thawProcess';
  readonly target: ReadModelName;
}

export const isProcessAction = (a: ControlAction): a is ProcessAction => PROCESS_KINDS.includes(a.kind as never);

export interface ControlResult {
  readonly ok: boolean;
  readonly message: string;
}

/** Live fault injection and remediation on a running system, local (the runner) or across NATS (`dashboard`). */
export interface LiveControl {
  send(action: ControlAction): Promise<ControlResult>;
}

const PROCESS_KINDS = ['killProcess', 'freezeProcess', 'thawProcess'] as const;
const TARGETED = [
  ...(['stopConsumer', 'startConsumer', 'rebuild', 'replayDeadLetters', 'toggleBug'] as const),
  ...PROCESS_KINDS,
] as const;
const UNTARGETED = ['pauseBroker', 'resumeBroker', 'killLeaderNode'] as const;

/** A control action from the wire (another process), or undefined if it is not one. */
export function parseControlAction(raw: unknown): ControlAction | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { kind, target } = raw as { kind?: unknown; target?: unknown };
  if ((UNTARGETED as readonly unknown[]).includes(kind)) return { kind: kind as (typeof UNTARGETED)[number] };
  if ((TARGETED as readonly unknown[]).includes(kind) && isReadModelName(target)) {
    return { kind: kind as (typeof TARGETED)[number], target };
  }
  return undefined;
}

/** The names `evaluate` gives each expectation's verdict, known before the run judges them. */
export function expectationNames(expectations: readonly ExpectationSpec[]): string[] {
  return expectations.map((e) => {
    if ('violation' in e) return `violation:${e.violation}`;
    return e.property === 'deadLetters' || e.property === 'convergenceLatency'
      ? `${e.property}:${e.target}`
      : e.property;
  });
}

/**
 * When the event at `seq` happened (its envelope's `occurredAt`), from the oracle's log; undefined if the log does
 * not hold it (undecodable, or not read yet). Binary search: the log is in stream order.
 */
export function occurredAtMs(log: readonly LogEntry[], seq: number): number | undefined {
  let lo = 0;
  let hi = log.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const entry = log[mid];
    if (entry === undefined) return undefined;
    if (entry.seq === seq) return Date.parse(entry.envelope.occurredAt);
    if (entry.seq < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  // A gap (an undecodable event at `seq`): the next decodable one is the oldest unapplied event we can date.
  const next = log[lo];
  return next === undefined ? undefined : Date.parse(next.envelope.occurredAt);
}

/** Lag in ms of a model at `checkpoint`: how old the first event past it is. */
export function lagMsOf(log: readonly LogEntry[], checkpoint: number, headSeq: number, nowMs: number): number {
  if (checkpoint >= headSeq) return 0;
  const at = occurredAtMs(log, checkpoint + 1);
  return at === undefined || Number.isNaN(at) ? 0 : Math.max(0, nowMs - at);
}
