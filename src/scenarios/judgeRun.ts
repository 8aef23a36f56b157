import { sleep, type Clock } from '../actors/clock.js';
import { perReadModel, READ_MODELS, type ReadModelName, type ReadModelStates } from '../domain/readModels.js';
import { readModelStates } from '../system/pluginWiring.js';
import type { RunningSystem } from '../system/startSystem.js';
import { TransportError, type Transport } from '../transport/port.js';
import { attribute } from './attribution.js';
import { compareMaps, divergent, divergenceOf } from './divergence.js';
import { checkReservations } from './reservationCheck.js';
import type { ModelReport, ScenarioReport } from './runTypes.js';
import type { Sampler } from './sampler.js';
import type { SystemView } from './systemView.js';
import type { OperationHistory } from './history.js';
import { convergenceLatency, type VisibilityTracker } from './visibility.js';
import type { BrokerControl, BrokerNodes, TimelineContext } from './timeline.js';
import { evaluate, needsRebuildComparison, type RebuildComparison } from './verdict.js';
import { checkWriteModel } from './writeModelCheck.js';
import type { RunParts } from './runParts.js';
import { pluginReports } from './pluginReport.js';
import {
  acknowledgedEvents,
  brokerFindings,
  leaderlessConsumers,
  replicaFindings,
  rewriteFinding,
} from './brokerFindings.js';
import { readEventLog } from './eventLog.js';
import type { FaultController } from './faultController.js';

export interface JudgeInput extends RunParts {
  readonly transport: Transport;
  readonly sampler: Sampler;
  readonly awaitConsumer: TimelineContext['awaitConsumer'];
  /** Scenario time of convergence (null: never), and of the last fault healing. */
  readonly convergedAtMs: number | null;
  readonly lastHealMs: number;
  /** When the run started, on the rig's clock. */
  readonly runStart: number;
  /** What the crash points of the plug-ins did, for the report. */
  readonly faults: FaultController;
  /** The broker: on a cluster, its replicas are compared at the end. */
  readonly broker: BrokerControl;
  /** Every client operation, and when each model's checkpoint moved: convergence latency. */
  readonly history: OperationHistory;
  readonly visibility: VisibilityTracker;
}

/**
 * The end of a run: the final read of the log and of every model, the write-model and reservation checks, a rebuild
 * of every model compared with its incremental view (when a property asks), every expectation judged, and which
 * model broke how. The report is assembled here.
 */
export async function judgeRun(input: JudgeInput): Promise<ScenarioReport> {
  const { scenario, view, oracle } = input;
  // The broker may still be reconnecting after a late fault; the final read of the log waits for it (bounded).
  await brokerRetrying(input.clock, () => oracle.catchUp());
  // What the outboxes had acknowledged, then the whole stream read afresh (in that order, see brokerFindings.ts):
  // the broker's findings, and the check that the history the oracle read incrementally still stands.
  const acknowledged = acknowledgedEvents({ orders: view.orderStore.outbox, inventory: view.inventoryStore.outbox });
  const fresh = await brokerRetrying(input.clock, () => readEventLog(input.transport));
  const rewrite = oracle.adopt(fresh);
  if (rewrite) input.caughtUp.forgetFrom(rewrite.fromSeq);
  const brokerSaw = [...brokerFindings(acknowledged, fresh.entries), ...oracle.rewrites.map(rewriteFinding)];
  const finalModels = view.readModelStates();
  const finalDivergence = divergenceOf(oracle.state, finalModels, oracle.log);
  // Where each consumer stood when judged (the rebuild comparison below moves every checkpoint to the head).
  const standing = standingOf(view);
  if (input.broker.nodes)
    brokerSaw.push(...(await clusterFindings(input.broker.nodes, standing, fresh.lastSeq, input.clock)));
  const rebuildMismatches = needsRebuildComparison(scenario.expect)
    ? await compareRebuild(inProcess(input.system, 'rebuildEqualsIncremental'), finalModels, input.awaitConsumer)
    : undefined;
  const writeModel = checkWriteModel(view.orderStore, oracle.log);
  const reservations = checkReservations(
    scenario.system.inventoryMode,
    view.inventoryStore,
    view.orderStore,
    oracle.log,
  );
  const deadLetters = perReadModel((m) => view.deadLetters(m));
  const convergedAfterMs = input.convergedAtMs === null ? null : Math.max(0, input.convergedAtMs - input.lastHealMs);
  const caughtUpDivergence = input.caughtUp.findings();
  const ran = historyOf(input, oracle.log);
  const properties = evaluate(scenario.expect, {
    latency: ran.latency,
    finalDivergence,
    caughtUpDivergence,
    convergedAfterMs,
    writeModel,
    reservations,
    deadLetters,
    firstNegative: oracle.firstNegative,
    rebuildMismatches,
  });
  const head = oracle.state.lastSeq;
  const models = perReadModel((m): ModelReport => {
    const { checkpoint, state, lastProblem } = standing[m];
    return {
      divergence: finalDivergence[m],
      checkpoint,
      lagEvents: Math.max(0, head - checkpoint),
      redeliveries: view.consumer(m).redeliveries,
      deadLetters: deadLetters[m],
      state,
      lastProblem,
      maxLagEvents: input.sampler.maxLag[m],
    };
  });
  const plugins = new Set(READ_MODELS.filter((m) => view.plugin(m) !== undefined));
  const rebuildKeysDiffer = Object.fromEntries(
    READ_MODELS.flatMap((m) => {
      const c = rebuildMismatches?.[m];
      return c && 'keysDiffer' in c ? [[m, c.keysDiffer]] : [];
    }),
  ) as Partial<Record<ReadModelName, number>>;
  const attribution = attribute({ headSeq: head, plugins, models, caughtUp: caughtUpDivergence, rebuildKeysDiffer });
  return {
    scenario: scenario.name,
    file: scenario.file,
    seed: input.seed,
    verdict: properties.every((p) => p.holds) ? 'pass' : 'fail',
    properties,
    attribution,
    plugins: pluginReports((m) => view.plugin(m), input.faults),
    models,
    convergedAfterMs,
    convergedAtMs: input.convergedAtMs,
    writeModel,
    reservations,
    caughtUpDivergence,
    workload: input.counters,
    events: { stream: head, undecodable: oracle.undecodable.length },
    finalNegativeInventory: [...oracle.state.inventory].filter(([, q]) => q < 0).map(([p, q]) => `${p}: ${q}`),
    timeline: input.recorder.reportTimeline(),
    liveActions: input.recorder.liveActions(),
    samples: input.sampler.samples,
    durationMs: input.clock.now() - input.runStart,
    brokerFindings: [...new Set(brokerSaw)],
    ...ran, // a history flipping back and forth is one finding per flip seen
  };
}

