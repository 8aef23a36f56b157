import { Option, type Command } from 'commander';
import { createLogger, type LogFormat } from '../log/logger.js';
import { checkOutputs } from '../process/outputPaths.js';
import { dashboardUnavailable } from '../ui/terminal.js';
import { brokerCount, checkSeed, collect, logLevelFor, port, positiveInt, seed } from './argParsers.js';
import { chooseUi, inCi } from './uiChoice.js';

/** What each subcommand is registered with: the program, how to refuse bad input, how to set the exit code. */
export interface Cli {
  readonly program: Command;
  /** Bad input: say why, exit 2, nothing started. */
  refuse(command: string, why: string): void;
  exit(code: number): void;
}

// Each subcommand loads its implementation only when it runs: `--help` and a bad flag answer at once instead of
// loading the whole system first.

/** `up`: the whole system, served over HTTP. */
export function addUpCommand(cli: Cli): void {
  cli.program
    .command('up')
    .description('start the whole system (private nats-server unless NATS_URL is set), seed the catalogue, serve HTTP')
    .addOption(new Option('--http-port <port>', 'HTTP port').argParser(port).default(3000))
    .option('--host <host>', 'address to bind the HTTP API to', '127.0.0.1')
    .option(
      '--data-dir <dir>',
      'keep SQLite files and the private broker store here (resumable); default: a temporary directory',
    )
    .addOption(
      new Option(
        '--inventory-mode <mode>',
        'check: the article’s async view check (can oversell); reserve: synchronous reservation',
      )
        .choices(['check', 'reserve'])
        .default('check'),
    )
    .addOption(
      projectionOption(
        'serve a read model from your own plug-in module instead of the built-in; the HTTP queries read its model',
      ),
    )
    .addOption(
      new Option(
        '--topology <kind>',
        'single: the whole system in this process; processes: one OS process per service (inventory, orders, products, summary, HTTP), talking only over NATS, each restarted if it dies',
      )
        .choices(['single', 'processes'])
        .default('single'),
    )
    .addOption(
      new Option(
        '--brokers <n>',
        'broker nodes: 1 (a private nats-server) or a private JetStream cluster of 3 or 5 on loopback, the stream replicated on every node; with NATS_URL (a comma-separated list for a cluster), the stream’s replicas',
      )
        .argParser(brokerCount)
        .default(1),
    )
    .action(
      async (opts: {
        httpPort: number;
        host: string;
        dataDir?: string;
        inventoryMode: 'check' | 'reserve';
        projection: string[];
        brokers: number;
        topology: 'single' | 'processes';
      }) => {
        const global = cli.program.opts<{ logFormat: LogFormat; logLevel: string }>();
        const log = createLogger({ format: global.logFormat, level: global.logLevel });
        const { pluginRunOptions } = await import('./pluginFlags.js');
        const plugins = await pluginRunOptions({ projections: opts.projection });
        if (!plugins.ok) return cli.refuse('up', plugins.error);
        // Loaded only when needed: `--help` and a bad flag answer at once instead of loading the whole system first.
        const { up } = await import('./up.js');
        await up(
          {
            httpPort: opts.httpPort,
            host: opts.host,
            dataDir: opts.dataDir,
            inventoryMode: opts.inventoryMode,
            ...(plugins.plugins ? { plugins: plugins.plugins } : {}),
            pluginLines: plugins.banner,
            brokers: opts.brokers,
            topology: opts.topology,
          },
          log,
        );
        log.flush();
      },
    );
}

/** `--projection name=path` (repeatable), as `run`, `check` and `up` take it; `help` says what it does there. */
const projectionOption = (help: string) =>
  new Option('--projection <name=path>', `${help} (repeatable)`).argParser(collect).default([]);

/** `--crash-point target:point[:times]` (repeatable), as `run` and `check` take it. */
const crashPointOption = (help: string) =>
  new Option('--crash-point <target:point[:times]>', `${help} (repeatable)`).argParser(collect).default([]);

