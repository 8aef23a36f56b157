import type { Logger } from 'pino';
import { sleep, type Clock } from '../actors/clock.js';
import type { ReadModelName } from '../domain/readModels.js';
import { CaughtUpCheck } from './caughtUpCheck.js';
import { waitForConvergence } from './convergence.js';
import { readEventLog, type ReadLog } from './eventLog.js';
import { OperationHistory } from './history.js';
import { IncrementalOracle } from './incrementalOracle.js';
import { VisibilityTracker } from './visibility.js';
import { judgeRun } from './judgeRun.js';
import { createLiveControl, type LiveStep } from './liveControl.js';
import type { Rig } from './rig.js';
import { RunRecorder } from './runRecorder.js';
import { RunAborted, type Progress, type RunOptions, type ScenarioReport } from './runTypes.js';
import { Sampler } from './sampler.js';
import type { Scenario } from './scenario.js';
import { faultEndMs, planTimeline, remediationStep, type TimedStep, type TimelineContext } from './timeline.js';
import { workloadCatalog, workloadOps } from './workload.js';
import { driveWorkload, emptyCounters, seedWorkloadCatalog } from './workloadDriver.js';

/** Time kept back from the scenario's timeout for the final checks (a rebuild of every model, at worst). */
const CHECKS_RESERVE_MS = 15_000;
/** How long a remediation may wait for a consumer (a rebuild to finish, a restart to take). */
const CONSUMER_WAIT_MS = 30_000;

/** What the steps of a run share. */
interface Run {
  readonly recorder: RunRecorder;
  readonly ctx: TimelineContext;
  /** Scenario time 0 (when the workload starts), on the rig's clock. */
  readonly startMs: number;
  phase: Progress['phase'];
}

/**
 * The run itself, on any rig (natsRig.ts, simRig.ts): every wait goes through the rig's clock, so it runs as well
 * in virtual time. Seed the catalogue; play the workload while the timeline injects faults and remediations, with
 * the sampler comparing every model with the oracle; heal; wait for convergence (bounded); judge.
 */
export async function runOnRig(
  rig: Rig,
  scenario: Scenario,
  seed: number,
  options: RunOptions,
  log: Logger,
): Promise<ScenarioReport> {
  const { clock, port } = rig;
  const runStart = clock.now();
  await seedWorkloadCatalog(port, workloadCatalog(scenario.workload, seed));
  const parts = prepareRun(rig, scenario, seed, options, log);
  const { run, recorder, sampler, counters, elapsed, startMs } = parts;
  try {
    // (Inline awaits, not helper functions: on the simulation the depth of an await chain decides which of two
    // things due at the same virtual moment runs first, and a refactor must not change the schedule.)
    const abort = new AbortController();
    options.signal?.addEventListener('abort', () => abort.abort(), { once: true });
    const timeline = startTimeline(run, parts.plan.timed, abort.signal);
    const ops = workloadOps(scenario.workload, seed);
    const driving = {
      ...{ clock, startMs, concurrency: scenario.workload.concurrency, counters, signal: abort.signal },
      history: parts.history,
    };
    await untilAborted(driveWorkload(port, ops, driving), options.signal);
    run.phase = 'healing';
    throwIfFailed(await untilAborted(timeline, options.signal));
    for (const step of remediationsAfterWorkload(scenario, parts.plan.afterWorkload)) {
      await untilAborted(recorder.runStep(step(elapsed()), elapsed(), run.ctx), options.signal);
    }
    const lastHealMs = lastHealAt(scenario, recorder, elapsed());
    run.phase = 'settling';
    const settleUntil = settleDeadline(scenario, runStart, startMs + lastHealMs);
    const convergedAtMs = await untilAborted(
      waitForConvergence(
        rig.view,
        clock,
        settleUntil,
        () => sampler.fresh(),
        () => sampler.latest(),
        elapsed,
        () => historyRewritten(rig, parts.oracle, parts.caughtUp),
      ),
      options.signal,
    );
    run.phase = 'checking';
    await parts.visibilityPoll.stop();
    const { oracle, caughtUp, awaitConsumer, history, visibility } = parts;
    return await judgeRun({
      ...{ scenario, seed, system: rig.system, view: rig.view, clock, oracle, caughtUp, sampler, recorder, counters },
      ...{ awaitConsumer, convergedAtMs, lastHealMs, runStart, faults: rig.faults, broker: rig.broker },
      ...{ history, visibility },
      transport: rig.transport,
    });
  } finally {
    await parts.visibilityPoll.stop();
    await sampler.stop();
  }
}

