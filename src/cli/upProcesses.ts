import { join } from 'node:path';
import type { Logger } from 'pino';
import { serveTelemetry } from '../scenarios/telemetryService.js';
import { servicesView } from '../topology/servicesView.js';
import type { Supervisor } from '../topology/supervisor.js';
import { EVENT_STREAM } from '../transport/port.js';
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

/**
 * `dashboard --nats-url` on the processes topology: the same telemetry as `up` answers in one process, read from the
 * services' files and status, with each service process (pid, restarts) as its supervisor knows it. The dashboard's
 * keys act inside the services, so they are refused here.
 */
export function serveProcessesTelemetry(
  supervisor: Supervisor,
  broker: Broker,
  dataDir: string,
  log: Logger,
): { stop(): Promise<void> } {
  const services = servicesView(join(dataDir, 'services'), broker.transport, supervisor);
  const cluster = broker.cluster;
  const telemetry = serveTelemetry({
    view: services.view,
    transport: broker.transport,
    log: log.child({ actor: 'telemetry' }),
    processes: () =>
      supervisor.processes.map((p) => ({ name: p.name, pid: p.pid, restarts: p.restarts, gaveUp: p.gaveUp })),
    ...(cluster ? { brokerNodes: () => cluster.nodeStates(EVENT_STREAM) } : {}),
  });
  return {
    async stop() {
      await telemetry.stop();
      await services.close();
    },
  };
}
