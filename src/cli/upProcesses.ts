import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LiveStep } from '../scenarios/liveControl.js';
import { PROCESS_OF_MODEL } from '../scenarios/scenario.js';
import type { ControlResult, ProcessAction } from '../scenarios/telemetry.js';
import { serveTelemetry } from '../scenarios/telemetryService.js';
import { servicesView } from '../topology/servicesView.js';
import type { Supervisor } from '../topology/supervisor.js';
import { EVENT_STREAM } from '../transport/port.js';
import { leaderKeysOf, type Broker } from './broker.js';

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
  const frozen = new Set<string>();
  const telemetry = serveTelemetry({
    view: services.view,
    transport: broker.transport,
    log: log.child({ actor: 'telemetry' }),
    processes: () =>
      supervisor.processes.map((p) => ({
        ...{ name: p.name, pid: p.pid, restarts: p.restarts, gaveUp: p.gaveUp },
        frozen: frozen.has(p.name) && p.pid > 0,
      })),
    processControl: (record) => processKeys(supervisor, frozen, record),
    ...(cluster ? { brokerNodes: () => cluster.nodeStates(EVENT_STREAM), brokerNodeKeys: leaderKeysOf(cluster) } : {}),
  });
  return {
    async stop() {
      await telemetry.stop();
      await services.close();
    },
  };
}

/**
 * The dashboard's process keys on the process running the selected model's consumer: `k` SIGKILL (its supervisor
 * starts it again), `f` SIGSTOP, and again SIGCONT. A process left frozen stays so until thawed, or until `up` stops
 * (which continues it first).
 */
function processKeys(
  supervisor: Supervisor,
  frozen: Set<string>,
  record: (step: LiveStep) => void,
): (action: ProcessAction) => ControlResult {
  return (action) => {
    const name = PROCESS_OF_MODEL[action.target];
    const key = `live:process:${name}`;
    const signal = { killProcess: 'SIGKILL', freezeProcess: 'SIGSTOP', thawProcess: 'SIGCONT' } as const;
    const pid = supervisor.signal(name, signal[action.kind]);
    if (pid < 0) return { ok: false, message: `the ${name} process is not running (restarting)` };
    switch (action.kind) {
      case 'killProcess':
        if (frozen.delete(name)) record({ label: `${name} process continued (live)`, phase: 'fault-end', key });
        record({ label: `${name} process killed (SIGKILL, live)`, phase: 'remediation', key: `${key}:kill` });
        return { ok: true, message: `killed the ${name} process (pid ${pid}); its supervisor starts it again` };
      case 'freezeProcess':
        frozen.add(name);
        record({ label: `${name} process frozen (SIGSTOP, live)`, phase: 'fault-start', key });
        return { ok: true, message: `froze the ${name} process (pid ${pid}); f again continues it` };
      case 'thawProcess':
        frozen.delete(name);
        record({ label: `${name} process continued (SIGCONT, live)`, phase: 'fault-end', key });
        return { ok: true, message: `continued the ${name} process (pid ${pid})` };
    }
  };
}