/** How often the checkpoints are looked at for convergence latency: its resolution. */
const VISIBILITY_POLL_MS = 25;

/** Looks at every model's checkpoint every VISIBILITY_POLL_MS until stopped (see VisibilityTracker). */
function pollVisibility(view: Rig['view'], clock: Clock, elapsed: () => number, tracker: VisibilityTracker) {
  let polling = true;
  const loop = (async () => {
    while (polling) {
      tracker.observe(elapsed(), (m) => view.checkpoint(m));
      await sleep(clock, VISIBILITY_POLL_MS);
    }
  })();
  return {
    stop: () => {
      polling = false;
      return loop;
    },
  };
}

/**
 * Everything a run needs before its workload starts, built synchronously in one go (scenario time 0 is now): the
 * oracle, the recorder with the scenario's crash points armed, live control when asked for, and the sampler, started.
 */
function prepareRun(rig: Rig, scenario: Scenario, seed: number, options: RunOptions, log: Logger) {
  const { system, view, transport, clock } = rig;
  const oracle = new IncrementalOracle(transport);
  const counters = emptyCounters();
  const plan = planTimeline(scenario);
  const awaitConsumer = consumerWaiter(clock);
  const ctx: TimelineContext = {
    system,
    processes: rig.processes,
    transport,
    broker: rig.broker,
    clock,
    faults: rig.faults,
    seed,
    awaitConsumer,
  };
  const startMs = clock.now();
  const elapsed = () => clock.now() - startMs;
  const caughtUp = new CaughtUpCheck();
  const rebuildsOf = (m: ReadModelName) => view.consumer(m).rebuilds;
  const recorder = new RunRecorder(plan, caughtUp, rebuildsOf, log);
  for (const c of [...(scenario.crashPoints ?? []), ...(options.crashPoints ?? [])]) {
    rig.faults.armCrashPoint(c.target, c.point, c.times);
    recorder.crashPointArmed(c.target, c.point, c.times);
  }
  const run: Run = { recorder, ctx, startMs, phase: 'workload' };
  const record = (step: LiveStep) => recorder.liveAction(step, elapsed());
  const live =
    options.onControl && system
      ? createLiveControl({
          ...{ system, clock, faults: rig.faults, broker: rig.broker, record },
          ...(rig.broker.nodes ? { brokerNodes: rig.broker.nodes } : {}),
        })
      : undefined;
  if (live) options.onControl?.(live);
  const brokerPaused = () =>
    live?.brokerPaused() === true ||
    scenario.faults.some((f, i) => f.kind === 'brokerPause' && recorder.isActive(`fault#${i}`));
  const phase = () => run.phase;
  const sampler = new Sampler({
    ...{ scenario, seed, system, view, clock, oracle, caughtUp, recorder, counters, rebuildsOf, elapsed, phase },
    ...{ brokerPaused, options, log },
  });
  sampler.start();
  const history = new OperationHistory();
  const visibility = new VisibilityTracker();
  const visibilityPoll = pollVisibility(view, clock, elapsed, visibility);
  return {
    ...{ run, plan, oracle, counters, awaitConsumer, startMs, elapsed, caughtUp, recorder, sampler },
    ...{ history, visibility, visibilityPoll },
  };
}

