import { join } from 'node:path';
import type { Logger } from 'pino';
import { realClock } from '../actors/clock.js';
import type { ProjectionPlugins } from '../plugins/projectionPlugin.js';
import { brokerPidFileOf, brokerStoreOf, createOwnedTempDir, removeOwnedTempDir } from '../process/ownedTempDir.js';
import { startSystem } from '../system/startSystem.js';
import { connectJetStream } from '../transport/jetstream/jetstreamTransport.js';
import { startNatsServer, type NatsServerProcess } from '../transport/natsServerProcess.js';
import { FaultController } from './faultController.js';
import { superviseCrashes, systemOptionsFor, type Rig } from './rig.js';
import { runOnRig } from './runner.js';
import { InfrastructureError, type RunOptions, type ScenarioReport } from './runTypes.js';
import type { Scenario } from './scenario.js';

// The real rig: a private nats-server (its own temp dir, owned, so a killed run leaves nothing behind), a
// JetStream connection, SQLite files, the wall clock. simRig.ts is its simulated twin.

/**
 * Runs one scenario end to end on a private nats-server: seed the catalogue, play the workload while the timeline
 * injects faults and remediations, sample divergence from the oracle, wait for convergence (bounded), check the
 * write model and (if asked) rebuild-equals-incremental, and judge every expectation.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioReport> {
  const seed = options.seed ?? scenario.seed;
  const log = options.log.child({ scenario: scenario.name, seed });
  const rig = await setUp(scenario, log, options.plugins);
  try {
    return await runOnRig(rig, scenario, seed, options, log);
  } finally {
    await tearDown(rig);
  }
}

interface NatsRig extends Rig {
  readonly dir: string;
  readonly server: NatsServerProcess;
}

async function setUp(scenario: Scenario, log: Logger, plugins: ProjectionPlugins | undefined): Promise<NatsRig> {
  // Owned (pid in the dir) and the broker detached with a guard and a pid file: a run killed outright leaves neither
  // a nats-server nor, after the next start's sweep, the dir (src/process/).
  const dir = createOwnedTempDir(`cqrs-scenario-${scenario.name}-`);
  let server: NatsServerProcess;
  try {
    server = await startNatsServer({
      storeDir: brokerStoreOf(dir),
      pidFile: brokerPidFileOf(dir),
      detach: true,
      log: log.child({ actor: 'nats-server' }),
    });
  } catch (error) {
    removeOwnedTempDir(dir);
    throw new InfrastructureError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const transport = await connectJetStream({
    servers: server.url,
    name: `scenario-${scenario.name}`,
    log: log.child({ actor: 'transport' }),
  });
  const faults = new FaultController(realClock);
  const system = await startSystem({
    ...systemOptionsFor(scenario, faults),
    transport,
    log,
    dataDir: join(dir, 'data'),
    ...(plugins ? { plugins } : {}),
  });
  superviseCrashes(faults, system, realClock);
  return { dir, server, broker: server, clock: realClock, transport, system, faults, newId: () => crypto.randomUUID() };
}

async function tearDown(rig: NatsRig): Promise<void> {
  rig.server.resume(); // never leave a SIGSTOPped broker behind
  await rig.system.stop();
  await rig.transport.close();
  await rig.server.stop();
  removeOwnedTempDir(rig.dir);
}
