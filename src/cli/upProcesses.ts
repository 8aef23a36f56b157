import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import { superviseProcesses, type ProcessSpec, type Supervisor } from '../topology/supervisor.js';
import type { Broker } from './broker.js';

const BIN = fileURLToPath(new URL('../../bin/cqrs-testbed', import.meta.url));

/**
 * `up --topology processes`: one OS process per service — inventory (with its ProductInventory view), orders,
 * products, summary — and one for the HTTP API, started in that order by a supervisor that restarts any that dies.
 * They talk only over the broker; each keeps its SQLite files under `<data dir>/services`.
 */
export async function startServiceProcesses(
  broker: Broker,
  dataDir: string,
  options: { readonly inventoryMode: InventoryMode; readonly host: string; readonly httpPort: number },
  log: Logger,
): Promise<Supervisor> {
  const common = [
    ...['--nats-url', broker.url, '--data-dir', join(dataDir, 'services')],
    ...['--inventory-mode', options.inventoryMode, '--replicas', String(broker.replicas)],
    ...['--parent-pid', String(process.pid)],
  ];
  const spec = (name: string, extra: readonly string[] = []): ProcessSpec => ({
    name,
    args: [BIN, 'service', name, ...common, ...extra],
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

/** The banner of the processes topology: the URL and every process with its pid. */
export function processesBanner(supervisor: Supervisor, broker: Broker, dataDir: string, temporary: boolean): string {
  const http = supervisor.processes.find((p) => p.name === 'http');
  const url = http?.readyDetail ?? '?';
  const seeded = /seeded (\d+)/.exec(supervisor.processes.find((p) => p.name === 'inventory')?.readyDetail ?? '');
  return [
    `cqrs-testbed is up as separate processes (${seeded?.[1] ?? '?'} products seeded)`,
    `  HTTP API   ${url}`,
    `  health     ${url}/health`,
    `  try        curl -s ${url}/inventory/products/prod_abc`,
    `  broker     ${broker.url}${broker.cluster ? ` (private ${broker.cluster.nodes.length}-node JetStream cluster, pids ${broker.cluster.nodes.map((n) => n.pid).join(' ')}, stream on ${broker.replicas} replicas)` : broker.server ? ` (private nats-server pid ${broker.server.pid})` : ' (NATS_URL)'}`,
    `  processes  ${supervisor.processes.map((p) => `${p.name} pid ${p.pid}`).join(', ')} (restarted if one dies)`,
    `  data       ${dataDir}${temporary ? ' (temporary; pass --data-dir DIR to keep it)' : ''}`,
    '  Ctrl-C stops every process and exits.',
    '',
  ].join('\n');
}
