import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ConsumerSettings } from '../actors/consumerSettings.js';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import {
  DEFAULT_PROCESS_SUPERVISOR_SETTINGS,
  superviseProcesses,
  type ProcessSpec,
  type ProcessSupervisorSettings,
  type Supervisor,
} from './supervisor.js';

const BIN = fileURLToPath(new URL('../../bin/cqrs-testbed', import.meta.url));

/**
 * `up --topology processes`: one OS process per service — inventory (with its ProductInventory view), orders,
 * products, summary — and one for the HTTP API, started in that order by a supervisor that restarts any that dies.
 * They talk only over the broker; each keeps its SQLite files under `<data dir>/services`.
 */
export async function startServiceProcesses(
  broker: { readonly url: string; readonly replicas: number },
  dataDir: string,
  options: {
    readonly inventoryMode: InventoryMode;
    /** The HTTP API process's address; none without (a scenario drives the port over NATS itself). */
    readonly http?: { readonly host: string; readonly port: number };
    /** The inventory process adds the starting catalogue (default); a scenario brings its own. */
    readonly seedCatalog?: boolean;
    /** The consumers' settings where not the defaults. */
    readonly consumer?: Partial<Omit<ConsumerSettings, 'clock'>>;
    /** The processes' log level (their logs go to this process's stderr); `info` by default. */
    readonly logLevel?: string;
    /** The supervisor's bounds, where not its defaults (a scenario waits less for a restart that hangs). */
    readonly supervisor?: Partial<ProcessSupervisorSettings>;
  },
  log: Logger,
): Promise<Supervisor> {
  const common = [
    ...['--nats-url', broker.url, '--data-dir', join(dataDir, 'services')],
    ...['--inventory-mode', options.inventoryMode, '--replicas', String(broker.replicas)],
    ...['--parent-pid', String(process.pid)],
    ...(options.consumer ? ['--consumer', JSON.stringify(options.consumer)] : []),
  ];
  const spec = (name: string, extra: readonly string[] = []): ProcessSpec => ({
    name,
    args: [BIN, '--log-level', options.logLevel ?? 'info', 'service', name, ...common, ...extra],
  });
  return superviseProcesses(
    process.execPath,
    [
      spec('inventory', options.seedCatalog === false ? [] : ['--seed-catalog']),
      spec('orders'),
      spec('products'),
      spec('summary'),
      ...(options.http ? [spec('http', ['--host', options.http.host, '--http-port', String(options.http.port)])] : []),
    ],
    log.child({ actor: 'supervisor' }),
    { ...DEFAULT_PROCESS_SUPERVISOR_SETTINGS, ...options.supervisor },
  );
}
