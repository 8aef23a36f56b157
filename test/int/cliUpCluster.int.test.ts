/**
 * `up --brokers 3`: the whole system on a private 3-node JetStream cluster, the stream on 3 replicas. Under a steady
 * stream of orders the stream leader's node is killed with SIGKILL: the supervisor restarts it, the API keeps
 * answering, and every order that got a 201 reaches the customer's summary exactly once.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { controlOf, telemetryOf } from '../helpers/telemetryOf.js';
import { EVENT_STREAM } from '../../src/transport/port.js';
import { eventually } from '../helpers/eventually.js';
import { http, isAlive, spawnTestbed, type Testbed } from '../helpers/cliProcess.js';

const PRODUCTS = ['prod_abc', 'prod_xyz', 'prod_def', 'prod_ghi'];

async function streamLeaderIndex(url: string): Promise<number> {
  const nc = await connect({ servers: url.split(','), timeout: 5_000 });
  try {
    const info = await (await jetstreamManager(nc, { timeout: 5_000 })).streams.info(EVENT_STREAM);
    return Number((info.cluster?.leader ?? 'n-1').slice(1));
  } finally {
    await nc.close();
  }
}

describe('cqrs-testbed up --brokers 3', () => {
  const started: Testbed[] = [];
  afterAll(() => {
    for (const t of started) t.destroy();
  });

  it('serves the API on a 3-node cluster; killing the stream leader under load loses no accepted order', async () => {
    const t = spawnTestbed(['up', '--http-port', '0', '--brokers', '3']);
    started.push(t);
    const banner = await t.up(60_000);
    expect(banner.brokerUrl.split(',')).toHaveLength(3);
    expect(banner.clusterPids).toHaveLength(3);
    expect(t.stdout()).toContain('stream on 3 replicas');

    const customerId = 'cust_cluster';
    const accepted: string[] = [];
    let placing = true;
    let n = 0;
    const load = (async () => {
      while (placing) {
        const productId = PRODUCTS[n++ % PRODUCTS.length] ?? 'prod_abc';
        const res = await http('POST', `${banner.url}/orders`, {
          customerId,
          items: [{ productId, quantity: 1 }],
          shippingAddress: '1 Cluster Way',
        }).catch(() => undefined);
        if (res?.status === 201) accepted.push((res.body as { orderId: string }).orderId);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();

    await eventually(() => accepted.length >= 10 || undefined, { what: '10 orders placed', intervalMs: 50 });
    const leader = await streamLeaderIndex(banner.brokerUrl);
    // The dashboard's telemetry shows the nodes: all up, the same leader.
    expect((await telemetryOf(banner.brokerUrl)).brokerNodes).toEqual([
      { name: 'n0', up: true, leader: leader === 0 },
      { name: 'n1', up: true, leader: leader === 1 },
      { name: 'n2', up: true, leader: leader === 2 },
    ]);
    const leaderPid = banner.clusterPids[leader] ?? -1;
    process.kill(leaderPid, 'SIGKILL');
    const atKill = accepted.length;
    await eventually(() => accepted.length >= atKill + 20 || undefined, {
      what: '20 more orders accepted after the kill',
      intervalMs: 100,
      timeoutMs: 30_000,
    });
    placing = false;
    await load;

    // Every 201 in the summary, once (the built-in query lists at most 100 orders: we placed fewer).
    expect(accepted.length).toBeLessThan(100);
    const listed = await eventually(
      async () => {
        const res = await http('GET', `${banner.url}/customer/${customerId}/orders`);
        const ids = Array.isArray(res.body) ? (res.body as { orderId: string }[]).map((o) => o.orderId) : [];
        return ids.length >= accepted.length ? ids : undefined;
      },
      { what: 'every accepted order in the summary', intervalMs: 200, timeoutMs: 30_000, retryOnError: true },
    );
    expect([...listed].sort()).toEqual([...accepted].sort());
    expect(isAlive(leaderPid)).toBe(false);

    // The dashboard's leader-kill key: the node leading the stream now is killed, and its supervisor brings it back.
    const next = await eventually(
      async () => {
        const nodes = (await telemetryOf(banner.brokerUrl)).brokerNodes ?? [];
        return nodes.every((node) => node.up) && nodes.some((node) => node.leader) ? nodes : undefined;
      },
      { what: 'all nodes up with a leader again', intervalMs: 250, timeoutMs: 30_000, retryOnError: true },
    );
    const leaderName = next.find((node) => node.leader)?.name ?? '?';
    const key = await controlOf(banner.brokerUrl, { kind: 'killLeaderNode' });
    expect(key).toEqual({
      ok: true,
      message: `killing ${leaderName}, the stream leader; its supervisor starts it again`,
    });
    const after = await eventually(
      async () => {
        const tel = await telemetryOf(banner.brokerUrl);
        const killed = tel.timeline.some((e) => e.label.startsWith(`broker node ${leaderName} (stream leader) killed`));
        return killed && (tel.brokerNodes ?? []).every((node) => node.up) ? tel : undefined;
      },
      {
        what: 'the kill on the live timeline, and the node back',
        intervalMs: 250,
        timeoutMs: 30_000,
        retryOnError: true,
      },
    );
    expect(after.timeline.map((e) => e.label)).toContain(
      `broker node ${leaderName} (stream leader) killed (SIGKILL, live)`,
    );

    const exit = await t.stop('SIGINT', 30_000);
    expect(exit, t.stderr().slice(-3_000)).toEqual({ code: 0, signal: null });
    for (const pid of banner.clusterPids) expect(isAlive(pid), `node pid ${pid}`).toBe(false);
  }, 150_000);
});
