import { join } from 'node:path';
import type { Logger } from 'pino';
import { isoNow, realClock, sleep, type Clock } from '../actors/clock.js';
import { consumerState, type ConsumerState } from '../actors/consumerStatus.js';
import { startSystem, type RunningSystem, type SystemOptions } from '../system/startSystem.js';
import { perReadModel, READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type { ProjectionPlugins } from '../plugins/projectionPlugin.js';
import { readModelStates } from '../system/pluginWiring.js';
import { brokerPidFileOf, brokerStoreOf, createOwnedTempDir, removeOwnedTempDir } from '../process/ownedTempDir.js';
import { connectJetStream } from '../transport/jetstream/jetstreamTransport.js';
import { startNatsServer, type NatsServerProcess } from '../transport/natsServerProcess.js';
import { TransportError, type Transport } from '../transport/port.js';
import { attribute, type ModelAttribution } from './attribution.js';
import { CaughtUpCheck, type CaughtUpDivergence } from './caughtUpCheck.js';
import { compareMaps, divergent, divergenceOf, type Divergence } from './divergence.js';
import { FaultController } from './faultController.js';
import { IncrementalOracle } from './incrementalOracle.js';
import { createLiveControl, type LiveStep } from './liveControl.js';
import type { OrderCounts } from './orderCounts.js';
import { checkReservations, strandedReservations, type ReservationCheck } from './reservationCheck.js';
import { refreshedTelemetry, telemetrySnapshot, timelineEntries, type RanStep } from './runTelemetry.js';
import type { Scenario } from './scenario.js';
import type { LiveControl, Telemetry } from './telemetry.js';
import { faultEndMs, planTimeline, remediationStep, type BrokerControl, type TimelineContext, type TimedStep } from './timeline.js';
import { evaluate, needsRebuildComparison, type PropertyResult, type RebuildComparison } from './verdict.js';
import { workloadCatalog, workloadOps } from './workload.js';
import { driveWorkload, emptyCounters, seedWorkloadCatalog, type WorkloadCounters } from './workloadDriver.js';
import { checkWriteModel, type WriteModelCheck } from './writeModelCheck.js';
import { systemPort } from '../system/systemPort.js';

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
  readonly models: Readonly<Record<ReadModelName, { readonly divergent: number; readonly lagEvents: number; readonly state: ConsumerState; readonly checkpoint: number }>>;
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
  readonly timeline: readonly { readonly atMs: number; readonly label: string; readonly phase: string; readonly live: boolean }[];
  /** Actions taken from the dashboard: when there were any, the seed alone does not replay this run. */
  readonly liveActions: number;
  readonly samples: readonly Sample[];
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
  /** Crash points of self-managed plug-ins, armed before the workload starts (no scenario fault kind for them yet). */
  readonly crashPoints?: readonly CrashPointSpec[];
  /** A rich snapshot for the live dashboard, from the sampler (every `sampleEveryMs`). */
  readonly onTelemetry?: (t: Telemetry) => void;
  /** Called once the rig is up with live fault injection and remediation on it (the dashboard's keys). */
  readonly onControl?: (control: LiveControl) => void;
  /** Abandons the run: it rejects with RunAborted (the rig is still torn down). */
  readonly signal?: AbortSignal;
}

