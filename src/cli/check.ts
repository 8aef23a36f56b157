import type { Logger } from 'pino';
import { CrashPointCoverage } from '../check/crashPointCoverage.js';
import { checkProperties, type CheckResult, type CheckTransport } from '../check/propertySuite.js';
import { writeFileCreatingDirs } from '../process/outputPaths.js';
import { exitOnSignals } from '../process/shutdownSignals.js';
import { sweepStaleTempDirs } from '../process/staleTempDirs.js';
import { pluginRunOptions, type PluginRunOptions } from './pluginFlags.js';
import { selfCommand, shellPath } from './selfCommand.js';

export interface CheckCommandOptions {
  readonly runs: number;
  readonly seed?: number;
  readonly transport: CheckTransport;
  readonly junit?: string;
  readonly counterexamples: string;
  /** `--projection name=path`: plug-ins in place of built-in read models, for every generated scenario. */
  readonly projections?: readonly string[];
  /** `--crash-point target:point[:times]`: armed before each generated scenario's workload. */
  readonly crashPoints?: readonly string[];
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * `cqrs-testbed check`: the property suite outside vitest. Prints a progress line every 10 runs, the seed (always:
 * a run is only reproducible with it), and on failure the shrunk counterexample's file. Exit 0 when every
 * property held in every run, 1 otherwise.
 */
export async function checkCommand(options: CheckCommandOptions, log: Logger): Promise<number> {
  const plugins = await pluginRunOptions(options);
  if (!plugins.ok) {
    process.stderr.write(`${plugins.error}\n`);
    return 2;
  }
  await sweepStaleTempDirs(log);
  let runsDone = 0;
  // Nothing to drain: a signal ends the suite at once; the exit hooks stop the current run's broker (on nats) and
  // remove its temp dir.
  const disposeSignals = exitOnSignals((signal) =>
    process.stderr.write(`cqrs-testbed check: ${signal}: stopped after ${runsDone} run(s), no verdict\n`),
  );
  try {
    return await checkAndReport(options, plugins, log, () => runsDone++);
  } finally {
    disposeSignals();
  }
}

async function checkAndReport(
  options: CheckCommandOptions,
  plugins: Extract<PluginRunOptions, { ok: true }>,
  log: Logger,
  ranOne: () => void,
): Promise<number> {
  const seed = options.seed ?? Math.floor(Math.random() * 0x1_0000_0000);
  // One seed, one spelling (unsigned), and commands that work pasted as printed (./selfCommand.ts) — with the
  // plug-ins and crash points the runs had, or a replay would test the built-ins and pass.
  const cli = selfCommand();
  const pluginFlags = replayFlags(plugins);
  const replaySuite = `${cli} check --seed ${seed} --runs ${options.runs} --transport ${options.transport}${pluginFlags}`;
  // The counterexample file records the plug-ins and crash points (`projections:`, `crashPoints:`): it replays alone,
  // and a --crash-point repeated on the command line would arm its crash twice.
  const runCommand = (file: string) => `${cli} run ${shellPath(file)}`;
  process.stdout.write(
    `property suite on ${options.transport}: ${options.runs} runs, seed ${seed}\n  replay: ${replaySuite}\n`,
  );
  for (const line of plugins.banner) process.stdout.write(`  ${line}\n`);
  const started = Date.now();
  const coverage = new CrashPointCoverage();
  const result = await checkProperties({
    runs: options.runs,
    seed,
    transport: options.transport,
    log,
    counterexampleDir: options.counterexamples,
    runCommand,
    runOptions: {
      ...(plugins.plugins ? { plugins: plugins.plugins } : {}),
      ...(plugins.crashPoints ? { crashPoints: plugins.crashPoints } : {}),
    },
    ...(plugins.pluginPaths ? { pluginPaths: plugins.pluginPaths } : {}),
    onRun: (n, report) => {
      ranOne();
      coverage.add(report);
      if (n % 10 === 0 || report.verdict === 'fail') {
        process.stdout.write(
          `  run ${String(n).padStart(5)}  ${((Date.now() - started) / 1000).toFixed(1)} s  last: ${report.verdict}, ${report.events.stream} events, ${report.timeline.length} fault steps\n`,
        );
      }
    },
  });
  if (options.junit) writeFileCreatingDirs(options.junit, junitReport(result, options.transport, replaySuite));
  for (const line of coverage.lines()) process.stdout.write(`crash point ${line}\n`);
  if (result.ok) {
    process.stdout.write(
      `all properties held: ${result.runs} runs in ${(result.durationMs / 1000).toFixed(1)} s (seed ${result.seed})\n`,
    );
    return 0;
  }
  const f = result.failure;
  const file = f ? shellPath(f.counterexample.file) : '(none)';
  process.stdout.write(
    `property violated (seed ${result.seed}, path ${f?.path ?? '?'}):\n  ${f?.message ?? 'unknown failure'}\n` +
      `shrunk counterexample: ${file}\n` +
      (f
        ? `replay the scenario:  ${runCommand(f.counterexample.file)} --transport sim   (or on real NATS without --transport)\n`
        : '') +
      `replay the suite:     ${replaySuite}\n`,
  );
  return 1;
}

/** ` --projection t=path … --crash-point t:p:n …`, as given (paths as the user's shell reaches them). */
function replayFlags(plugins: Extract<PluginRunOptions, { ok: true }>): string {
  const projections = Object.entries(plugins.pluginPaths ?? {}).map(
    ([target, path]) => ` --projection ${target}=${shellPath(path)}`,
  );
  const crashPoints = (plugins.crashPoints ?? []).map((c) => ` --crash-point ${c.target}:${c.point}:${c.times}`);
  return [...projections, ...crashPoints].join('');
}

function junitReport(result: CheckResult, transport: CheckTransport, replay: string): string {
  const failure = result.failure
    ? `\n      <failure message="${xml(result.failure.message)}">${xml(result.failure.counterexample.yaml)}</failure>\n    `
    : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cqrs-testbed check" tests="1" failures="${result.ok ? 0 : 1}">\n` +
    `  <testsuite name="properties (${transport})" tests="1" failures="${result.ok ? 0 : 1}" time="${(result.durationMs / 1000).toFixed(3)}">\n` +
    `    <properties><property name="seed" value="${result.seed}"/><property name="runs" value="${result.runs}"/><property name="replay" value="${xml(replay)}"/></properties>\n` +
    `    <testcase classname="properties" name="every property over ${result.runs} generated fault schedules">${failure}</testcase>\n  </testsuite>\n</testsuites>\n`
  );
}
