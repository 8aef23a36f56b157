import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ProjectionPlugins } from '../plugins/projectionPlugin.js';
import { writeFileCreatingDirs } from '../process/outputPaths.js';
import { onShutdownSignals, signalExitCode } from '../process/shutdownSignals.js';
import { sweepStaleTempDirs } from '../process/staleTempDirs.js';
import { formatScenarioErrors, loadScenarioFile } from '../scenarios/loadScenario.js';
import { htmlReport } from '../scenarios/htmlReport.js';
import { runScenario } from '../scenarios/natsRig.js';
import {
  historyJsonl,
  jsonLine,
  junitXml,
  progressLine,
  reportForMachines,
  scenarioDetail,
  summaryTable,
} from '../scenarios/reports.js';
import { InfrastructureError, RunAborted, type RunOptions, type ScenarioReport } from '../scenarios/runTypes.js';
import type { Scenario } from '../scenarios/scenario.js';
import { crashPointProblems, scenarioPlugins } from '../scenarios/scenarioPlugins.js';
import { LINE_WIDTH_MAX, wrapLine } from '../scenarios/textWrap.js';
import { pluginRunOptions } from './pluginFlags.js';
import { runElsewhereForPartitions, whenOuterCommandGone } from './privateNetworkRun.js';
import { selfCommand } from './selfCommand.js';

export interface RunCommandOptions {
  readonly seed?: number;
  readonly json: boolean;
  readonly junit?: string;
  readonly report?: string;
  /** `nats` (default): a private nats-server per scenario. `sim`: the deterministic simulation, in virtual time. */
  readonly transport?: 'nats' | 'sim';
  /** `--projection name=path`: users' plug-in projections replacing built-in read models. */
  readonly projections?: readonly string[];
  /** `--crash-point target:point[:times]`: named crash points of self-managed plug-ins, armed from the start. */
  readonly crashPoints?: readonly string[];
  /** The live dashboard instead of progress lines (main.ts sends the logger to `logFile` then). */
  readonly ui?: boolean;
  /** `--ui` was given (not the default on a terminal): where the dashboard cannot go, that is an error. */
  readonly uiAsked?: boolean;
  readonly logFile?: string;
}

/** Directories stand for the `*.yaml` files in them, so `cqrs-testbed run scenarios` works without a shell glob. */
export function expandScenarioPaths(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    try {
      if (statSync(p).isDirectory())
        return readdirSync(p)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(p, f));
    } catch {
      return [p]; // the loader reports the missing file with its name
    }
    return [p];
  });
}

/** Loads every file before running any: one bad file stops the whole run with exit 2, nothing started. */
export async function loadAll(paths: readonly string[]): Promise<{ scenarios: Scenario[] } | { errors: string }> {
  const scenarios: Scenario[] = [];
  const errors: string[] = [];
  for (const file of expandScenarioPaths(paths)) {
    const loaded = await loadScenarioFile(file);
    if (loaded.ok) scenarios.push(loaded.value);
    else errors.push(formatScenarioErrors(loaded.error));
  }
  if (errors.length > 0) return { errors: errors.join('\n') };
  if (scenarios.length === 0) return { errors: `no scenario files given (try: ${selfCommand()} run scenarios)` };
  return { scenarios };
}

/**
 * `cqrs-testbed run`: each scenario on its own private broker, one after another. Exit code 0 when every
 * expectation held, 1 when a property was violated, 2 for a bad scenario file or unusable infrastructure, 130 when
 * the dashboard's quit key abandoned the run, 128+n when signal n did.
 */
