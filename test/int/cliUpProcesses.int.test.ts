/**
 * `up --topology processes`: every service its own OS process (inventory with its view, orders, products, summary,
 * HTTP), talking only over NATS. The article's API answers as in one process; a service process killed with
 * SIGKILL is restarted by the supervisor, meanwhile its queries are 503 (not 500) and commands to the others still
 * work, and afterwards every accepted order is in the summary. Ctrl-C stops every process and the broker.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { controlOf, telemetryOf } from '../helpers/telemetryOf.js';
import { http, isAlive, spawnTestbed, type Testbed } from '../helpers/cliProcess.js';

const order = (customerId: string, productId: string, quantity: number) => ({
  customerId,
  items: [{ productId, quantity }],
  shippingAddress: '1 Main St',
});

describe('cqrs-testbed up --topology processes', () => {
  const started: Testbed[] = [];
  afterAll(() => {
    for (const t of started) t.destroy();
  });

  it('serves the article’s API from five processes; a killed one comes back and nothing accepted is lost', async () => {
    const t = spawnTestbed(['up', '--http-port', '0', '--topology', 'processes']);
    started.push(t);
    const banner = await t.up(90_000);
    expect(banner.seeded).toBe(4);
    expect(Object.keys(banner.servicePids).sort()).toEqual(['http', 'inventory', 'orders', 'products', 'summary']);
    for (const pid of Object.values(banner.servicePids)) expect(isAlive(pid)).toBe(true);

    expect(await http('GET', `${banner.url}/inventory/products/prod_abc`)).toEqual({
      status: 200,
      body: { productId: 'prod_abc', availableQuantity: 50 },
    });
    const first = await http('POST', `${banner.url}/orders`, order('cust_p', 'prod_abc', 2));
    expect(first.status).toBe(201);

    const summaryPid = banner.servicePids.summary ?? -1;
    process.kill(summaryPid, 'SIGKILL');
    // The others go on: an order is accepted while the summary's process is down.
    const second = await http('POST', `${banner.url}/orders`, order('cust_p', 'prod_xyz', 1));
    expect(second.status).toBe(201);
    const accepted = [first, second].map((r) => (r.body as { orderId: string }).orderId);
    const listed = await eventually(
      async () => {
        const res = await http('GET', `${banner.url}/customer/cust_p/orders`);
        if (res.status === 503) return undefined; // its process is down or restarting: retry
        expect(res.status).toBe(200);
        const ids = (res.body as { orderId: string }[]).map((o) => o.orderId);
        return ids.length >= 2 ? ids : undefined;
      },
      // A query sent while the summary's process restarts can wait out the port's timeout (no 503 yet): retried.
      {
        what: 'both orders in the summary after its process came back',
        intervalMs: 200,
        timeoutMs: 40_000,
        retryOnError: true,
      },
    );
    expect([...listed].sort()).toEqual([...accepted].sort());
    expect(isAlive(summaryPid)).toBe(false);
    expect(t.stderr()).toContain('service process died; restarting');

    // A dashboard attached over NATS sees every process as its supervisor knows it, and the models from their files.
    const seen = await eventually(
      async () => {
        const tel = await telemetryOf(banner.brokerUrl);
        return tel.models['customer-order-summary'].state === 'idle' ? tel : undefined;
      },
      { what: 'telemetry with the summary idle again', intervalMs: 250, timeoutMs: 20_000, retryOnError: true },
    );
    const byName = Object.fromEntries((seen.processes ?? []).map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['http', 'inventory', 'orders', 'products', 'summary']);
    expect(byName.summary?.restarts).toBe(1);
    expect(byName.summary?.pid).not.toBe(summaryPid);
    expect(byName.orders).toEqual({
      ...{ name: 'orders', pid: banner.servicePids.orders, restarts: 0 },
      ...{ gaveUp: false, frozen: false },
    });
    expect(seen.orders.placed).toBe(2);
    expect(seen.models['customer-order-summary'].divergence.missing).toBe(0);

    // The dashboard's process keys: f freezes the Products process, f again continues it, k kills it.
    const productsPid = byName.products?.pid ?? -1;
    expect((await controlOf(banner.brokerUrl, { kind: 'freezeProcess', target: 'products' })).ok).toBe(true);
    const frozen = await telemetryOf(banner.brokerUrl);
    expect(frozen.processes?.find((p) => p.name === 'products')?.frozen).toBe(true);
    expect(frozen.timeline.map((e) => e.label)).toContain('products process frozen (SIGSTOP, live)');
    expect((await controlOf(banner.brokerUrl, { kind: 'thawProcess', target: 'products' })).ok).toBe(true);
    expect((await controlOf(banner.brokerUrl, { kind: 'stopConsumer', target: 'products' })).ok).toBe(false);
    expect((await controlOf(banner.brokerUrl, { kind: 'killProcess', target: 'products' })).ok).toBe(true);
    await eventually(
      async () => {
        const p = (await telemetryOf(banner.brokerUrl)).processes?.find((x) => x.name === 'products');
        return p && p.pid > 0 && p.pid !== productsPid && p.restarts === 1 && !p.frozen;
      },
      { what: 'the Products process back with a new pid', intervalMs: 250, timeoutMs: 20_000, retryOnError: true },
    );

    const exit = await t.stop('SIGINT', 30_000);
    expect(exit, t.stderr().slice(-3_000)).toEqual({ code: 0, signal: null });
    expect(t.stdout()).toContain('stopped cleanly');
    for (const [name, pid] of Object.entries(banner.servicePids)) expect(isAlive(pid), name).toBe(false);
    if (banner.natsPid !== undefined) expect(isAlive(banner.natsPid)).toBe(false);
  }, 150_000);
});
