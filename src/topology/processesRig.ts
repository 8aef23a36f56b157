/**
 * The scenario rig of the multi-process topology (`system.topology.processes`): the run's brokers, and every
 * service its own OS process under a supervisor, as `up --topology processes` starts them. The runner drives the
 * shop through the port over NATS, reads the services' SQLite files (same machine: the run owns the dir) and asks
 * each process for its status over NATS; process faults SIGKILL and SIGSTOP the real processes.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { realClock } from '../actors/clock.js';
import { FaultController } from '../scenarios/faultController.js';
import { connectRunTransport, startRunBrokers, stopRunBrokers, type RunBrokers } from '../scenarios/natsRig.js';
import { systemOptionsFor, type Rig } from '../scenarios/rig.js';
import { runOnRig } from '../scenarios/runner.js';
import { InfrastructureError, type RunOptions, type ScenarioReport } from '../scenarios/runTypes.js';
import type { Scenario, ServiceProcessName } from '../scenarios/scenario.js';
import type { ServiceProcesses } from '../scenarios/timeline.js';
import { portOverNats } from '../system/portOverNats.js';
import type { Transport } from '../transport/port.js';
import { servicesView, type ServicesView } from './servicesView.js';
import { controlSubject } from './serviceControl.js';
import { startServiceProcesses } from './startServiceProcesses.js';
import type { Supervisor } from './supervisor.js';

/** How long an armed kill waits for its moment (a commit, an order) before it strikes wherever the process is. */
const ARMED_KILL_WAIT_MS = 2_000;
/** How long a killed process may take to be seen dead. */
const DEATH_WAIT_MS = 5_000;
const CONTROL_TIMEOUT_MS = 2_000;
/**
 * A service process that has not said ready within this is killed and started again (by the supervisor, with
 * backoff): a restart that connected to a broker node still recovering from a fault can hang there, and a fresh
 * attempt reaches another node. Seconds on these machines, even under load.
 */
const RESTART_READY_TIMEOUT_MS = 15_000;

export async function runScenarioOnProcesses(scenario: Scenario, options: RunOptions): Promise<ScenarioReport> {
  if (options.onTelemetry || options.onControl)
    throw new InfrastructureError('the dashboard does not watch the processes topology yet: run it without --ui');
  if (Object.keys(options.plugins ?? {}).length > 0 || (options.crashPoints ?? []).length > 0)
    throw new InfrastructureError(
      'plug-in projections run in the runner’s process: not with system.topology.processes',
    );
  const seed = options.seed ?? scenario.seed;
  const log = options.log.child({ scenario: scenario.name, seed, topology: 'processes' });
  const brokers = await startRunBrokers(scenario, log);
  let rig: ProcessesRig | undefined;
  try {
    rig = await setUp(scenario, brokers, log);
    return await runOnRig(rig, scenario, seed, options, log);
  } finally {
    await tearDown(rig, brokers);
  }
}

interface ProcessesRig extends Rig {
  readonly supervisor: Supervisor;
  readonly services: ServicesView;
}

async function setUp(scenario: Scenario, brokers: RunBrokers, log: Logger): Promise<ProcessesRig> {
  const transport = await connectRunTransport(scenario, brokers, log);
  const faults = new FaultController(realClock);
  let supervisor: Supervisor;
  try {
    const consumer = systemOptionsFor(scenario, faults).consumer;
    supervisor = await startServiceProcesses(
      brokers,
      brokers.dir,
      {
        inventoryMode: scenario.system.inventoryMode,
        seedCatalog: false,
        supervisor: { readyTimeoutMs: RESTART_READY_TIMEOUT_MS },
        ...(consumer ? { consumer } : {}),
        logLevel: log.level === 'silent' ? 'error' : log.level,
      },
      log,
    );
  } catch (error) {
    await transport.close();
    throw new InfrastructureError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const services = servicesView(join(brokers.dir, 'services'), transport, supervisor);
  const newId = () => crypto.randomUUID();
  return {
    ...{ supervisor, services, clock: realClock, broker: brokers.broker, transport, faults, newId },
    view: services.view,
    port: portOverNats(transport),
    system: undefined,
    processes: processFaults(supervisor, transport),
  };
}

async function tearDown(rig: ProcessesRig | undefined, brokers: RunBrokers): Promise<void> {
  if (rig) {
    for (const p of rig.supervisor.processes) rig.supervisor.signal(p.name, 'SIGCONT'); // never leave one frozen
    await rig.services.close();
    await rig.supervisor.stop();
    await rig.transport.close();
  }
  await stopRunBrokers(brokers);
}

/** Process faults on the supervised processes: SIGKILL now or at an armed point, SIGSTOP, SIGCONT. */
function processFaults(supervisor: Supervisor, transport: Transport): ServiceProcesses {
  const pidOf = (name: ServiceProcessName) => supervisor.processes.find((p) => p.name === name)?.pid ?? -1;
  const diedSince = async (name: ServiceProcessName, pid: number, waitMs: number): Promise<boolean> => {
    for (const until = Date.now() + waitMs; Date.now() < until;) {
      if (pidOf(name) !== pid) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return pidOf(name) !== pid;
  };
  return {
    async kill(target, when, restartAfterMs) {
      supervisor.holdNextRestart(target, restartAfterMs);
      const pid = pidOf(target);
      if (pid < 0) throw new Error(`the ${target} process is not running`);
      if (when !== 'now') {
        // Armed: the process kills itself at that point of its work (serviceControl.ts). Its answer can be lost with
        // it — the point may come before the answer is out — so a silence is no failure: its death is what counts.
        const arm = new TextEncoder().encode(JSON.stringify({ kill: when }));
        await transport.request(controlSubject(target), arm, CONTROL_TIMEOUT_MS).catch(() => undefined);
        if (await diedSince(target, pid, ARMED_KILL_WAIT_MS)) return;
      }
      supervisor.signal(target, 'SIGKILL');
      if (!(await diedSince(target, pid, DEATH_WAIT_MS))) throw new Error(`the ${target} process did not die`);
    },
    pause: (target) => void supervisor.signal(target, 'SIGSTOP'),
    resume: (target) => void supervisor.signal(target, 'SIGCONT'),
  };
}
