import type { Supervisor } from '../topology/supervisor.js';
import type { Broker } from './broker.js';

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
