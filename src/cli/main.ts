import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger, type LogFormat } from '../log/logger.js';
import { checkOutputs } from '../process/outputPaths.js';
import { NatsServerNotFoundError } from '../transport/natsServerProcess.js';
import { dashboardUnavailable } from '../ui/terminal.js';
import { chooseUi, inCi } from './uiChoice.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('must be an integer port between 0 and 65535');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('must be an integer from 1 to 1000000');
  return n;
}

function seed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new InvalidArgumentError('must be an integer from 0 to 4294967295');
  return n;
}

/**
 * check's fast-check seed: 0..4294967295 as printed. A negative one (-2147483648..-1, the signed form earlier versions
 * printed) is the same seed to fast-check, and is taken as its unsigned twin.
 */
function checkSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -0x8000_0000 || n > 0xffff_ffff) throw new InvalidArgumentError('must be an integer from 0 to 4294967295');
  return n >>> 0;
}

/** package.json's version: what `--version` prints. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Commander's accumulator for a repeatable option. */
const collect = (value: string, previous: readonly string[]): string[] => [...previous, value];

/** The global --log-level if the user gave one, else `fallback` (scenario runs keep stderr quiet by default). */
function logLevelFor(program: Command, fallback: string): string {
  return program.getOptionValueSource('logLevel') === 'default' ? fallback : program.opts<{ logLevel: string }>().logLevel;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('cqrs-testbed')
    .description('A resilience testbed for CQRS read models: the article’s shop as XState actors over NATS JetStream and SQLite.')
    .addOption(new Option('--log-format <format>', 'log format on stderr').choices(['json', 'pretty']).default('pretty'))
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'))
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let exitCode = 0;
  /** Bad input: say why, exit 2, nothing started. */
  const refuse = (command: string, why: string): void => {
    process.stderr.write(`cqrs-testbed ${command}: ${why}\n`);
    exitCode = 2;
  };
  program
    .command('up')
    .description('start the whole system (private nats-server unless NATS_URL is set), seed the catalogue, serve HTTP')
    .addOption(new Option('--http-port <port>', 'HTTP port').argParser(port).default(3000))
    .option('--host <host>', 'address to bind the HTTP API to', '127.0.0.1')
    .option('--data-dir <dir>', 'keep SQLite files and the private broker store here (resumable); default: a temporary directory')
    .addOption(new Option('--inventory-mode <mode>', 'check: the article’s async view check (can oversell); reserve: synchronous reservation').choices(['check', 'reserve']).default('check'))
    .action(async (opts: { httpPort: number; host: string; dataDir?: string; inventoryMode: 'check' | 'reserve' }) => {
      const global = program.opts<{ logFormat: LogFormat; logLevel: string }>();
      const log = createLogger({ format: global.logFormat, level: global.logLevel });
      // Loaded only when needed: `--help` and a bad flag answer at once instead of loading the whole system first.
      const { up } = await import('./up.js');
      await up({ httpPort: opts.httpPort, host: opts.host, dataDir: opts.dataDir, inventoryMode: opts.inventoryMode }, log);
      log.flush();
    });

  program
    .command('run')
    .description('run scenario files (or directories of them) against a private nats-server and judge each against the oracle')
    .argument('<scenarios...>', 'scenario YAML files or directories')
    .addOption(new Option('--seed <n>', 'override every scenario’s seed (same seed → same workload and fault schedule)').argParser(seed))
    .option('--json', 'print one JSON object per scenario on stdout, nothing else', false)
    .option('--junit <file>', 'also write a JUnit XML report (one test case per property)')
    .option('--report <dir>', 'also write <dir>/<scenario>.json (with divergence samples) and .txt')
    .addOption(new Option('--transport <kind>', 'nats: a real private nats-server per scenario; sim: the deterministic simulation (virtual time)').choices(['nats', 'sim']).default('nats'))
    .option('--projection <name=path>', 'replace a built-in read model with your own plug-in module, e.g. customer-order-summary=./my-summary.ts (repeatable)', collect, [])
    .option('--crash-point <target:point[:times]>', 'crash a self-managed plug-in’s consumer at its named crash point (repeatable; times default 1)', collect, [])
    .option('--ui', 'live dashboard with fault-injection keys (default when stdin and stdout are terminals, outside CI and --json); logs go to --log-file')
    .option('--no-ui', 'plain progress lines, even on a terminal')
    .option('--log-file <file>', 'where the logs go while the dashboard is up', 'reports/cqrs-testbed.log')
    .action(async (paths: string[], opts: { seed?: number; json: boolean; junit?: string; report?: string; transport: 'nats' | 'sim'; projection: string[]; crashPoint: string[]; ui?: boolean; logFile: string }) => {
      const choice = chooseUi(opts, dashboardUnavailable(process), inCi(process.env));
      if ('error' in choice) return refuse('run', choice.error);
      const { ui } = choice;
      const badOutput = checkOutputs([['--junit', opts.junit, 'file'], ['--report', opts.report, 'dir'], ['--log-file', ui ? opts.logFile : undefined, 'file']]);
      if (badOutput !== undefined) return refuse('run', badOutput);
      // Never a log line on the terminal the dashboard draws on: with the UI, the logger writes to a file.
      const log = ui
        ? createLogger({ format: 'json', level: logLevelFor(program, 'info'), destination: opts.logFile })
        : createLogger({ format: 'json', level: logLevelFor(program, 'warn') });
      const { runCommand } = await import('./run.js');
      exitCode = await runCommand(paths, { json: opts.json, transport: opts.transport, projections: opts.projection, crashPoints: opts.crashPoint, ...(opts.seed === undefined ? {} : { seed: opts.seed }), ...(opts.junit ? { junit: opts.junit } : {}), ...(opts.report ? { report: opts.report } : {}), ...(ui ? { ui, logFile: opts.logFile } : {}) }, log);
      log.flush();
    });

  program
    .command('dashboard')
    .description('the live dashboard of a system started with `cqrs-testbed up` (possibly elsewhere), through NATS')
    .option('--nats-url <url>', 'the broker `up` uses (its banner prints it); default: NATS_URL')
    .option('--log-file <file>', 'where the logs go while the dashboard is up', 'reports/cqrs-testbed-dashboard.log')
    .action(async (opts: { natsUrl?: string; logFile: string }) => {
      const natsUrl = opts.natsUrl ?? process.env.NATS_URL;
      if (!natsUrl) return refuse('dashboard', 'which broker? pass --nats-url (the `dashboard` line of the `cqrs-testbed up` banner) or set NATS_URL');
      const unavailable = dashboardUnavailable(process);
      if (unavailable !== undefined) return refuse('dashboard', `the dashboard needs a terminal for its screen and its keys, and here ${unavailable}`);
      const badOutput = checkOutputs([['--log-file', opts.logFile, 'file']]);
      if (badOutput !== undefined) return refuse('dashboard', badOutput);
      const log = createLogger({ format: 'json', level: logLevelFor(program, 'info'), destination: opts.logFile });
      const { dashboardCommand } = await import('../ui/attach.js');
      exitCode = await dashboardCommand({ natsUrl, log });
      log.flush();
    });

  program
    .command('check')
    .description('run the property suite: generated workloads x fault schedules, shrunk counterexamples as scenario files')
    .addOption(new Option('--runs <n>', 'generated scenarios to run').argParser(positiveInt).default(200))
    .addOption(new Option('--seed <n>', 'fast-check seed, 0 to 4294967295 (default: random, printed with the command that replays it)').argParser(checkSeed))
    .addOption(new Option('--transport <kind>', 'sim: deterministic simulation (fast); nats: real nats-server per run').choices(['sim', 'nats']).default('sim'))
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--counterexamples <dir>', 'where a shrunk counterexample is written', 'reports/counterexamples')
    .action(async (opts: { runs: number; seed?: number; transport: 'sim' | 'nats'; junit?: string; counterexamples: string }) => {
      const badOutput = checkOutputs([['--junit', opts.junit, 'file'], ['--counterexamples', opts.counterexamples, 'dir']]);
      if (badOutput !== undefined) return refuse('check', badOutput);
      const log = createLogger({ format: 'json', level: logLevelFor(program, 'error') });
      const { checkCommand } = await import('./check.js');
      exitCode = await checkCommand({ runs: opts.runs, transport: opts.transport, counterexamples: opts.counterexamples,
        ...(opts.seed === undefined ? {} : { seed: opts.seed }), ...(opts.junit ? { junit: opts.junit } : {}) }, log);
      log.flush();
    });

  program
    .command('bench')
    .description('measure throughput, rebuild rate, convergence and memory as ratios of the raw broker (writes bench/results/latest.json)')
    .option('--quick', 'smaller sizes (well under two minutes)', false)
    .option('--out <file>', 'where to write the results (default: bench/results/latest.json, git-ignored)')
    .action(async (opts: { quick: boolean; out?: string }) => {
      const { benchMain } = await import('../bench/main.js');
      // No --out: the bench's own default (one place for it).
      exitCode = await benchMain([...(opts.quick ? ['--quick'] : []), ...(opts.out === undefined ? [] : ['--out', opts.out])]);
    });

  program
    .command('list')
    .description('list the scenarios (default: the scenarios/ directory) with what each teaches')
    .argument('[paths...]', 'scenario files or directories')
    .action(async (paths: string[]) => {
      const { listCommand } = await import('./run.js');
      exitCode = await listCommand(paths);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof NatsServerNotFoundError) {
      process.stderr.write(`cqrs-testbed: ${error.message}\n`);
      return 2;
    }
    const code = (error as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
    }
    process.stderr.write(`cqrs-testbed: ${error instanceof Error ? error.message : String(error)}\n`);
    exitCode = 1;
  }
  return exitCode;
}
