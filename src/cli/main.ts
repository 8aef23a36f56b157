import { Command, Option } from 'commander';
import { NatsServerNotFoundError } from '../transport/natsServerProcess.js';
import { packageVersion } from './argParsers.js';
import {
  addBenchCommand,
  addCheckCommand,
  addDashboardCommand,
  addListCommand,
  addRunCommand,
  addUpCommand,
  type Cli,
} from './commands.js';
import { addServiceCommand } from './serviceCommand.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('cqrs-testbed')
    .description(
      'A resilience testbed for CQRS read models: the article’s shop as XState actors over NATS JetStream and SQLite.',
    )
    .addOption(
      new Option('--log-format <format>', 'log format on stderr').choices(['json', 'pretty']).default('pretty'),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let exitCode = 0;
  const cli: Cli = {
    program,
    refuse: (command, why) => {
      process.stderr.write(`cqrs-testbed ${command}: ${why}\n`);
      exitCode = 2;
    },
    exit: (code) => {
      exitCode = code;
    },
  };
  for (const add of [
    addUpCommand,
    addRunCommand,
    addDashboardCommand,
    addCheckCommand,
    addBenchCommand,
    addListCommand,
    addServiceCommand,
  ])
    add(cli);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    return exitCodeOf(error);
  }
  return exitCode;
}

/** What a failure that escaped a command exits with: 2 for bad input or a missing nats-server, else 1. */
function exitCodeOf(error: unknown): number {
  if (error instanceof NatsServerNotFoundError) {
    process.stderr.write(`cqrs-testbed: ${error.message}\n`);
    return 2;
  }
  const code = (error as { code?: string; exitCode?: number }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
  }
  process.stderr.write(`cqrs-testbed: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
