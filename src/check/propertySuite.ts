import fc from 'fast-check';
import type { Logger } from 'pino';
import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type { ProjectionPlugins } from '../plugins/projectionPlugin.js';
import { attributionLines } from '../scenarios/attribution.js';
import { runScenario } from '../scenarios/natsRig.js';
import { type RunOptions, type ScenarioReport } from '../scenarios/runTypes.js';
import type { Scenario } from '../scenarios/scenario.js';
import { runScenarioSim } from '../scenarios/simRig.js';
import { scenarioArbFor, type DeclaredCrashPoint } from './arbitraries.js';
import { writeCounterexample, type WrittenCounterexample } from './counterexample.js';

export type CheckTransport = 'sim' | 'nats';

export interface CheckOptions {
  readonly runs: number;
  /** fast-check's seed: the same seed generates the same scenarios in the same order. Random when absent. */
  readonly seed?: number;
  readonly transport: CheckTransport;
  readonly counterexampleDir: string;
  readonly log: Logger;
  /** Extra run options (e.g. user projection plug-ins) for every generated scenario. */
  readonly runOptions?: Partial<RunOptions>;
  readonly onRun?: (n: number, report: ScenarioReport) => void;
  /** Called with each generated scenario before it runs (a run that never ends can then be told apart). */
  readonly onCase?: (scenario: Scenario) => void;
  /** Stop generating after this long of wall time (the runs done so far still count). */
  readonly interruptAfterMs?: number;
  /** Shrink a failure to the smallest scenario (default). Off: report the first failing scenario as found. */
  readonly shrink?: boolean;
  /** How the counterexample file's header spells `run <file>` (default `cqrs-testbed run <file>`). */
  readonly runCommand?: (file: string) => string;
  /** Where the plug-ins in `runOptions` came from (absolute): the counterexample file records them. */
  readonly pluginPaths?: Readonly<Partial<Record<ReadModelName, string>>>;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly runs: number;
  /** Unsigned (0..4294967295), the form --seed takes. */
  readonly seed: number;
  readonly durationMs: number;
  readonly failure?: {
    readonly path: string;
    readonly message: string;
    readonly scenario: Scenario;
    readonly counterexample: WrittenCounterexample;
  };
}

/** Checkpoints of every model (a self-managed plug-in's durable delivery position too), sampled during the run, never move backwards. */
export function checkpointRegressions(report: ScenarioReport): string[] {
  const problems: string[] = [];
  const last: Partial<Record<ReadModelName, number>> = {};
  for (const sample of report.samples) {
    for (const m of READ_MODELS) {
      const now = sample.models[m].checkpoint;
      const before = last[m];
      if (before !== undefined && now < before)
        problems.push(`${m} checkpoint moved back from ${before} to ${now} at ${sample.atMs} ms`);
      last[m] = now;
    }
  }
  return problems;
}

/** Why a run fails the suite: a violated expectation, a checkpoint that moved backwards, or (reserve mode) oversold stock. */
export function failuresOf(report: ScenarioReport, scenario: Scenario): string[] {
  const oversold =
    scenario.system.inventoryMode === 'reserve' && report.finalNegativeInventory.length > 0
      ? [`reserve mode oversold: ${report.finalNegativeInventory.join(', ')}`]
      : [];
  return [
    ...report.properties.filter((p) => !p.holds).map((p) => `${p.name}: ${p.detail}`),
    ...checkpointRegressions(report),
    ...oversold,
  ];
}

/** Every crash point the self-managed plug-ins in place declare: the suite arms them by itself. */
export function declaredCrashPoints(plugins: ProjectionPlugins = {}): DeclaredCrashPoint[] {
  return READ_MODELS.flatMap((target) => {
    const plugin = plugins[target];
    return plugin?.mode === 'self-managed' ? (plugin.crashPoints ?? []).map((point) => ({ target, point })) : [];
  });
}

/**
 * The property suite: every generated workload × fault schedule, once healed, must converge to the oracle with
 * nothing lost, no duplicated effect, no wrong value, every accepted order published once, rebuild equal to the
 * incremental view, the dead letters exactly the undecodable events, checkpoints monotonic, and (reserve mode)
 * stock never negative. On failure fast-check shrinks the scenario; the smallest one is written as YAML.
 */
export async function checkProperties(options: CheckOptions): Promise<CheckResult> {
  const started = Date.now();
  const run = options.transport === 'sim' ? runScenarioSim : runScenario;
  let n = 0;
  const plugins = options.runOptions?.plugins ?? {};
  const focus = {
    targets: READ_MODELS.filter((m) => plugins[m] !== undefined),
    crashPoints: declaredCrashPoints(plugins),
  };
  const property = fc.asyncProperty(scenarioArbFor(focus), async (scenario) => {
    options.onCase?.(scenario);
    const report = await run(scenario, { log: options.log, ...options.runOptions });
    options.onRun?.(++n, report);
    const failures = failuresOf(report, scenario);
    if (failures.length > 0) {
      // Which model broke, and how, first: with a plug-in under test, its own model is the verdict that matters.
      const broke = attributionLines(report.attribution);
      throw new Error(
        `seed ${scenario.seed}: ${broke.length > 0 ? `${broke.join('; ')} | ` : ''}${failures.join('; ')}`,
      );
    }
  });
  const result = await fc.check(property, {
    numRuns: options.runs,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.interruptAfterMs === undefined ? {} : { interruptAfterTimeLimit: options.interruptAfterMs }),
    endOnFailure: options.shrink === false,
    maxSkipsPerRun: 0,
  });
  const durationMs = Date.now() - started;
  // fast-check hands the seed back as a signed 32-bit int (3567148851 comes back as -727818445); both replay the same
  // run, but the one printed must be the one --seed takes.
  const seed = result.seed >>> 0;
  if (!result.failed || result.counterexample === null)
    return { ok: !result.failed, runs: result.numRuns, seed, durationMs };
  const [scenario] = result.counterexample;
  const message = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  const counterexample = writeCounterexample(options.counterexampleDir, scenario, {
    seed,
    path: result.counterexamplePath ?? '',
    failure: message,
    ...(options.runCommand ? { runCommand: options.runCommand } : {}),
    ...(options.pluginPaths ? { plugins: options.pluginPaths } : {}),
    ...(options.runOptions?.crashPoints ? { crashPoints: options.runOptions.crashPoints } : {}),
  });
  return {
    ok: false,
    runs: result.numRuns,
    seed,
    durationMs,
    failure: { path: result.counterexamplePath ?? '', message, scenario, counterexample },
  };
}
