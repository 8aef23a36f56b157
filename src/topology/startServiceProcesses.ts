import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import { superviseProcesses, type ProcessSpec, type Supervisor } from './supervisor.js';

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
    readonly host: string;
    readonly httpPort: number;
    /** The processes' log level (their logs go to this process's stderr); `info` by default. */
    readonly logLevel?: string;
  },
  log: Logger,
): Promise<Supervisor> {
  const common = [
    ...['--nats-url', broker.url, '--data-dir', join(dataDir, 'services')],
    ...['--inventory-mode', options.inventoryMode, '--replicas', String(broker.replicas)],
    ...['--parent-pid', String(process.pid)],
  ];
  const spec = (name: string, extra: readonly string[] = []): ProcessSpec => ({
    name,
    args: [BIN, '--log-level', options.logLevel ?? 'info', 'service', name, ...common, ...extra],
  });
  return superviseProcesses(
    process.execPath,
    [
      spec('inventory', ['--seed-catalog']),
      spec('orders'),
      spec('products'),
      spec('summary'),
      spec('http', ['--host', options.host, '--http-port', String(options.httpPort)]),
    ],
    log.child({ actor: 'supervisor' }),
  );
}