/**
 * Reads the whole stream afresh and lets the oracle check the history it read incrementally against it (see
 * IncrementalOracle.adopt); true when the broker had rewritten it. A read that fails proves nothing: false.
 */
async function historyRewritten(rig: Rig, oracle: IncrementalOracle, caughtUp: CaughtUpCheck): Promise<boolean> {
  let fresh: ReadLog;
  try {
    fresh = await readEventLog(rig.transport);
  } catch {
    return false;
  }
  const rewrite = oracle.adopt(fresh);
  if (rewrite) caughtUp.forgetFrom(rewrite.fromSeq);
  return rewrite !== undefined;
}

/** When the last fault ended or remediation ran (scenario time): convergence is measured from there. */
function lastHealAt(scenario: Scenario, recorder: RunRecorder, nowMs: number): number {
  return Math.max(
    scenario.workload.durationMs,
    ...scenario.faults.map((f) => faultEndMs(f, scenario.remediation) ?? 0),
    recorder.lastStepMs(),
    nowMs,
  );
}

/**
 * How long to wait for convergence: as long as the longest `converges` bound asks (10 s if none) after the last
 * heal, leaving time for the checks within the scenario's timeout.
 */
function settleDeadline(scenario: Scenario, runStart: number, lastHealClockMs: number): number {
  const withinMs = Math.max(
    0,
    ...scenario.expect.map((e) => ('withinMs' in e && e.withinMs !== undefined ? e.withinMs : 0)),
  );
  return Math.min(runStart + scenario.timeoutMs - CHECKS_RESERVE_MS, lastHealClockMs + (withinMs || 10_000) + 2_000);
}

/**
 * Starts every timed step at its own time — not after the previous one finished: a step that waits on the broker (a
 * poison publish) must not hold back the step that resumes it. Resolves with the first step's error, if any (kept,
 * not left unhandled while the workload runs).
 */
function startTimeline(
  run: Run,
  timed: ReturnType<typeof planTimeline>['timed'],
  signal: AbortSignal,
): Promise<unknown> {
  const { clock } = run.ctx;
  return Promise.all(
    timed.map(async (step) => {
      const wait = run.startMs + step.atMs - clock.now();
      if (wait > 0) await sleep(clock, wait, signal);
      if (!signal.aborted) await run.recorder.runStep(step, step.atMs, run.ctx); // abandoned runs inject nothing more
    }),
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
}

function throwIfFailed(timelineError: unknown): void {
  if (timelineError !== undefined)
    throw timelineError instanceof Error
      ? timelineError
      : new Error('a timeline step failed', { cause: timelineError });
}

/** The remediations the scenario runs after the workload, each a step made when it starts (it is timed then). */
function remediationsAfterWorkload(
  scenario: Scenario,
  afterWorkload: ReturnType<typeof planTimeline>['afterWorkload'],
): ((atMs: number) => TimedStep)[] {
  return afterWorkload.map((r) => {
    // A fix deployed after the workload ends the bugs on its target that nothing ended before (no longer active).
    const ends =
      r.action === 'deployFix'
        ? scenario.faults.flatMap((f, i) =>
            (f.kind === 'handlerBug' || f.kind === 'silentCorruption') &&
            f.target === r.target &&
            faultEndMs(f, scenario.remediation) === undefined
              ? [`fault#${i}`]
              : [],
          )
        : [];
    return (atMs: number) => remediationStep(r, atMs, ends);
  });
}

/** Waits (bounded) until `done` says a consumer got where a remediation needs it. */
function consumerWaiter(clock: Clock): TimelineContext['awaitConsumer'] {
  return async (name, done, what) => {
    const until = clock.now() + CONSUMER_WAIT_MS;
    while (!done() && clock.now() < until) await sleep(clock, 20);
    if (!done()) throw new Error(`${name}: timed out waiting for ${what}`);
  };
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
