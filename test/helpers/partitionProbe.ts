/**
 * Run inside a private network namespace (networkPartition.int.test.ts starts it under `unshare -n`): a
 * partitionable 3-node cluster and a 3-replica stream; cuts the stream leader off, and records what the cluster
 * and a client of each side see; heals it, and records that again. Prints one JSON line with the facts.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsCluster } from '../../src/transport/natsCluster.js';

const STREAM = 'PROBE';
const dir = mkdtempSync(join(tmpdir(), 'cqrs-partition-probe-'));
chmodSync(dir, 0o711);
const cluster = await startNatsCluster({ size: 3, storeDir: join(dir, 'nats'), partitionable: true });
const urls = cluster.url.split(',');
const only = (i: number): Promise<NatsConnection> => connect({ servers: urls[i] ?? '', timeout: 5_000 });
const say = (line: string) => process.stderr.write(`probe: ${line}\n`);

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Publishes one message through node i alone: 'acked' or what went wrong. */
async function publishVia(i: number, payload: string): Promise<string> {
  const nc = await only(i);
  try {
    await jetstream(nc, { timeout: 2_000 }).publish(`probe.${payload}`, payload);
    return 'acked';
  } catch (error: unknown) {
    return error instanceof Error ? error.name : 'error';
  } finally {
    await nc.close();
  }
}

try {
  const setup = await only(0);
  await (await jetstreamManager(setup)).streams.add({ name: STREAM, subjects: ['probe.>'], num_replicas: 3 });
  await setup.close();
  await until('3 current replicas', 20_000, async () =>
    (await cluster.currentReplicas(STREAM)) === 3 ? true : undefined,
  );
  const leaderBefore = await until('a leader', 20_000, () => cluster.streamLeader(STREAM));
  say(`leader n${leaderBefore}; isolating it`);
  const others = [0, 1, 2].filter((i) => i !== leaderBefore);
  const partitions = cluster.partitions;
  if (!partitions) throw new Error('the cluster is not partitionable');
  await partitions.isolate(leaderBefore);
  // Asked of a node on the majority side only: the isolated one cannot know.
  const leaderDuring = await until('a new leader on the majority side', 30_000, async () => {
    const nc = await only(others[0] ?? 0);
    try {
      const info = await (await jetstreamManager(nc, { timeout: 2_000 })).streams.info(STREAM);
      const leader = info.cluster?.leader;
      return leader !== undefined && leader !== cluster.names[leaderBefore] ? leader : undefined;
    } finally {
      await nc.close();
    }
  });
  say(`new leader ${leaderDuring}`);
  const viaMajority = await publishVia(others[0] ?? 0, 'majority');
  const viaIsolated = await publishVia(leaderBefore, 'isolated');
  say(`via majority ${viaMajority}, via isolated ${viaIsolated}; healing`);
  await partitions.heal(leaderBefore);
  const replicasAfterHeal = await until('3 current replicas after the heal', 30_000, async () =>
    (await cluster.currentReplicas(STREAM)) === 3 ? 3 : undefined,
  );
  const viaHealed = await publishVia(leaderBefore, 'healed');
  const facts = {
    leaderBefore: cluster.names[leaderBefore],
    leaderDuring,
    viaMajority,
    viaIsolated,
    replicasAfterHeal,
    viaHealed,
  };
  process.stdout.write(`${JSON.stringify(facts)}\n`);
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