/** The next `times` passes of `target`'s plug-in through `ctx.crashPoint(point)` crash its consumer. */
export interface CrashPointSpec {
  readonly target: ReadModelName;
  readonly point: string;
  readonly times: number;
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

/** Time kept back from the scenario's timeout for the final checks (a rebuild of every model, at worst). */
const CHECKS_RESERVE_MS = 15_000;


/** Everything a run needs, real (nats-server, files, wall clock) or simulated (virtual clock, in memory). */
export interface Rig {
  readonly clock: Clock;
  readonly broker: BrokerControl;
  readonly transport: Transport;
  readonly system: RunningSystem;
  readonly faults: FaultController;
  readonly newId: () => string;
}

interface NatsRig extends Rig {
  readonly dir: string;
  readonly server: NatsServerProcess;
}

async function setUp(scenario: Scenario, log: Logger, plugins: ProjectionPlugins | undefined): Promise<NatsRig> {
  // Owned (pid in the dir) and the broker detached with a guard and a pid file: a run killed outright leaves neither
  // a nats-server nor, after the next start's sweep, the dir (src/process/).
  const dir = createOwnedTempDir(`cqrs-scenario-${scenario.name}-`);
  let server: NatsServerProcess;
  try {
    server = await startNatsServer({ storeDir: brokerStoreOf(dir), pidFile: brokerPidFileOf(dir), detach: true, log: log.child({ actor: 'nats-server' }) });
  } catch (error) {
    removeOwnedTempDir(dir);
    throw new InfrastructureError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const transport = await connectJetStream({ servers: server.url, name: `scenario-${scenario.name}`, log: log.child({ actor: 'transport' }) });
  const faults = new FaultController(realClock);
  const system = await startSystem({
    ...systemOptionsFor(scenario, faults),
    transport, log, dataDir: join(dir, 'data'), ...(plugins ? { plugins } : {}),
  });
  superviseCrashes(faults, system, realClock);
  return { dir, server, broker: server, clock: realClock, transport, system, faults, newId: () => crypto.randomUUID() };
}

/** The system options a scenario asks for, with the fault controller's hooks wired in. */
export function systemOptionsFor(scenario: Scenario, faults: FaultController): Pick<SystemOptions, 'inventoryMode' | 'summary' | 'consumer' | 'wrapView' | 'consumerHooks' | 'orderHooks'> {
  const c = scenario.system.consumer;
  return {
    inventoryMode: scenario.system.inventoryMode,
    summary: { dependency: scenario.system.summaryDependency },
    consumer: {
      ackWaitMs: c.ackWaitMs, batchSize: c.batchSize, handlerMsPerEvent: c.handlerMsPerEvent,
      retry: { maxDeliveries: c.maxDeliveries, initialBackoffMs: c.initialBackoffMs, maxBackoffMs: c.maxBackoffMs, multiplier: 2 },
    },
    wrapView: faults.wrapView,
    consumerHooks: faults.hooks,
    orderHooks: faults.orderHooks,
  };
}

/** An injected crash kills the consumer; a supervisor would restart it shortly after. */
export function superviseCrashes(faults: FaultController, system: RunningSystem, clock: Clock): void {
  faults.onCrash = (name) =>
    clock.setTimeout(() => {
      const consumer = system.readModels[name].consumer;
      if (consumer.getSnapshot().status === 'active') consumer.send({ type: 'START' }); // not after the system stopped
    }, 250);
}

async function tearDown(rig: NatsRig): Promise<void> {
  rig.server.resume(); // never leave a SIGSTOPped broker behind
  await rig.system.stop();
  await rig.transport.close();
  await rig.server.stop();
  removeOwnedTempDir(rig.dir);
}

/** Every read model in the oracle's shape; a plug-in's own `readState` where one replaces the built-in. */
function modelStatesOf(system: RunningSystem) {
  return readModelStates(system.readModels);
}

/**
 * Runs one scenario end to end on a private nats-server: seed the catalogue, play the workload while the timeline
 * injects faults and remediations, sample divergence from the oracle, wait for convergence (bounded), check the
 * write model and (if asked) rebuild-equals-incremental, and judge every expectation.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioReport> {
  const seed = options.seed ?? scenario.seed;
  const log = options.log.child({ scenario: scenario.name, seed });
  const rig = await setUp(scenario, log, options.plugins);
  try {
    return await runOnRig(rig, scenario, seed, options, log);
  } finally {
    await tearDown(rig);
  }
}

/** The run itself, on any rig: every wait goes through the rig's clock, so it runs as well in virtual time. */
export async function runOnRig(rig: Rig, scenario: Scenario, seed: number, options: RunOptions, log: Logger): Promise<ScenarioReport> {
  const { system, transport, clock } = rig;
  const runStart = clock.now();
  const deadline = runStart + scenario.timeoutMs;
  const port = systemPort(system, { newId: rig.newId, now: isoNow(clock) });
  await seedWorkloadCatalog(port, workloadCatalog(scenario.workload, seed));

  const oracle = new IncrementalOracle(transport);
  const counters = emptyCounters();
  const { timed, afterWorkload } = planTimeline(scenario);
  const timelineLog: { atMs: number; label: string; phase: string; live: boolean }[] = [];
  const maxLag: Record<ReadModelName, number> = perReadModel(() => 0);
  const samples: Sample[] = [];
  const active = new Map<string, string>(); // fault key → label
  let phase: Progress['phase'] = 'workload';

  const awaitConsumer: TimelineContext['awaitConsumer'] = async (name, done, what) => {
    const until = clock.now() + 30_000;
    while (!done() && clock.now() < until) await sleep(clock, 20);
    if (!done()) throw new Error(`${name}: timed out waiting for ${what}`);
  };
  const ctx: TimelineContext = { system, transport, broker: rig.broker, clock, faults: rig.faults, seed, awaitConsumer };
  const startMs = clock.now();
  const elapsed = () => clock.now() - startMs;
  for (const c of options.crashPoints ?? []) {
    rig.faults.armCrashPoint(c.target, c.point, c.times);
    timelineLog.push({ atMs: 0, label: `${c.target} crashes at crash point "${c.point}" (×${c.times})`, phase: 'fault-start', live: false });
  }
  const caughtUp = new CaughtUpCheck();
  const rebuildsOf = (m: ReadModelName) => system.readModels[m].consumer.getSnapshot().context.rebuilds;
  const ran: RanStep[] = []; // the timeline as the dashboard sees it (with fault keys and live actions)
  const ranSteps = new Set<TimedStep>();
  let afterWorkloadRan = 0;
  const runStep = async (step: TimedStep, atMs: number) => {
    timelineLog.push({ atMs, label: step.label, phase: step.phase, live: false });
    ranSteps.add(step);
    ran.push({ atMs, label: step.label, phase: step.phase, key: step.faultKey, live: false, instant: step.instant === true });
    if (step.phase === 'fault-start' && step.faultKey && step.instant !== true) active.set(step.faultKey, step.label);
    if (step.phase === 'fault-end' && step.faultKey) active.delete(step.faultKey);
    for (const key of step.ends ?? []) active.delete(key);
    if (step.taints) caughtUp.taint(step.taints, rebuildsOf);
    log.info({ atMs, step: step.label }, step.phase);
    await step.run(ctx);
  };
  const recordLive = (step: LiveStep) => {
    const atMs = elapsed();
    timelineLog.push({ atMs, label: step.label, phase: step.phase, live: true });
    ran.push({ atMs, label: step.label, phase: step.phase, key: step.key, live: true, instant: false });
    if (step.phase === 'fault-start') active.set(step.key, step.label);
    if (step.phase === 'fault-end') active.delete(step.key);
    if (step.taints) caughtUp.taint(step.taints, rebuildsOf);
    log.info({ atMs, step: step.label }, `${step.phase} (live)`);
  };
  const live = options.onControl ? createLiveControl({ system, clock, faults: rig.faults, broker: rig.broker, record: recordLive }) : undefined;
  if (live) options.onControl?.(live);
  const brokerPaused = () =>
    live?.brokerPaused() === true || scenario.faults.some((f, i) => f.kind === 'brokerPause' && active.has(`fault#${i}`));
  const telemetryTimeline = () =>
    timelineEntries(ran, new Set(active.keys()), [
      ...timed.filter((s) => !ranSteps.has(s)).map((s) => ({ atMs: s.atMs, label: s.label, phase: s.phase })),
      ...afterWorkload.slice(afterWorkloadRan).map((r) => ({ atMs: null, label: `${r.action} ${r.target}`, phase: 'remediation' as const })),
    ]);
  let lastTelemetry: Telemetry | undefined;

  // The sampler: oracle at the head vs each model, a few times a second. Skips a tick while the last is running
  // (a paused broker makes reads wait), so samples never pile up.
  let inflight: Promise<void> | undefined;
  // What the newest sample established; undefined while none has succeeded since the last failed one (the broker
  // was unreachable): an older sample says nothing about events published since, so it must not decide convergence.
  let latest: SampleFacts | undefined;
  const takeSample = async () => {
    try {
      const head = await oracle.catchUp();
      const states = modelStatesOf(system);
      const div = divergenceOf(oracle.state, states, oracle.log);
      const models = {} as Record<ReadModelName, { divergent: number; lagEvents: number; state: ConsumerState; checkpoint: number }>;
      for (const name of READ_MODELS) {
        const checkpoint = system.readModels[name].store.checkpoint();
        const lagEvents = Math.max(0, head - checkpoint);
        maxLag[name] = Math.max(maxLag[name], lagEvents);
        models[name] = { divergent: divergent(div[name]), lagEvents, state: consumerState(system.readModels[name].consumer.getSnapshot()), checkpoint };
      }
      latest = {
        divergent: READ_MODELS.reduce((s, m) => s + models[m].divergent, 0),
        behindHead: READ_MODELS.filter((m) => models[m].checkpoint < head),
      };
      caughtUp.observe({
        atMs: elapsed(), headSeq: head, divergence: div, divergent,
        checkpoints: Object.fromEntries(READ_MODELS.map((m) => [m, models[m].checkpoint])) as Record<ReadModelName, number>,
        rebuilding: (m) => models[m].state === 'rebuilding', rebuilds: rebuildsOf,
      });
      const outboxBacklog = { orders: system.orderStore.outbox.backlog(), inventory: system.inventoryStore.outbox.backlog() };
      samples.push({ atMs: elapsed(), headSeq: head, outboxBacklog, models });
      if (options.onTelemetry) {
        lastTelemetry = telemetrySnapshot({
          scenario, seed, system, elapsedMs: elapsed(), nowMs: clock.now(), phase, brokerPaused: brokerPaused(), headSeq: head, reference: oracle.state, states,
          log: oracle.log, counters, timeline: telemetryTimeline(), firstNegative: oracle.firstNegative,
        });
        options.onTelemetry(lastTelemetry);
      }
      if (samples.length > 2_000) samples.splice(0, samples.length - 2_000); // bounded
      options.onProgress?.({
        elapsedMs: elapsed(), phase, orders: { ...counters }, activeFaults: [...active.values()],
        lagEvents: Object.fromEntries(READ_MODELS.map((m) => [m, models[m].lagEvents])) as Record<ReadModelName, number>,
      });
    } catch (error) {
      latest = undefined;
      log.debug({ err: error }, 'sample skipped');
    }
  };
  const sample = (): Promise<void> => (inflight ??= takeSample().finally(() => (inflight = undefined)));
  /** A sample that starts now (not one already under way, which may predate what the caller just checked). */
  const freshSample = async (): Promise<void> => {
    await inflight;
    await sample();
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sleep(clock, options.sampleEveryMs ?? 250);
      // A sample still waiting on the broker: the dashboard gets what can be read without it, marked stale.
      if (sampling && inflight && lastTelemetry && options.onTelemetry) {
        options.onTelemetry(refreshedTelemetry(lastTelemetry, { system, elapsedMs: elapsed(), phase, brokerPaused: brokerPaused(), counters, timeline: telemetryTimeline() }));
      }
      if (sampling) void sample();
    }
  })();

