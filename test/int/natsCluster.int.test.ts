/**
 * The 3-node JetStream cluster on loopback with the stream replicated on every node: a killed follower or a killed
 * stream leader (SIGKILL, no clean shutdown) costs no acknowledged event, and publishing resumes by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJetStream } from '../../src/transport/jetstream/jetstreamTransport.js';
import { startNatsCluster, type NatsCluster } from '../../src/transport/natsCluster.js';
import { EVENT_STREAM, type Transport } from '../../src/transport/port.js';

const enc = new TextEncoder();
let dir = '';
let cluster: NatsCluster;
let transport: Transport;
let published = 0;

async function publishOne(): Promise<number> {
  const n = ++published;
  return (await transport.publish({ subject: 'shop.cluster.e', msgId: `e-${n}`, data: enc.encode(String(n)) })).seq;
}

/** Publishes until one succeeds (each attempt bounded), as a client does through a failover; the ms it took. */
async function publishThroughFailover(boundMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await transport.publish(
        { subject: 'shop.cluster.e', msgId: `e-${published + 1}`, data: enc.encode(String(published + 1)) },
        { timeoutMs: 1_000 },
      );
      published++;
      return Date.now() - started;
    } catch (err: unknown) {
      if (Date.now() - started > boundMs) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Retries `work` (each attempt bounded by the transport) until it succeeds or `boundMs` passed. */
async function eventually<T>(work: () => Promise<T>, boundMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await work();
    } catch (err: unknown) {
      if (Date.now() - started > boundMs) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A restarted node back in the stream's replica set, current: the next test starts from a whole cluster. */
async function wholeAgain(): Promise<void> {
  await eventually(async () => {
    if ((await cluster.currentReplicas(EVENT_STREAM)) < 3) throw new Error('a replica is not current yet');
  }, 30_000);
}

// Bounded generously: a reader is a new consumer, which waits for the cluster's meta leader — being re-elected
// when the killed node held that role (seen over 15 s on a loaded CI machine).
const readAll = async () =>
  (await eventually(() => transport.readRange(1, 1_000), 30_000)).map((e) => Number(new TextDecoder().decode(e.data)));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cqrs-cluster-'));
  cluster = await startNatsCluster({ size: 3, storeDir: dir });
  transport = await connectJetStream({ servers: cluster.url, name: 'cluster-test', streamReplicas: 3 });
  await transport.provisionStream();
}, 60_000);

afterAll(async () => {
  await transport?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a 3-node JetStream cluster, stream on 3 replicas', () => {
  it('has a stream leader and takes events', async () => {
    expect(cluster.url.split(',')).toHaveLength(3);
    for (let i = 0; i < 10; i++) await publishOne();
    expect(await cluster.streamLeader(EVENT_STREAM)).toBeTypeOf('number');
    expect((await transport.streamInfo()).lastSeq).toBe(10);
  }, 30_000);

  it('loses nothing and keeps taking events when a follower is killed', async () => {
    const leader = (await cluster.streamLeader(EVENT_STREAM)) ?? 0;
    const follower = cluster.nodes[(leader + 1) % 3];
    await follower?.kill9();
    try {
      // The client may have been connected to that node: its first publish may wait for the failover.
      await publishThroughFailover(10_000);
      for (let i = 0; i < 9; i++) await publishOne();
      expect(await readAll()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    } finally {
      await follower?.restart();
      await wholeAgain();
    }
  }, 60_000);

  it('elects a new leader when the leader is killed; no acknowledged event is lost', async () => {
    const leader = await cluster.streamLeader(EVENT_STREAM);
    expect(leader).toBeTypeOf('number');
    await cluster.nodes[leader ?? 0]?.kill9();
    try {
      await publishThroughFailover(20_000);
      for (let i = 0; i < 5; i++) await publishOne();
      const after = await eventually(() => cluster.streamLeader(EVENT_STREAM), 15_000);
      expect(after).toBeTypeOf('number');
      expect(after).not.toBe(leader);
      expect(await readAll()).toEqual(Array.from({ length: published }, (_, i) => i + 1));
    } finally {
      await cluster.nodes[leader ?? 0]?.restart();
      await wholeAgain();
    }
  }, 60_000);
});
