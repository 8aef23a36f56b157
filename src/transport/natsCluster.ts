/**
 * A JetStream cluster on loopback: `size` nats-server processes, each with its own port, route port and store,
 * routed to each other, so a stream can have replicas on every node and survive the loss of a minority. Clients get
 * every node's URL (comma-separated) and fail over between them. The nodes are the things node-level faults kill,
 * restart and pause; like a single node, it is not part of the port.
 */
import { jetstreamManager, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { freePort, startNatsServer, type NatsServerProcess } from './natsServerProcess.js';

export interface NatsCluster {
  /** Every node's client URL, comma-separated: what `NATS_URL` and `connectJetStream` take. */
  readonly url: string;
  readonly nodes: readonly NatsServerProcess[];
  /** Server names, by node index (`n0`, `n1`, …): how stream info names the leader and replicas. */
  readonly names: readonly string[];
  /**
   * The node index that leads the stream now (asked of the cluster), or undefined while it has no leader. Rejects
   * (a timeout) while the cluster cannot answer, e.g. during the election after its meta leader died.
   */
  streamLeader(stream: string): Promise<number | undefined>;
  /** Nodes holding a current copy of the stream, its leader included (0 while it has no leader). */
  currentReplicas(stream: string): Promise<number>;
  /** Each node by name: is its process running, does it lead the stream (false everywhere while none is known). */
  nodeStates(stream: string): Promise<BrokerNodeState[]>;
  /** Stops every node (SIGTERM, bounded). Idempotent. */
  stop(): Promise<void>;
}

export interface BrokerNodeState {
  readonly name: string;
  readonly up: boolean;
  readonly leader: boolean;
}

export interface StartNatsClusterOptions {
  /** Nodes: 3 tolerates one lost; JetStream needs a majority of them up to work at all. */
  readonly size: number;
  /** Each node stores under `<storeDir>/n<i>`. */
  readonly storeDir: string;
  readonly log?: Logger;
  readonly detach?: boolean;
  /** Pid files, one per node: `<pidFileDir>/n<i>.pid` (see StartNatsServerOptions.pidFile). */
  readonly pidFileDir?: string;
}

export const CLUSTER_SIZE_MAX = 5;
/** Until the nodes have elected a JetStream meta leader, the JetStream API answers "temporarily unavailable". */
const jetStreamReadyTimeoutMs = 20_000;
const HOST = '127.0.0.1';

export async function startNatsCluster(options: StartNatsClusterOptions): Promise<NatsCluster> {
  if (!Number.isInteger(options.size) || options.size < 1 || options.size > CLUSTER_SIZE_MAX)
    throw new RangeError(`a cluster has 1 to ${CLUSTER_SIZE_MAX} nodes, not ${options.size}`);
  const names = Array.from({ length: options.size }, (_, i) => `n${i}`);
  const clusterPorts = await Promise.all(names.map(() => freePort()));
  const routes = clusterPorts.map((p) => `nats://${HOST}:${p}`);
  const started: NatsServerProcess[] = [];
  const stop = () => Promise.all(started.map((n) => n.stop())).then(() => undefined);
  try {
    // One after another: each start waits for its port, and the first nodes keep retrying routes to the later ones.
    for (const [i, serverName] of names.entries()) {
      const storeDir = join(options.storeDir, serverName);
      mkdirSync(storeDir, { recursive: true });
      started.push(
        await startNatsServer({
          storeDir,
          ...(options.log ? { log: options.log.child({ node: serverName }) } : {}),
          ...(options.detach ? { detach: true } : {}),
          ...(options.pidFileDir ? { pidFile: join(options.pidFileDir, `${serverName}.pid`) } : {}),
          clusterNode: { serverName, clusterName: 'cqrs-testbed', clusterPort: clusterPorts[i] ?? 0, routes },
        }),
      );
    }
    const url = started.map((n) => n.url).join(',');
    await jetStreamReady(url, options.size);
    const streamLeader = async (stream: string) => {
      const leader = await askCluster(url, async (jsm) => (await jsm.streams.info(stream)).cluster?.leader);
      const index = leader === undefined ? -1 : names.indexOf(leader);
      return index < 0 ? undefined : index;
    };
    const currentReplicas = async (stream: string) => {
      const cluster = await askCluster(url, async (jsm) => (await jsm.streams.info(stream)).cluster);
      if (cluster?.leader === undefined) return 0;
      return 1 + (cluster.replicas ?? []).filter((r) => r.current && !r.offline).length;
    };
    const nodeStates = async (stream: string) => {
      const leader = await streamLeader(stream).catch(() => undefined);
      return started.map((node, i) => ({ name: names[i] ?? `n${i}`, up: node.running, leader: i === leader }));
    };
    return { url, nodes: started, names, streamLeader, currentReplicas, nodeStates, stop };
  } catch (err: unknown) {
    await stop();
    throw err;
  }
}

/**
 * Waits (bounded) until the cluster can place a stream on every node: the nodes have met, elected a meta leader and
 * it knows them all (before that, creating a replicated stream fails with "no suitable peers for placement").
 * Proven by creating a throwaway in-memory stream with that many replicas, and deleting it.
 */
async function jetStreamReady(url: string, replicas: number): Promise<void> {
  const deadline = Date.now() + jetStreamReadyTimeoutMs;
  const probe = { name: 'CQRS_TESTBED_READY', subjects: ['cqrs-testbed.ready'], num_replicas: replicas };
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await askCluster(url, async (jsm) => {
        await jsm.streams.add({ ...probe, storage: StorageType.Memory });
        await jsm.streams.delete(probe.name);
      });
      return;
    } catch (err: unknown) {
      last = err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`the cluster's JetStream did not become available within ${jetStreamReadyTimeoutMs} ms`, {
    cause: last,
  });
}

/** One JetStream management question on a connection of its own (any node that answers). */
async function askCluster<T>(url: string, ask: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: url.split(','), timeout: 5_000 });
  try {
    return await ask(await jetstreamManager(nc, { timeout: 2_000 }));
  } finally {
    await nc.close();
  }
}
