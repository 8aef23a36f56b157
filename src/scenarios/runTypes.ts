import type { Logger } from 'pino';
import type { ConsumerState } from '../actors/consumerStatus.js';
import type { ReadModelName } from '../domain/readModels.js';
import type { ProjectionPlugins } from '../plugins/projectionPlugin.js';
import type { ModelAttribution } from './attribution.js';
import type { CaughtUpDivergence } from './caughtUpCheck.js';
import type { Divergence } from './divergence.js';
import type { Operation } from './history.js';
import type { ReportedStep } from './runRecorder.js';
import type { LatencySummary } from './visibility.js';
import type { OrderCounts } from './orderCounts.js';
import type { ReservationCheck } from './reservationCheck.js';
import type { LiveControl, Telemetry } from './telemetry.js';
import type { PropertyResult } from './verdict.js';
import type { WorkloadCounters } from './workloadDriver.js';
import type { WriteModelCheck } from './writeModelCheck.js';
import type { CrashPointSpec } from './scenario.js';
import type { PluginReport } from './pluginReport.js';

// What a scenario run takes (options) and gives (the report, progress, samples), and how it can end without a
// verdict. The runner (runner.ts) and its rigs (natsRig.ts, simRig.ts) produce these; the CLI, the dashboard, the
// property suite and the reports consume them.

/** Infrastructure the run cannot do without failed (no nats-server, cannot bind): exit code 2, not a verdict. */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';
}

/** The run was abandoned through `RunOptions.signal` (the dashboard's quit key): no verdict. */
export class RunAborted extends Error {
  override readonly name = 'RunAborted';
}

export interface Sample {
  readonly atMs: number;
  readonly headSeq: number;
  /** Rows committed but not yet published, per outbox. */
  readonly outboxBacklog: { readonly orders: number; readonly inventory: number };
  readonly models: Readonly<
    Record<
      ReadModelName,
      {
        readonly divergent: number;
        readonly lagEvents: number;
        readonly state: ConsumerState;
        readonly checkpoint: number;
      }
    >
  >;
}

export interface ModelReport {
  readonly divergence: Divergence;
  readonly checkpoint: number;
  readonly lagEvents: number;
  readonly redeliveries: number;
  readonly deadLetters: number;
  readonly state: ConsumerState;
  /** Why the consumer was not moving when judged (its last stop, broker error or fatal error), if it was not. */
  readonly lastProblem: string | null;
  readonly maxLagEvents: number;
}

export interface ScenarioReport {
  readonly scenario: string;
  readonly file: string;
  readonly seed: number;
  readonly verdict: 'pass' | 'fail';
  readonly properties: readonly PropertyResult[];
  /** Per read model: ok, stalled, diverged on its own, or following Products (see attribution.ts). */
  readonly attribution: readonly ModelAttribution[];
  /** The plug-ins in place of built-in read models, and what their crash points did (empty: built-ins only). */
  readonly plugins: readonly PluginReport[];
  /** What the broker got wrong (acknowledged events it does not hold), apart from the testbed's verdict: see brokerFindings.ts. */
  readonly brokerFindings: readonly string[];
  readonly models: Readonly<Record<ReadModelName, ModelReport>>;
  /**
   * From the later of the workload's end and the last fault healing (or remediation finishing) to every model equal
   * to the oracle at the head of the stream; null if never. While orders still flow, "equal at the head" is a moving
   * target, so the clock starts when the load stops.
   */
  readonly convergedAfterMs: number | null;
  readonly writeModel: WriteModelCheck;
  readonly reservations: ReservationCheck;
  /** Per model, the first divergence found at a sample where every model had applied exactly the log read. */
  readonly caughtUpDivergence: Partial<Record<ReadModelName, CaughtUpDivergence>>;
  readonly workload: WorkloadCounters;
  readonly events: { readonly stream: number; readonly undecodable: number };
  /** Products whose quantity in the oracle is negative at the end of the log (oversold, and never restocked). */
  readonly finalNegativeInventory: readonly string[];
  /** What happened when: the scenario's faults and remediations, and (`live`) actions taken from the dashboard. */
  readonly timeline: readonly ReportedStep[];
  /** Scenario time the run converged (null: never); convergedAfterMs counts from the last heal instead. */
  readonly convergedAtMs: number | null;
  /** Actions taken from the dashboard: when there were any, the seed alone does not replay this run. */
  readonly liveActions: number;
  readonly samples: readonly Sample[];
  /** Every client operation (Jepsen-style history), accepted orders with their visibility per model. */
  readonly history: readonly Operation[];
  /** Operations beyond the history's bound, not kept. */
  readonly historyDropped: number;
  /** Per read model an order changes: how long after its 201 the order became visible there. */
  readonly latency: Partial<Record<ReadModelName, LatencySummary>>;
  readonly durationMs: number;
}

export interface Progress {
  readonly elapsedMs: number;
  readonly phase: 'workload' | 'healing' | 'settling' | 'checking';
  /** Every order so far, by outcome. */
  readonly orders: OrderCounts;
  readonly activeFaults: readonly string[];
  readonly lagEvents: Readonly<Record<ReadModelName, number>>;
}

export interface RunOptions {
  readonly log: Logger;
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  readonly sampleEveryMs?: number;
  readonly onProgress?: (p: Progress) => void;
  /** Users' projections replacing built-in read models (src/plugins/); judged by the same properties. */
  readonly plugins?: ProjectionPlugins;
  /** Crash points of self-managed plug-ins, armed before the workload starts (after the scenario's own `crashPoints`). */
  readonly crashPoints?: readonly CrashPointSpec[];
  /** A rich snapshot for the live dashboard, from the sampler (every `sampleEveryMs`). */
  readonly onTelemetry?: (t: Telemetry) => void;
  /** Called once the rig is up with live fault injection and remediation on it (the dashboard's keys). */
  readonly onControl?: (control: LiveControl) => void;
  /** Abandons the run: it rejects with RunAborted (the rig is still torn down). */
  readonly signal?: AbortSignal;
}

export type { CrashPointSpec };