interface RunFlags {
  seed?: number;
  json: boolean;
  junit?: string;
  report?: string;
  transport: 'nats' | 'sim';
  projection: string[];
  crashPoint: string[];
  ui?: boolean;
  logFile: string;
}

/** `run`: scenario files judged against the oracle. */
export function addRunCommand(cli: Cli): void {
  cli.program
    .command('run')
    .description(
      'run scenario files (or directories of them) against a private nats-server and judge each against the oracle',
    )
    .argument('<scenarios...>', 'scenario YAML files or directories')
    .addOption(
      new Option(
        '--seed <n>',
        'override every scenario’s seed (same seed → same workload and fault schedule)',
      ).argParser(seed),
    )
    .option('--json', 'print one JSON object per scenario on stdout, nothing else', false)
    .option('--junit <file>', 'also write a JUnit XML report (one test case per property)')
    .option('--report <dir>', 'also write <dir>/<scenario>.json (with divergence samples) and .txt')
    .addOption(
      new Option(
        '--transport <kind>',
        'nats: a real private nats-server per scenario; sim: the deterministic simulation (virtual time)',
      )
        .choices(['nats', 'sim'])
        .default('nats'),
    )
    .addOption(
      projectionOption(
        'replace a built-in read model with your own plug-in module, e.g. customer-order-summary=./my-summary.ts',
      ),
    )
    .addOption(crashPointOption('crash a self-managed plug-in’s consumer at its named crash point (times default 1)'))
    .option(
      '--ui',
      'live dashboard with fault-injection keys (default when stdin and stdout are terminals, outside CI and --json); logs go to --log-file',
    )
    .option('--no-ui', 'plain progress lines, even on a terminal')
    .option('--log-file <file>', 'where the logs go while the dashboard is up', 'reports/cqrs-testbed.log')
    .action((paths: string[], opts: RunFlags) => runAction(cli, paths, opts));
}

async function runAction(cli: Cli, paths: string[], opts: RunFlags): Promise<void> {
  const choice = chooseUi(opts, dashboardUnavailable(process), inCi(process.env));
  if ('error' in choice) return cli.refuse('run', choice.error);
  const { ui } = choice;
  const badOutput = checkOutputs([
    ['--junit', opts.junit, 'file'],
    ['--report', opts.report, 'dir'],
    ['--log-file', ui ? opts.logFile : undefined, 'file'],
  ]);
  if (badOutput !== undefined) return cli.refuse('run', badOutput);
  // Never a log line on the terminal the dashboard draws on: with the UI, the logger writes to a file.
  const log = ui
    ? createLogger({ format: 'json', level: logLevelFor(cli.program, 'info'), destination: opts.logFile })
    : createLogger({ format: 'json', level: logLevelFor(cli.program, 'warn') });
  const { runCommand } = await import('./run.js');
  const runOptions = {
    json: opts.json,
    transport: opts.transport,
    projections: opts.projection,
    crashPoints: opts.crashPoint,
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.junit ? { junit: opts.junit } : {}),
    ...(opts.report ? { report: opts.report } : {}),
    ...(ui ? { ui, uiAsked: opts.ui === true, logFile: opts.logFile } : {}),
  };
  cli.exit(await runCommand(paths, runOptions, log));
  log.flush();
}

/** `dashboard`: the live dashboard of a system `up` started. */
export function addDashboardCommand(cli: Cli): void {
  cli.program
    .command('dashboard')
    .description('the live dashboard of a system started with `cqrs-testbed up` (possibly elsewhere), through NATS')
    .option('--nats-url <url>', 'the broker `up` uses (its banner prints it); default: NATS_URL')
    .option('--log-file <file>', 'where the logs go while the dashboard is up', 'reports/cqrs-testbed-dashboard.log')
    .action(async (opts: { natsUrl?: string; logFile: string }) => {
      const natsUrl = opts.natsUrl ?? process.env.NATS_URL;
      if (!natsUrl)
        return cli.refuse(
          'dashboard',
          'which broker? pass --nats-url (the `dashboard` line of the `cqrs-testbed up` banner) or set NATS_URL',
        );
      const unavailable = dashboardUnavailable(process);
      if (unavailable !== undefined)
        return cli.refuse(
          'dashboard',
          `the dashboard needs a terminal for its screen and its keys, and here ${unavailable}`,
        );
      const badOutput = checkOutputs([['--log-file', opts.logFile, 'file']]);
      if (badOutput !== undefined) return cli.refuse('dashboard', badOutput);
      const log = createLogger({ format: 'json', level: logLevelFor(cli.program, 'info'), destination: opts.logFile });
      const { dashboardCommand } = await import('../ui/attach.js');
      cli.exit(await dashboardCommand({ natsUrl, log }));
      log.flush();
    });
}