export async function runCommand(paths: readonly string[], options: RunCommandOptions, log: Logger): Promise<number> {
  const loaded = await loadAll(paths);
  if ('errors' in loaded) {
    process.stderr.write(`${loaded.errors}\n`);
    return 2;
  }
  const extra = await pluginRunOptions(options);
  if (!extra.ok) {
    process.stderr.write(`${extra.error}\n`);
    return 2;
  }
  const { ok: _ok, banner, pluginPaths: _paths, ...pluginOptions } = extra;
  // Every scenario's plug-ins loaded, and its crash points checked against them, before any scenario runs.
  const pluginsOf = new Map<Scenario, ProjectionPlugins>();
  const unrunnable: string[] = [];
  const { scenarios, skipped } = simulable(loaded.scenarios, options.transport);
  if (scenarios.length === 0) unrunnable.push(...skipped);
  else if (skipped.length > 0) process.stderr.write(`${skipped.map((s) => `skipped ${s}`).join('\n')}\n`);
  for (const scenario of scenarios) {
    const own = await scenarioPlugins(scenario, pluginOptions.plugins);
    if (!own.ok) unrunnable.push(own.error);
    else {
      pluginsOf.set(scenario, own.plugins);
      unrunnable.push(...crashPointProblems(scenario, own.plugins));
    }
  }
  // The dashboard does not watch the processes topology yet: asked for, that is an error; by default, progress lines.
  const onProcesses = scenarios.filter((s) => s.system.topology?.processes === true);
  if (options.ui && options.uiAsked)
    for (const s of onProcesses)
      unrunnable.push(`${s.file}: the dashboard does not watch the processes topology yet: run it without --ui`);
  const shown = { ...options, ui: options.ui === true && onProcesses.length === 0 };
  if (unrunnable.length > 0) {
    process.stderr.write(`${unrunnable.join('\n')}\n`);
    return 2;
  }
  const elsewhere = await runElsewhereForPartitions(scenarios);
  if (elsewhere !== undefined) return elsewhere;
  if (!options.json) for (const line of banner) process.stdout.write(`${line}\n`);
  await sweepStaleTempDirs(log);
  // SIGINT/SIGTERM/SIGHUP (a closed terminal) abandon the run as the quit key does: the runner tears the rig down
  // (broker stopped, temp dir removed) before the abort reaches us. A second signal exits at once; the exit hooks
  // then kill the broker and remove the dir (src/process/ownedTempDir.ts).
  const stop = new AbortController();
  const signals = onShutdownSignals(log, (signal) => {
    process.stderr.write(`cqrs-testbed: ${signal} again: exiting now\n`);
    process.exit(signalExitCode(signal));
  });
  void signals.next.then((signal) => {
    process.stderr.write(
      `cqrs-testbed: ${signal}: abandoning the run, stopping its broker and removing its files (${signal} again exits at once)\n`,
    );
    stop.abort(signal);
  });
  // Re-run in a network namespace of its own: the outer command killed outright ends this one as a SIGHUP would.
  const unwatch = whenOuterCommandGone(() => stop.abort('SIGHUP'));
  try {
    return await runAll(scenarios, shown, pluginOptions, pluginsOf, stop, log);
  } finally {
    unwatch();
    signals.dispose();
  }
}

/**
 * On the simulation, which models one broker, a scenario on a broker cluster cannot run. Among others (a glob of
 * every shipped scenario) it is skipped, saying so; alone, it is refused (exit 2, by the caller).
 */
function simulable(
  all: readonly Scenario[],
  transport: RunCommandOptions['transport'],
): { scenarios: Scenario[]; skipped: string[] } {
  const why = (s: Scenario): string | undefined => {
    if (transport !== 'sim') return undefined;
    const { brokers = 1, processes = false } = s.system.topology ?? {};
    if (brokers > 1)
      return `${s.file}: system.topology.brokers is ${brokers}, and the simulation models one broker: run it on real brokers (without --transport sim)`;
    if (processes)
      return `${s.file}: system.topology.processes is true, and the simulation runs every service in one process: run it on real processes (without --transport sim)`;
    return undefined;
  };
  return {
    scenarios: all.filter((s) => why(s) === undefined),
    skipped: all.flatMap((s) => why(s) ?? []),
  };
}

