import type { InventoryMode } from '../domain/inventoryCheck.js';
import type { ReadModelName } from '../domain/readModels.js';

/**
 * A scenario, as loaded and validated from YAML (see scenarios/schema.json). Times are milliseconds from the start
 * of the workload on the scenario clock. Everything has a bound: the loader rejects what exceeds one.
 */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** What the scenario teaches (shown by `cqrs-testbed list`). */
  readonly teaches: string;
  readonly seed: number;
  readonly system: SystemSpec;
  readonly workload: WorkloadSpec;
  readonly faults: readonly FaultSpec[];
  readonly remediation: readonly RemediationSpec[];
  readonly expect: readonly ExpectationSpec[];
  /** Hard bound on the whole run, workload plus settling (default 60 s). */
  readonly timeoutMs: number;
  /**
   * Plug-in modules the scenario runs with, by the read model each replaces (`--projection` overrides one). Written
   * relative to the scenario file's folder; the loader resolves them to absolute paths.
   */
  readonly projections?: Readonly<Partial<Record<ReadModelName, string>>>;
  /**
   * Crash points of self-managed plug-ins armed before the workload starts, as `--crash-point` arms them (a
   * counterexample of `check --crash-point` records its flags here, so its file replays alone).
   */
  readonly crashPoints?: readonly CrashPointSpec[];
  /** Where it was loaded from, for messages. */
  readonly file: string;
}

/** The next `times` passes of `target`'s plug-in through `ctx.crashPoint(point)` crash its consumer. */
export interface CrashPointSpec {
  readonly target: ReadModelName;
  readonly point: string;
  readonly times: number;
}

export type OutboxTarget = 'orders' | 'inventory';

