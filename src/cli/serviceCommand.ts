import { Option } from 'commander';
import { createLogger, type LogFormat } from '../log/logger.js';
import { port } from './argParsers.js';
import type { ConsumerSettings } from '../actors/consumerSettings.js';
import type { Cli } from './commands.js';

const KINDS = ['inventory', 'orders', 'products', 'summary', 'http'] as const;

/**
 * `service <kind>`: one process of the multi-process topology (`up --topology processes` starts them; not for
 * direct use, so hidden from the help). Needs the broker's URL; runs until a signal or until its parent is gone.
 */
export function addServiceCommand(cli: Cli): void {
  cli.program
    .command('service', { hidden: true })
    .argument('<kind>', `one of ${KINDS.join(', ')}`)
    .requiredOption('--nats-url <urls>', 'the broker: one URL or a comma-separated list of a cluster’s nodes')
    .requiredOption('--data-dir <dir>', 'where this service keeps its SQLite files')
    .addOption(new Option('--inventory-mode <mode>').choices(['check', 'reserve']).default('check'))
    .addOption(new Option('--replicas <n>', 'the stream’s replicas').argParser(Number).default(1))
    .option('--seed-catalog', 'inventory: add the starting catalogue once ready', false)
    .addOption(new Option('--http-port <port>').argParser(port).default(3000))
    .option('--host <host>', 'http: the address to bind', '127.0.0.1')
    .addOption(new Option('--parent-pid <pid>', 'stop when this process is gone').argParser(Number))
    .addOption(new Option('--consumer <json>', 'consumer settings (ackWaitMs, batchSize, handlerMsPerEvent, retry)'))
    .action(
      async (
        kind: string,
        opts: {
          natsUrl: string;
          dataDir: string;
          inventoryMode: 'check' | 'reserve';
          replicas: number;
          seedCatalog: boolean;
          httpPort: number;
          host: string;
          parentPid?: number;
          consumer?: string;
        },
      ) => {
        if (!(KINDS as readonly string[]).includes(kind))
          return cli.refuse('service', `unknown service "${kind}"; one of ${KINDS.join(', ')}`);
        const global = cli.program.opts<{ logFormat: LogFormat; logLevel: string }>();
        const log = createLogger({ format: global.logFormat, level: global.logLevel }).child({ service: kind });
        const consumer = consumerSettingsFrom(opts.consumer);
        if (typeof consumer === 'string') return cli.refuse('service', consumer);
        const { processMain } = await import('../topology/processMain.js');
        cli.exit(
          await processMain({
            kind: kind as (typeof KINDS)[number],
            natsUrl: opts.natsUrl,
            dataDir: opts.dataDir,
            inventoryMode: opts.inventoryMode,
            streamReplicas: opts.replicas,
            seedCatalog: opts.seedCatalog,
            http: { host: opts.host, port: opts.httpPort },
            ...(opts.parentPid === undefined ? {} : { parentPid: opts.parentPid }),
            ...(consumer ? { consumer } : {}),
            log,
          }),
        );
      },
    );
}

const CONSUMER_KEYS = ['ackWaitMs', 'batchSize', 'handlerMsPerEvent', 'retry'];

/** `--consumer`'s JSON as settings, or what is wrong with it (a scenario's settings, checked by its loader first). */
function consumerSettingsFrom(json: string | undefined): Partial<ConsumerSettings> | string | undefined {
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return '--consumer must be JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return '--consumer must be a JSON object';
  const unknown = Object.keys(value).filter((k) => !CONSUMER_KEYS.includes(k));
  if (unknown.length > 0)
    return `--consumer: unknown setting ${unknown.join(', ')} (known: ${CONSUMER_KEYS.join(', ')})`;
  return value;
}
