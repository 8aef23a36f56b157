import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { connectJetStream, type ConnectJetStreamOptions } from '../transport/jetstream/jetstreamTransport.js';
import { startNatsCluster, streamLeaderWithin, type NatsCluster } from '../transport/natsCluster.js';
import { startNatsServer, type NatsServerProcess } from '../transport/natsServerProcess.js';
import { EVENT_STREAM, type Transport } from '../transport/port.js';
import type { LiveBrokerNodes } from '../scenarios/liveControl.js';
import { superviseBroker, type BrokerSupervisor } from './brokerSupervisor.js';

export interface Broker {
  readonly transport: Transport;
  readonly url: string;
  /** The private nats-server child, when we started one (NATS_URL unset, one broker). */
  readonly server: NatsServerProcess | undefined;
  /** The private cluster's nodes, when we started several (`--brokers 3`). */
  readonly cluster: NatsCluster | undefined;
  /** Copies of the stream the broker keeps (`--brokers`). */
  readonly replicas: number;
  close(): Promise<void>;
}

/** Where the private broker writes its pid, inside its store dir. */
export const pidFileOf = (storeDir: string): string => join(storeDir, 'nats-server.pid');

/**
 * Connects to `NATS_URL` when set (one URL or a comma-separated list of a cluster's nodes); otherwise starts a
 * private `nats-server -js` on a free loopback port with its store in `storeDir` — or, with `brokers` > 1, a
 * cluster of that many on loopback with the stream replicated on each — supervised (a node that dies is restarted),
 * in its own process group (Ctrl-C reaches only us; we drain, then stop it), guarded against outliving us, and with
 * a pid file per node so a later start can stop an orphan.
 */
export async function openBroker(log: Logger, storeDir: string, name: string, brokers = 1): Promise<Broker> {
  const external = process.env.NATS_URL;
  const transportOptions = { name, log: log.child({ actor: 'transport' }), streamReplicas: brokers };
  if (external) {
    const transport = await connectJetStream({ servers: external, ...transportOptions });
    const close = () => transport.close();
    return { transport, url: external, server: undefined, cluster: undefined, replicas: brokers, close };
  }
  mkdirSync(storeDir, { recursive: true });
  const serverLog = log.child({ actor: 'nats-server' });
  if (brokers > 1) return openCluster(storeDir, brokers, serverLog, transportOptions);
  const server = await startNatsServer({ storeDir, log: serverLog, pidFile: pidFileOf(storeDir), detach: true });
  let supervisor: BrokerSupervisor | undefined;
  try {
    supervisor = superviseBroker(server, serverLog);
    const transport = await connectJetStream({ servers: server.url, ...transportOptions });
    const started = supervisor;
    return {
      transport,
      url: server.url,
      server,
      cluster: undefined,
      replicas: 1,
      async close() {
        await started.close();
        await transport.close();
        await server.stop();
      },
    };
  } catch (err: unknown) {
    await supervisor?.close();
    await server.stop();
    throw err;
  }
}

/** A private cluster of `size` nodes under `storeDir` (n0, n1, …), each node supervised like the single broker. */
async function openCluster(
  storeDir: string,
  size: number,
  log: Logger,
  transportOptions: Omit<ConnectJetStreamOptions, 'servers'>,
): Promise<Broker> {
  const cluster = await startNatsCluster({ size, storeDir, log, detach: true, pidFileDir: storeDir });
  const supervisors = cluster.nodes.map((node, i) => superviseBroker(node, log.child({ node: cluster.names[i] })));
  try {
    const transport = await connectJetStream({ servers: cluster.url, ...transportOptions });
    return {
      transport,
      url: cluster.url,
      server: undefined,
      cluster,
      replicas: size,
      async close() {
        await Promise.all(supervisors.map((s) => s.close()));
        await transport.close();
        await cluster.stop();
      },
    };
  } catch (err: unknown) {
    await Promise.all(supervisors.map((s) => s.close()));
    await cluster.stop();
    throw err;
  }
}

/** How long the leader-kill key waits for the cluster to name a leader (an election after an earlier kill). */
const LEADER_WAIT_MS = 20_000;

/** The dashboard's leader-kill key on `up`'s private cluster: its nodes are supervised, so nothing restarts here. */
export function leaderKeysOf(cluster: NatsCluster): LiveBrokerNodes {
  return {
    names: cluster.names,
    streamLeader: () => streamLeaderWithin(cluster, EVENT_STREAM, LEADER_WAIT_MS),
    // A crash, not a stop of ours: SIGKILL from outside, so the node's supervisor sees it die and starts it again.
    kill9: (node) => {
      const pid = cluster.nodes[node]?.pid ?? -1;
      if (pid < 0) return Promise.reject(new Error(`no broker node ${node}`));
      process.kill(pid, 'SIGKILL');
      return Promise.resolve();
    },
  };
}