/** The operation history with each accepted order's visibility, and the latency per model it yields. */
function historyOf(input: JudgeInput, log: JudgeInput['oracle']['log']) {
  const { operations, latency } = convergenceLatency(input.history.operations(), log, input.visibility);
  return { history: operations, historyDropped: input.history.dropped, latency };
}

/** On a broker cluster: its nodes' copies of the stream compared, and the consumers short of the head asked after. */
async function clusterFindings(
  nodes: BrokerNodes,
  standing: ReturnType<typeof standingOf>,
  head: number,
  clock: Clock,
): Promise<string[]> {
  const stalled = READ_MODELS.filter((m) => standing[m].checkpoint < head).map((m) => ({
    durable: m,
    lastProblem: standing[m].lastProblem,
  }));
  return [
    ...(await replicaFindings(() => nodes.replicaStates(), clock)),
    ...(await leaderlessConsumers(stalled, (durable) => nodes.consumerLeader(durable))),
  ];
}

/** Where each consumer stands: its checkpoint, state and last problem. */
function standingOf(view: SystemView) {
  return perReadModel((m) => {
    const { state, lastProblem } = view.consumer(m);
    return { checkpoint: view.checkpoint(m), state, lastProblem };
  });
}

/** The system, where a judgement needs it in this process (a rebuild on demand); an error naming why otherwise. */
function inProcess(system: RunningSystem | undefined, why: string): RunningSystem {
  if (!system) throw new Error(`${why} needs the services in this process (the single-process topology)`);
  return system;
}

/** Retries a read while the broker is unreachable, for up to a minute of the rig's time. */
async function brokerRetrying<T>(clock: Clock, read: () => Promise<T>): Promise<T> {
  const until = clock.now() + 60_000;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof TransportError) || clock.now() >= until) throw error;
      await sleep(clock, 250);
    }
  }
}

/**
 * Rebuilds every model from sequence 1 and counts keys where the rebuilt view differs from the incremental one.
 * Two views are comparable only at the same position in the log: a model whose incremental view stopped short of
 * where its rebuild got to (a stalled consumer: `converges` reports that) is marked not compared, not "different".
 */
async function compareRebuild(
  system: RunningSystem,
  incremental: ReadModelStates,
  awaitConsumer: TimelineContext['awaitConsumer'],
): Promise<Record<ReadModelName, RebuildComparison>> {
  const incrementalSeq = Object.fromEntries(
    READ_MODELS.map((m) => [m, system.readModels[m].store.checkpoint()]),
  ) as Record<ReadModelName, number>;
  const rebuiltSeq = {} as Record<ReadModelName, number>;
  for (const m of READ_MODELS) {
    const ref = system.readModels[m].consumer;
    const before = ref.getSnapshot().context.rebuilds;
    ref.send({ type: 'REBUILD' });
    await awaitConsumer(m, () => ref.getSnapshot().context.rebuilds > before, 'rebuild to finish');
    rebuiltSeq[m] = system.readModels[m].store.checkpoint();
  }
  const rebuilt = readModelStates(system.readModels);
  const compare = <M extends ReadModelName>(m: M): RebuildComparison =>
    incrementalSeq[m] === rebuiltSeq[m]
      ? {
          keysDiffer: divergent(
            compareMaps(incremental[m] as ReadonlyMap<string, unknown>, rebuilt[m] as ReadonlyMap<string, unknown>),
          ),
        }
      : {
          notComparedBecause: `its incremental view stopped at seq ${incrementalSeq[m]}, the rebuild reached ${rebuiltSeq[m]}`,
        };
  return perReadModel(compare);
}