export interface SystemSpec {
  readonly inventoryMode: InventoryMode;
  /** `wait` (shipped) or `naive` (the article's literal look-up; writes stale names when Products lags). */
  readonly summaryDependency: 'wait' | 'naive';
  readonly consumer: {
    readonly ackWaitMs: number;
    readonly maxDeliveries: number;
    readonly batchSize: number;
    readonly initialBackoffMs: number;
    readonly maxBackoffMs: number;
    /**
     * Time a handler takes per event, spent between fetch and apply (virtual time on the simulation). Long batches
     * outlast the ack wait: the broker redelivers events already applied, interleaved with newer ones.
     */
    readonly handlerMsPerEvent: number;
  };
  /**
   * The deployment: absent, one broker and every service in the runner's process; `brokers: 3` (or 5) a JetStream
   * cluster, the stream on every node; `processes: true` every service its own OS process (src/topology/).
   */
  readonly topology?: { readonly brokers?: number; readonly processes?: boolean };
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * A stretch of the order load, back to back from the workload's start: a `ramp` from one rate to another, or a
 * constant rate (`steady`, or a short `spike`). After the last phase, `ordersPerSecond` holds to the end.
 */
export type WorkloadPhase =
  | { readonly shape: 'ramp'; readonly durationMs: number; readonly from: number; readonly to: number }
  | { readonly shape: 'steady' | 'spike'; readonly durationMs: number; readonly ordersPerSecond: number };

export interface WorkloadSpec {
  readonly durationMs: number;
  readonly ordersPerSecond: number;
  /** The order load's shape over time; absent: `ordersPerSecond` throughout. */
  readonly phases?: readonly WorkloadPhase[];
  /** Orders in flight at once, at most: more concurrency, more room for the oversell race. */
  readonly concurrency: number;
  readonly customers: number;
  readonly products: number;
  /** Zipf exponent of product popularity: 0 uniform, ~1 a few hot products, 2 one very hot product. */
  readonly hotProductSkew: number;
  readonly initialStock: Range;
  readonly itemsPerOrder: Range;
  readonly quantityPerItem: Range;
  /** Chance that a further line of an order names a product already on it (0: every line a distinct product). */
  readonly repeatedLineShare: number;
  readonly stockAdjustmentsPerSecond: number;
  /** Each stock adjustment's delta (0 never: it is drawn again as +1); negative removes stock, refused below zero. */
  readonly stockAdjustmentDelta: Range;
  readonly renamesPerSecond: number;
  readonly repricesPerSecond: number;
}

interface Timed {
  readonly atMs: number;
}

/** The service processes of the multi-process topology a process fault can hit. */
export const SERVICE_PROCESSES = ['orders', 'inventory', 'products', 'summary'] as const;
export type ServiceProcessName = (typeof SERVICE_PROCESSES)[number];
/** The process that runs each read model's consumer (the inventory service's runs its ProductInventory view). */
export const PROCESS_OF_MODEL: Readonly<Record<ReadModelName, ServiceProcessName>> = {
  'product-inventory': 'inventory',
  products: 'products',
  'customer-order-summary': 'summary',
};
/**
 * When a process kill strikes: `now`, wherever it is; `afterCommit`, right after its consumer's next commit, before
 * the acks; `betweenCheckAndCommit`, inside the order service's next order (its stock checked or reserved).
 */
export const PROCESS_KILL_POINTS = ['now', 'afterCommit', 'betweenCheckAndCommit'] as const;
export type ProcessKillPoint = (typeof PROCESS_KILL_POINTS)[number];

/**
 * A node of the broker cluster: by index, whichever leads the stream when the fault starts, or one that does not
 * (the next after the leader).
 */
export type BrokerNodeChoice = number | 'leader' | 'follower';

/** Faults last `durationMs`, or — for bugs — until a `deployFix` remediation on the same target. */
export type FaultSpec =
  | (Timed & { readonly kind: 'consumerOutage'; readonly target: ReadModelName; readonly durationMs: number })
  | (Timed & { readonly kind: 'crashMidBatch'; readonly target: ReadModelName; readonly times: number })
  | (Timed & { readonly kind: 'handlerBug'; readonly target: ReadModelName; readonly match: EventMatch })
  | (Timed & { readonly kind: 'silentCorruption'; readonly target: ReadModelName; readonly match: EventMatch })
  | (Timed & {
      readonly kind: 'slowConsumer';
      readonly target: ReadModelName;
      readonly latencyMs: number;
      readonly durationMs: number;
    })
  | (Timed & { readonly kind: 'poisonEvent'; readonly count: number })
  | (Timed & { readonly kind: 'dependencyLag'; readonly durationMs: number })
  | (Timed & { readonly kind: 'brokerPause'; readonly durationMs: number })
  | (Timed & { readonly kind: 'brokerRestart'; readonly downMs: number })
  | (Timed & { readonly kind: 'brokerNodeKill'; readonly node: BrokerNodeChoice; readonly restartAfterMs: number })
  | (Timed & { readonly kind: 'brokerNodeRestart'; readonly node: BrokerNodeChoice; readonly downMs: number })
  | (Timed & { readonly kind: 'partition'; readonly node: BrokerNodeChoice; readonly durationMs: number })
  | (Timed & {
      readonly kind: 'processKill';
      readonly target: ServiceProcessName;
      readonly when: ProcessKillPoint;
      readonly restartAfterMs: number;
    })
  | (Timed & { readonly kind: 'processPause'; readonly target: ServiceProcessName; readonly durationMs: number })
  | (Timed & { readonly kind: 'outboxRelayOutage'; readonly target: OutboxTarget; readonly durationMs: number })
  | (Timed & { readonly kind: 'orderServiceCrash'; readonly times: number })
  | (Timed & {
      readonly kind: 'ackLoss';
      readonly target: ReadModelName;
      readonly durationMs: number;
      readonly ratio: number;
    })
  | (Timed & {
      readonly kind: 'processRestart';
      readonly target: ReadModelName;
      readonly restartAfterMs: number;
      readonly when: ProcessKillMoment;
    })
  | (Timed & {
      readonly kind: 'crashPoint';
      readonly target: ReadModelName;
      readonly point: string;
      readonly times: number;
    });

export type FaultKind = FaultSpec['kind'];

/**
 * When a processRestart kills: `afterCommit`, the worst moment — right after its next commit, before the acks
 * (waiting at most PROCESS_KILL_WAIT_MS for one) — or `now`, wherever the process is.
 */
export type ProcessKillMoment = 'afterCommit' | 'now';

/** Which events a handler bug hits. Every given field must match. */
export interface EventMatch {
  readonly eventType?: string;
  readonly productId?: string;
}

/** `atMs`, or `afterWorkload: true` to run once the workload has ended (and the faults before it healed). */
export type RemediationSpec = {
  readonly action: 'deployFix' | 'rebuild' | 'replayDeadLetters' | 'restartConsumer';
  readonly target: ReadModelName;
  readonly atMs?: number;
  readonly afterWorkload?: boolean;
};

export type PropertyName =
  | 'converges'
  | 'nothingLost'
  | 'noDuplicatedEffect'
  | 'noWrongValues'
  | 'deadLetters'
  | 'inventoryNeverNegative'
  | 'rebuildEqualsIncremental'
  | 'writeModelPublishedOnce'
  | 'noStrandedReservations'
  | 'convergenceLatency';

export type ExpectationSpec =
  | { readonly property: 'converges'; readonly withinMs: number }
  | { readonly property: 'deadLetters'; readonly target: ReadModelName; readonly count: number }
  /** Accepted orders become visible in the target read model within p99Ms of their 201, at the 99th percentile. */
  | { readonly property: 'convergenceLatency'; readonly target: ReadModelName; readonly p99Ms: number }
  | { readonly property: Exclude<PropertyName, 'converges' | 'deadLetters' | 'convergenceLatency'> }
  /** The named property is expected NOT to hold: the scenario passes when the violation is found. */
  | {
      readonly violation: PropertyName;
      readonly withinMs?: number;
      readonly target?: ReadModelName;
      readonly count?: number;
      readonly p99Ms?: number;
    };