/** `check`: the property suite. */
export function addCheckCommand(cli: Cli): void {
  cli.program
    .command('check')
    .description(
      'run the property suite: generated workloads x fault schedules, shrunk counterexamples as scenario files',
    )
    .addOption(new Option('--runs <n>', 'generated scenarios to run').argParser(positiveInt).default(200))
    .addOption(
      new Option(
        '--seed <n>',
        'fast-check seed, 0 to 4294967295 (default: random, printed with the command that replays it)',
      ).argParser(checkSeed),
    )
    .addOption(
      new Option('--transport <kind>', 'sim: deterministic simulation (fast); nats: real nats-server per run')
        .choices(['sim', 'nats'])
        .default('sim'),
    )
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--counterexamples <dir>', 'where a shrunk counterexample is written', 'reports/counterexamples')
    .addOption(
      projectionOption(
        'check your own plug-in module in place of a built-in read model; the suite arms its declared crash points',
      ),
    )
    .addOption(crashPointOption('also crash a self-managed plug-in at its named crash point before each run'))
    .action(
      async (opts: {
        runs: number;
        seed?: number;
        transport: 'sim' | 'nats';
        junit?: string;
        counterexamples: string;
        projection: string[];
        crashPoint: string[];
      }) => {
        const badOutput = checkOutputs([
          ['--junit', opts.junit, 'file'],
          ['--counterexamples', opts.counterexamples, 'dir'],
        ]);
        if (badOutput !== undefined) return cli.refuse('check', badOutput);
        const log = createLogger({ format: 'json', level: logLevelFor(cli.program, 'error') });
        const { checkCommand } = await import('./check.js');
        cli.exit(
          await checkCommand(
            {
              runs: opts.runs,
              transport: opts.transport,
              counterexamples: opts.counterexamples,
              projections: opts.projection,
              crashPoints: opts.crashPoint,
              ...(opts.seed === undefined ? {} : { seed: opts.seed }),
              ...(opts.junit ? { junit: opts.junit } : {}),
            },
            log,
          ),
        );
        log.flush();
      },
    );
}

/** `bench`: the benchmarks. */
export function addBenchCommand(cli: Cli): void {
  cli.program
    .command('bench')
    .description(
      'measure throughput, rebuild rate, convergence and memory as ratios of the raw broker (writes bench/results/latest.json)',
    )
    .option('--quick', 'smaller sizes (well under two minutes)', false)
    .option('--out <file>', 'where to write the results (default: bench/results/latest.json, git-ignored)')
    .action(async (opts: { quick: boolean; out?: string }) => {
      const { benchMain } = await import('../bench/main.js');
      // No --out: the bench's own default (one place for it).
      cli.exit(
        await benchMain([...(opts.quick ? ['--quick'] : []), ...(opts.out === undefined ? [] : ['--out', opts.out])]),
      );
    });
}

/** `list`: the scenarios and what each teaches. */
export function addListCommand(cli: Cli): void {
  cli.program
    .command('list')
    .description('list the scenarios (default: the scenarios/ directory) with what each teaches')
    .argument('[paths...]', 'scenario files or directories')
    .action(async (paths: string[]) => {
      const { listCommand } = await import('./run.js');
      cli.exit(await listCommand(paths));
    });
}