/** The scenarios one after another, with the dashboard or progress lines; the exit code. */
async function runAll(
  scenarios: readonly Scenario[],
  options: RunCommandOptions,
  pluginOptions: Pick<RunOptions, 'plugins' | 'crashPoints'>,
  pluginsOf: ReadonlyMap<Scenario, ProjectionPlugins>,
  stop: AbortController,
  log: Logger,
): Promise<number> {
  const reports: ScenarioReport[] = [];
  const onFailure = (err: Error) => {
    log.error({ err }, 'dashboard failed');
    process.stderr.write(
      `cqrs-testbed: the dashboard stopped (${err.message}); the run goes on and its report follows at the end\n`,
    );
  };
  const session =
    options.ui && !options.json
      ? (await import('../ui/runSession.js')).startRunSession({
          onFailure,
          ...(options.logFile ? { logFile: options.logFile } : {}),
        })
      : undefined;
  session?.quit.addEventListener('abort', () => stop.abort('quit'), { once: true });
  const abandoned = async (name: string): Promise<number> => {
    await session?.close();
    const reason = stop.signal.reason as string;
    const logs = options.logFile && session ? ` (logs: ${options.logFile})` : '';
    if (reason === 'quit') {
      process.stdout.write(`quit: ${name} abandoned, no verdict${logs}\n`);
      return 130;
    }
    process.stdout.write(`interrupted (${reason}): ${name} abandoned, no verdict${logs}\n`);
    return signalExitCode(reason as NodeJS.Signals);
  };
  for (const scenario of scenarios) {
    if (stop.signal.aborted) return abandoned(scenario.name);
    let lastPrinted = 0;
    const onProgress =
      options.json || session
        ? undefined
        : (p: Parameters<typeof progressLine>[1]) => {
            if (p.elapsedMs - lastPrinted < 1_000) return;
            lastPrinted = p.elapsedMs;
            process.stdout.write(`${progressLine(scenario.name, p)}\n`);
          };
    try {
      const run =
        options.transport === 'sim'
          ? (await import('../scenarios/simRig.js')).runScenarioSim
          : scenario.system.topology?.processes
            ? (await import('../topology/processesRig.js')).runScenarioOnProcesses
            : runScenario;
      const report = await run(scenario, {
        log,
        ...pluginOptions,
        plugins: pluginsOf.get(scenario) ?? {},
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(onProgress ? { onProgress } : {}),
        ...session?.optionsFor(scenario),
        signal: stop.signal,
      });
      reports.push(report);
      session?.finish(report);
      if (!session) process.stdout.write(options.json ? `${jsonLine(report)}\n` : `${scenarioDetail(report)}\n\n`);
      if (options.report) writeReport(options.report, report);
    } catch (error) {
      if (error instanceof RunAborted) return abandoned(scenario.name);
      await session?.close();
      if (error instanceof InfrastructureError) {
        process.stderr.write(`cannot run ${scenario.name}: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
  }
  await session?.close();
  // The dashboard's last frame stays on screen; the reports follow it, as without the dashboard.
  if (session) for (const report of reports) process.stdout.write(`${scenarioDetail(report)}\n\n`);
  if (!options.json) process.stdout.write(`${summaryTable(reports)}\n`);
  if (options.junit) writeFileCreatingDirs(options.junit, junitXml(reports));
  // One page for the whole run (every scenario, with an index when there are several): what people open first.
  if (options.report && reports.length > 0) writeFileSync(join(options.report, 'index.html'), htmlReport(reports));
  return reports.every((r) => r.verdict === 'pass') ? 0 : 1;
}

function writeReport(dir: string, report: ScenarioReport): void {
  mkdirSync(dir, { recursive: true });
  const { history: _history, ...machine } = reportForMachines(report);
  writeFileSync(join(dir, `${report.scenario}.json`), `${JSON.stringify(machine, null, 2)}\n`);
  writeFileSync(join(dir, `${report.scenario}.history.jsonl`), historyJsonl(report));
  writeFileSync(join(dir, `${report.scenario}.html`), htmlReport([report]));
  writeFileSync(join(dir, `${report.scenario}.txt`), `${scenarioDetail(report)}\n`);
}

/**
 * The `list` table: each scenario's name and file in aligned columns (as wide as the longest name), then what it
 * teaches, indented and wrapped at 120 columns.
 */
export function scenarioListing(scenarios: readonly Pick<Scenario, 'name' | 'file' | 'teaches'>[]): string {
  const width = Math.max(0, ...scenarios.map((s) => s.name.length));
  return scenarios
    .map((s) =>
      [`${s.name.padEnd(width)}  ${s.file}`, ...wrapLine(`    ${s.teaches}`, LINE_WIDTH_MAX, '    ')].join('\n'),
    )
    .join('\n');
}

/**
 * `cqrs-testbed list`: every scenario with what it teaches. An invalid file does not hide the valid ones: they are
 * listed on stdout, each invalid one is reported on stderr, and the exit code is 2 (as `run` would refuse them).
 */
export async function listCommand(paths: readonly string[]): Promise<number> {
  const files = expandScenarioPaths(paths.length > 0 ? paths : ['scenarios']);
  if (files.length === 0) {
    process.stderr.write(`no scenario files in ${paths.join(', ') || 'scenarios'} (looked for *.yaml, *.yml)\n`);
    return 2;
  }
  const scenarios: Scenario[] = [];
  const errors: string[] = [];
  for (const file of files) {
    const loaded = await loadScenarioFile(file);
    if (loaded.ok) scenarios.push(loaded.value);
    else errors.push(formatScenarioErrors(loaded.error));
  }
  if (scenarios.length > 0) process.stdout.write(`${scenarioListing(scenarios)}\n`);
  if (errors.length === 0) return 0;
  process.stderr.write(
    `${errors.join('\n')}\n${errors.length} of ${files.length} scenario files invalid${scenarios.length > 0 ? '; the valid ones are listed' : ''}\n`,
  );
  return 2;
}