  try {
    const abort = new AbortController();
    options.signal?.addEventListener('abort', () => abort.abort(), { once: true });
    // Each step starts at its own time, not after the previous one finished: a step that waits on the broker (a
    // poison publish) must not hold back the step that resumes it. Errors are kept, not left unhandled meanwhile.
    const timeline = Promise.all(
      timed.map(async (step) => {
        const wait = startMs + step.atMs - clock.now();
        if (wait > 0) await sleep(clock, wait, abort.signal);
        if (!abort.signal.aborted) await runStep(step, step.atMs); // abandoned runs inject nothing more
      }),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    await untilAborted(driveWorkload(port, workloadOps(scenario.workload, seed), { clock, startMs, concurrency: scenario.workload.concurrency, counters, signal: abort.signal }), options.signal);
    phase = 'healing';
    const timelineError = await untilAborted(timeline, options.signal);
    if (timelineError !== undefined) throw timelineError instanceof Error ? timelineError : new Error('a timeline step failed', { cause: timelineError });
    for (const r of afterWorkload) {
      // A fix deployed after the workload ends the bugs on its target that nothing ended before (no longer active).
      const ends = r.action === 'deployFix'
        ? scenario.faults.flatMap((f, i) => ((f.kind === 'handlerBug' || f.kind === 'silentCorruption') && f.target === r.target && faultEndMs(f, scenario.remediation) === undefined ? [`fault#${i}`] : []))
        : [];
      await untilAborted(runStep(remediationStep(r, elapsed(), ends), elapsed()), options.signal);
      afterWorkloadRan++;
    }
    const lastHealMs = Math.max(
      scenario.workload.durationMs,
      ...scenario.faults.map((f) => faultEndMs(f, scenario.remediation) ?? 0),
      ...timelineLog.map((t) => t.atMs),
      elapsed(),
    );
    phase = 'settling';
    // Wait for convergence as long as the longest `converges` bound asks (10 s if none), leaving time for the checks.
    const withinMs = Math.max(0, ...scenario.expect.map((e) => ('withinMs' in e && e.withinMs !== undefined ? e.withinMs : 0)));
    const settleUntil = Math.min(deadline - CHECKS_RESERVE_MS, startMs + lastHealMs + (withinMs || 10_000) + 2_000);
    const convergedAtMs = await untilAborted(waitForConvergence(system, clock, settleUntil, freshSample, () => latest, elapsed), options.signal);
    phase = 'checking';
    // The broker may still be reconnecting after a late fault; the final read of the log waits for it (bounded).
    await brokerRetrying(clock, () => oracle.catchUp());
    const finalModels = modelStatesOf(system);
    const finalDivergence = divergenceOf(oracle.state, finalModels, oracle.log);
    // Where each consumer stood when judged (the rebuild comparison below moves every checkpoint to the head).
    const standing = Object.fromEntries(READ_MODELS.map((m) => {
      const snap = system.readModels[m].consumer.getSnapshot();
      return [m, { checkpoint: system.readModels[m].store.checkpoint(), state: consumerState(snap), lastProblem: snap.context.lastProblem ?? null }];
    })) as Record<ReadModelName, { checkpoint: number; state: ConsumerState; lastProblem: string | null }>;
    const rebuildMismatches = needsRebuildComparison(scenario.expect) ? await compareRebuild(system, finalModels, awaitConsumer) : undefined;
    const writeModel = checkWriteModel(system.orderStore, oracle.log);
    const reservations = checkReservations(scenario.system.inventoryMode, system.inventoryStore, system.orderStore, oracle.log);
    const deadLetters = Object.fromEntries(READ_MODELS.map((m) => [m, system.readModels[m].store.deadLetters.count()])) as Record<ReadModelName, number>;
    const convergedAfterMs = convergedAtMs === null ? null : Math.max(0, convergedAtMs - lastHealMs);
    const caughtUpDivergence = caughtUp.findings();
    const properties = evaluate(scenario.expect, { finalDivergence, caughtUpDivergence, convergedAfterMs, writeModel, reservations, deadLetters, firstNegative: oracle.firstNegative, rebuildMismatches });
    const head = oracle.state.lastSeq;
    const modelReports = Object.fromEntries(
      READ_MODELS.map((m) => {
        const snap = system.readModels[m].consumer.getSnapshot();
        const { checkpoint, state, lastProblem } = standing[m];
        return [m, {
          divergence: finalDivergence[m], checkpoint, lagEvents: Math.max(0, head - checkpoint), redeliveries: snap.context.counters.redeliveries,
          deadLetters: deadLetters[m], state, lastProblem, maxLagEvents: maxLag[m],
        }];
      }),
    ) as Record<ReadModelName, ModelReport>;
    const plugins = new Set(READ_MODELS.filter((m) => system.readModels[m].plugin !== undefined));
    const rebuildKeysDiffer = Object.fromEntries(READ_MODELS.flatMap((m) => {
      const c = rebuildMismatches?.[m];
      return c && 'keysDiffer' in c ? [[m, c.keysDiffer]] : [];
    })) as Partial<Record<ReadModelName, number>>;
    const attribution = attribute({ headSeq: head, plugins, models: modelReports, caughtUp: caughtUpDivergence, rebuildKeysDiffer });
    return {
      scenario: scenario.name, file: scenario.file, seed,
      verdict: properties.every((p) => p.holds) ? 'pass' : 'fail',
      properties, attribution, models: modelReports, convergedAfterMs, writeModel, reservations, caughtUpDivergence, workload: counters,
      events: { stream: head, undecodable: oracle.undecodable.length },
      finalNegativeInventory: [...oracle.state.inventory].filter(([, q]) => q < 0).map(([p, q]) => `${p}: ${q}`),
      timeline: timelineLog, liveActions: timelineLog.filter((t) => t.live).length, samples, durationMs: clock.now() - runStart,
    };
  } finally {
    sampling = false;
    await sampler;
    await inflight;
  }
}

/**
 * `work`, or RunAborted as soon as `signal` aborts; without a signal, `work` itself. What is abandoned keeps running
 * until the rig is torn down; its failure then is expected and dropped.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      void work.catch(() => undefined); // abandoned on purpose: its failure after the teardown is expected
      reject(new RunAborted('run abandoned'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** How long a system must sit still (everything applied, nothing retrying) with divergence left before we stop waiting. */
const QUIESCENT_GIVE_UP_MS = 2_000;

/** What one successful sample established about convergence. */
interface SampleFacts {
  /** Keys that differ from the oracle, over every model. */
  readonly divergent: number;
  /** Models whose checkpoint is below the head the oracle read: equal values there may only mean "not yet". */
  readonly behindHead: readonly ReadModelName[];
}

/**
 * Nothing is on its way into the log and nothing is left to settle on the command side: both outboxes drained, no
 * order between its check and its commit, no reservation held for an order that is not placed (the reconciler
 * releases those after its hold time).
 */
function commandSideSettled(system: RunningSystem): boolean {
  return system.orderStore.outbox.backlog() === 0 && system.inventoryStore.outbox.backlog() === 0 &&
    system.orderService.getSnapshot().context.inFlight.size === 0 && strandedReservations(system.inventoryStore, system.orderStore).length === 0;
}

/**
 * Polls until a fresh sample finds every model equal to the oracle *and* at the head of the stream, with nothing
 * left on its way into the log; the scenario time it did, or null. Values alone are not enough: a model lagging
 * behind events that happen not to change it (a reprice, for inventory) looks equal until the next one lands. A
 * failed sample (broker unreachable) proves nothing. Gives up early when the system is quiescent — nothing in
 * flight, every consumer idle — and still divergent for a while: nothing is left that could repair it (silent
 * corruption, stale names).
 */
async function waitForConvergence(
  system: RunningSystem,
  clock: Clock,
  deadline: number,
  sample: () => Promise<void>,
  latest: () => SampleFacts | undefined,
  elapsed: () => number,
): Promise<number | null> {
  let quietSince: number | undefined;
  while (clock.now() < deadline) {
    await sample();
    const facts = latest();
    const drained = commandSideSettled(system);
    if (drained && facts !== undefined && facts.divergent === 0 && facts.behindHead.length === 0) return elapsed();
    const quiet = drained && READ_MODELS.every((m) => consumerState(system.readModels[m].consumer.getSnapshot()) === 'idle');
    quietSince = quiet ? (quietSince ?? clock.now()) : undefined;
    if (quietSince !== undefined && clock.now() - quietSince > QUIESCENT_GIVE_UP_MS) return null;
    await sleep(clock, 100);
  }
  return null;
}

/**
 * Rebuilds every model from sequence 1 and counts keys where the rebuilt view differs from the incremental one.
 * Two views are comparable only at the same position in the log: a model whose incremental view stopped short of
 * where its rebuild got to (a stalled consumer: `converges` reports that) is marked not compared, not "different".
 */
async function compareRebuild(
  system: RunningSystem,
  incremental: ReturnType<typeof modelStatesOf>,
  awaitConsumer: TimelineContext['awaitConsumer'],
): Promise<Record<ReadModelName, RebuildComparison>> {
  const incrementalSeq = Object.fromEntries(READ_MODELS.map((m) => [m, system.readModels[m].store.checkpoint()])) as Record<ReadModelName, number>;
  const rebuiltSeq = {} as Record<ReadModelName, number>;
  for (const m of READ_MODELS) {
    const ref = system.readModels[m].consumer;
    const before = ref.getSnapshot().context.rebuilds;
    ref.send({ type: 'REBUILD' });
    await awaitConsumer(m, () => ref.getSnapshot().context.rebuilds > before, 'rebuild to finish');
    rebuiltSeq[m] = system.readModels[m].store.checkpoint();
  }
  const rebuilt = modelStatesOf(system);
  const compare = <M extends ReadModelName>(m: M): RebuildComparison =>
    incrementalSeq[m] === rebuiltSeq[m]
      ? { keysDiffer: divergent(compareMaps(incremental[m] as ReadonlyMap<string, unknown>, rebuilt[m] as ReadonlyMap<string, unknown>)) }
      : { notComparedBecause: `its incremental view stopped at seq ${incrementalSeq[m]}, the rebuild reached ${rebuiltSeq[m]}` };
  return perReadModel(compare);
}
