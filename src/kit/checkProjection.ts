import { relative } from 'node:path';
import { silentLogger } from '../log/logger.js';
import { CrashPointCoverage } from '../check/crashPointCoverage.js';
import { checkProperties, type CheckResult, type CheckTransport } from '../check/propertySuite.js';
import { loadPluginFile } from '../plugins/loadProjectionPlugin.js';
import type { ProjectionPlugin } from '../plugins/projectionPlugin.js';

export interface CheckProjectionOptions {
  /** Generated scenarios (workload × fault schedule) to run; default 100. */
  readonly runs?: number;
  /** fast-check's seed (0 to 4294967295); random when absent, and always in the failure message. */
  readonly seed?: number;
  /** The deterministic simulation (default) or a real nats-server per run (`nats`, needs nats-server on PATH). */
  readonly transport?: CheckTransport;
  /** Where the shrunk counterexample is written; default `reports/counterexamples` under the current directory. */
  readonly counterexampleDir?: string;
  /** Also crash the plug-in at these named points before every run (its declared `crashPoints` are armed anyway). */
  readonly crashPoints?: readonly { readonly point: string; readonly times?: number }[];
}

export interface ProjectionCheckResult extends CheckResult {
  /** Per crash point: in how many runs it was armed and hit (`between-writes hit in 37 of 100 runs …`). */
  readonly crashPointCoverage: readonly string[];
}

/** The property suite failed on the plug-in: what broke, where the counterexample is, how to replay it. */
export class ProjectionCheckFailed extends Error {
  override readonly name = 'ProjectionCheckFailed';
  constructor(
    message: string,
    readonly result: ProjectionCheckResult,
  ) {
    super(message);
  }
}

/**
 * Runs the testbed's whole property suite with the plug-in in place of its read model — generated workloads and
 * fault schedules (outages, redeliveries, crashes, its own crash points), each judged against the oracle — and
 * resolves with the result when every property held. Otherwise throws {@link ProjectionCheckFailed}, whose message
 * names the violated property, the shrunk counterexample's file and the command that replays it.
 *
 * Pass the plug-in's module path (or file URL) where you can: a restarted consumer then loads a fresh instance of
 * the module, as a real restart would, and the counterexample file names the module so `cqrs-testbed run` replays it.
 */
export async function checkProjection(
  source: ProjectionPlugin | string | URL,
  options: CheckProjectionOptions = {},
): Promise<ProjectionCheckResult> {
  const loaded = typeof source === 'string' || source instanceof URL ? await loadPluginFile(source) : undefined;
  const plugin = loaded?.plugin ?? (source as ProjectionPlugin);
  const seed = options.seed ?? Math.floor(Math.random() * 0x1_0000_0000);
  const runs = options.runs ?? 100;
  const crashPoints = (options.crashPoints ?? []).map((c) => ({
    target: plugin.target,
    point: c.point,
    times: c.times ?? 1,
  }));
  const coverage = new CrashPointCoverage();
  const checked = await checkProperties({
    runs,
    seed,
    transport: options.transport ?? 'sim',
    log: silentLogger(),
    counterexampleDir: options.counterexampleDir ?? 'reports/counterexamples',
    runOptions: { plugins: { [plugin.target]: plugin }, ...(crashPoints.length > 0 ? { crashPoints } : {}) },
    ...(loaded ? { pluginPaths: { [plugin.target]: loaded.path } } : {}),
    onRun: (_n, report) => coverage.add(report),
  });
  const result = { ...checked, crashPointCoverage: coverage.lines() };
  if (result.ok) return result;
  const f = result.failure;
  const file = f ? relative(process.cwd(), f.counterexample.file) : '(none written)';
  const replayRun = loaded
    ? `npx cqrs-testbed run ${file} --transport sim`
    : `pass the plug-in's module path to checkProjection, or run the file with --projection ${plugin.target}=<module>`;
  throw new ProjectionCheckFailed(
    `${plugin.target} plug-in failed the property suite after ${result.runs} run(s) (seed ${result.seed}):\n` +
      `  ${f?.message ?? 'unknown failure'}\n` +
      `  shrunk counterexample: ${file}\n` +
      `  replay the scenario: ${replayRun}\n` +
      `  replay the suite: checkProjection(…, { seed: ${result.seed}, runs: ${runs} })` +
      result.crashPointCoverage.map((line) => `\n  crash point ${line}`).join(''),
    result,
  );
}
