/**
 * A JetStream cluster on loopback: `size` nats-server processes, each with its own port, route port and store,
 * routed to each other, so a stream can have replicas on every node and survive the loss of a minority. Clients get
 * every node's URL (comma-separated) and fail over between them. The nodes are the things node-level faults kill,
 * restart and pause; like a single node, it is not part of the port.
 */
import { jetstreamManager, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { NODE_UID_BASE, preparePartitions, type NetworkPartitions } from './networkPartition.js';
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
  /**
   * Each running node's own copy of the stream, as that node holds it (its monitoring endpoint, not the leader's
   * word): replicas that have caught up hold the same messages, bytes and last sequence.
   */
  replicaStates(stream: string): Promise<ReplicaState[]>;
  /** The node that leads a durable consumer's own replicated state now; undefined while it has none. */
  consumerLeader(stream: string, durable: string): Promise<string | undefined>;
  /** Cuts nodes off from each other for real; only on a cluster started `partitionable`. */
  readonly partitions?: NetworkPartitions;
  /** Stops every node (SIGTERM, bounded). Idempotent. */
  stop(): Promise<void>;
}

export interface ReplicaState {
  readonly name: string;
  readonly messages: number;
  readonly bytes: number;
  readonly lastSeq: number;
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
  /**
   * Nodes that can be cut off from each other (networkPartition.ts): each runs as a user of its own. Needs root and
   * a private network namespace; fails with PartitionUnavailable otherwise. The dirs above `storeDir` must let
   * other users pass (mode 0711 or more).
   */
  readonly partitionable?: boolean;
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
  const monitorPorts = await Promise.all(names.map(() => freePort()));
  const routes = clusterPorts.map((p) => `nats://${HOST}:${p}`);
  const started: NatsServerProcess[] = [];
  const stop = () => Promise.all(started.map((n) => n.stop())).then(() => undefined);
  const uids = names.map((_, i) => NODE_UID_BASE + i);
  const partitions = options.partitionable
    ? await preparePartitions(uids.map((uid, i) => ({ uid, clusterPort: clusterPorts[i] ?? 0 })))
    : undefined;
  if (partitions) {
    mkdirSync(options.storeDir, { recursive: true });
    chmodSync(options.storeDir, 0o711);
  }
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
          clusterNode: {
            ...{ serverName, clusterName: 'cqrs-testbed', clusterPort: clusterPorts[i] ?? 0, routes },
            monitorPort: monitorPorts[i] ?? 0,
          },
          ...(partitions ? { runAs: { uid: uids[i] ?? NODE_UID_BASE, gid: uids[i] ?? NODE_UID_BASE } } : {}),
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
    const replicaStates = async (stream: string) => {
      const states = await Promise.all(
        started.map(async (node, i) =>
          node.running ? replicaState(names[i] ?? `n${i}`, monitorPorts[i] ?? 0, stream) : undefined,
        ),
      );
      return states.filter((s): s is ReplicaState => s !== undefined);
    };
    const consumerLeader = (stream: string, durable: string) =>
      askCluster(url, async (jsm) => (await jsm.consumers.info(stream, durable)).cluster?.leader);
    return {
      ...{ url, nodes: started, names, streamLeader, currentReplicas, nodeStates, replicaStates, consumerLeader, stop },
      ...(partitions ? { partitions } : {}),
    };
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

/** Time for one node's monitoring endpoint to answer (a paused node never does). */
const MONITOR_TIMEOUT_MS = 2_000;

/** A node's own copy of the stream, from its `/jsz`; undefined when it does not answer or holds no copy. */
async function replicaState(name: string, monitorPort: number, stream: string): Promise<ReplicaState | undefined> {
  try {
    const response = await fetch(`http://${HOST}:${monitorPort}/jsz?streams=true`, {
      signal: AbortSignal.timeout(MONITOR_TIMEOUT_MS),
    });
    const jsz = (await response.json()) as {
      account_details?: {
        stream_detail?: { name: string; state: { messages: number; bytes: number; last_seq: number } }[];
      }[];
    };
    const detail = (jsz.account_details ?? []).flatMap((a) => a.stream_detail ?? []).find((d) => d.name === stream);
    return detail
      ? { name, messages: detail.state.messages, bytes: detail.state.bytes, lastSeq: detail.state.last_seq }
      : undefined;
  } catch {
    return undefined;
  }
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

/** The node leading `stream`, waiting (bounded) while the cluster elects one (after a node's death, say). */
export async function streamLeaderWithin(
  cluster: Pick<NatsCluster, 'streamLeader'>,
  stream: string,
  waitMs: number,
): Promise<number> {
  const until = Date.now() + waitMs;
  for (;;) {
    const leader = await cluster.streamLeader(stream).catch(() => undefined);
    if (leader !== undefined) return leader;
    if (Date.now() > until) throw new Error(`no stream leader within ${waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
