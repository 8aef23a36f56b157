import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { realClock } from '../actors/clock.js';
import type { ProjectionPlugins } from '../plugins/projectionPlugin.js';
import { brokerPidFileOf, brokerStoreOf, createOwnedTempDir, removeOwnedTempDir } from '../process/ownedTempDir.js';
import { startSystem, type RunningSystem } from '../system/startSystem.js';
import { connectJetStream } from '../transport/jetstream/jetstreamTransport.js';
import { startNatsCluster, streamLeaderWithin } from '../transport/natsCluster.js';
import { startNatsServer, type NatsServerProcess } from '../transport/natsServerProcess.js';
import { EVENT_STREAM, type Transport } from '../transport/port.js';
import { FaultController } from './faultController.js';
import { inProcessParts, superviseCrashes, systemOptionsFor, type Rig } from './rig.js';
import { runOnRig } from './runner.js';
import { InfrastructureError, type RunOptions, type ScenarioReport } from './runTypes.js';
import type { Scenario } from './scenario.js';
import type { BrokerControl, BrokerNodes } from './timeline.js';

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
  readonly system: RunningSystem;
  readonly brokers: RunBrokers;
  readonly dir: string;
  /** Every broker node: one nats-server, or each node of the cluster. */
  readonly servers: readonly NatsServerProcess[];
}

/** A run's own temp dir and brokers: one nats-server, or each node of a cluster, and the control faults use. */
export interface RunBrokers {
  readonly dir: string;
  readonly url: string;
  readonly replicas: number;
  readonly servers: readonly NatsServerProcess[];
  readonly broker: BrokerControl;
}

/**
 * The run's temp dir and its brokers, started. Owned (pid in the dir) and the brokers detached with a guard and a
 * pid file: a run killed outright leaves neither a nats-server nor, after the next start's sweep, the dir.
 */
export async function startRunBrokers(scenario: Scenario, log: Logger): Promise<RunBrokers> {
  const dir = createOwnedTempDir(`cqrs-scenario-${scenario.name}-`);
  const brokers = scenario.system.topology?.brokers ?? 1;
  let started: { url: string; servers: readonly NatsServerProcess[]; nodes?: BrokerNodes };
  try {
    started =
      brokers > 1 ? await startCluster(dir, brokers, needsPartitions(scenario), log) : await startSingle(dir, log);
  } catch (error) {
    removeOwnedTempDir(dir);
    throw new InfrastructureError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const { servers } = started;
  // A broker fault on a cluster acts on every node: the whole cluster paused, stopped, restarted.
  const broker: BrokerControl = {
    pause: () => servers.forEach((s) => s.pause()),
    resume: () => servers.forEach((s) => s.resume()),
    stop: () => Promise.all(servers.map((s) => s.stop())).then(() => undefined),
    restart: () => Promise.all(servers.map((s) => s.restart())).then(() => undefined),
    ...(started.nodes ? { nodes: started.nodes } : {}),
  };
  return { dir, url: started.url, replicas: brokers, servers, broker };
}

/** The runner's own connection to the run's brokers (the stream with a replica on each node). */
export function connectRunTransport(scenario: Scenario, brokers: RunBrokers, log: Logger): Promise<Transport> {
  return connectJetStream({
    servers: brokers.url,
    name: `scenario-${scenario.name}`,
    log: log.child({ actor: 'transport' }),
    streamReplicas: brokers.replicas,
  });
}

/** Stops the run's brokers (continued first: never leave a SIGSTOPped one behind) and removes its dir. */
export async function stopRunBrokers(run: RunBrokers): Promise<void> {
  for (const server of run.servers) server.resume();
  await Promise.all(run.servers.map((s) => s.stop()));
  removeOwnedTempDir(run.dir);
}

async function setUp(scenario: Scenario, log: Logger, plugins: ProjectionPlugins | undefined): Promise<NatsRig> {
  const brokers = await startRunBrokers(scenario, log);
  const { dir, servers, broker } = brokers;
  const transport = await connectRunTransport(scenario, brokers, log);
  const faults = new FaultController(realClock);
  const system = await startSystem({
    ...systemOptionsFor(scenario, faults),
    transport,
    log,
    dataDir: join(dir, 'data'),
    ...(plugins ? { plugins } : {}),
  });
  superviseCrashes(faults, system, realClock);
  const newId = () => crypto.randomUUID();
  return {
    ...{ dir, servers, broker, brokers, clock: realClock, transport },
    ...inProcessParts(system, realClock, newId),
    ...{ faults, newId },
  };
}

async function startSingle(dir: string, log: Logger) {
  const server = await startNatsServer({
    storeDir: brokerStoreOf(dir),
    pidFile: brokerPidFileOf(dir),
    detach: true,
    log: log.child({ actor: 'nats-server' }),
  });
  return { url: server.url, servers: [server] };
}

/** How long a brokerNodeKill of the leader waits for the cluster to name one (an election after an earlier kill). */
const LEADER_WAIT_MS = 20_000;

/** A scenario that cuts broker nodes off runs each node as its own user, in the run's own network namespace. */
export const needsPartitions = (scenario: Scenario): boolean => scenario.faults.some((f) => f.kind === 'partition');

async function startCluster(dir: string, size: number, partitionable: boolean, log: Logger) {
  const storeDir = brokerStoreOf(dir);
  if (partitionable) chmodSync(dir, 0o711); // the nodes' own users must get through to their stores
  const cluster = await startNatsCluster({ size, storeDir, detach: true, pidFileDir: storeDir, partitionable, log });
  const nodes: BrokerNodes = {
    size,
    names: cluster.names,
    streamLeader: () => streamLeaderWithin(cluster, EVENT_STREAM, LEADER_WAIT_MS),
    kill9: (node) => cluster.nodes[node]?.kill9() ?? Promise.reject(new Error(`no broker node ${node}`)),
    stop: (node) => cluster.nodes[node]?.stop() ?? Promise.reject(new Error(`no broker node ${node}`)),
    restart: (node) => cluster.nodes[node]?.restart() ?? Promise.reject(new Error(`no broker node ${node}`)),
    replicaStates: () => cluster.replicaStates(EVENT_STREAM),
    consumerLeader: (durable) => cluster.consumerLeader(EVENT_STREAM, durable),
    ...(cluster.partitions ? { partitions: cluster.partitions } : {}),
  };
  return { url: cluster.url, servers: cluster.nodes, nodes };
}

async function tearDown(rig: NatsRig): Promise<void> {
  for (const server of rig.servers) server.resume(); // never leave a SIGSTOPped broker behind
  await rig.system.stop();
  await rig.transport.close();
  await stopRunBrokers(rig.brokers);
}
