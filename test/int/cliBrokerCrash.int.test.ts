import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { http, isAlive, readPidFile, sleep, spawnTestbed, type Testbed } from '../helpers/cliProcess.js';

interface Health {
  readonly status: string;
  readonly broker: { readonly status: string };
  readonly consumers: readonly { readonly name: string; readonly lagEvents: number }[];
  readonly outboxes: readonly { readonly backlog: number }[];
}

const health = async (url: string) => {
  const res = await http('GET', `${url}/health`);
  return { code: res.status, body: res.body as Health };
};

/**
 * The private broker is SIGKILLed while orders are being placed (and its port held for a moment, so the outage
 * lasts). The testbed keeps running, says on /health that the broker is gone, its supervisor brings the broker back
 * (same port, same store), and every order that got a 201, before, during or after the outage, reaches the read
 * models exactly once. Orders the system could not take get 503 and leave no trace.
 */
describe('cqrs-testbed up when its private nats-server dies', () => {
  const started: Testbed[] = [];
  afterAll(() => {
    for (const t of started) t.destroy();
  });

  it('restarts the broker, and every 201 reaches the read models exactly once', async () => {
    const t = spawnTestbed(['up', '--http-port', '0']);
    started.push(t);
    const banner = await t.up();
    const pidFile = join(banner.dataDir, 'nats', 'nats-server.pid');
    const firstPid = banner.natsPid ?? -1;
    expect(readPidFile(pidFile)).toBe(firstPid);

    // Four clients, each placing an order every ~100 ms; prod_ghi has 200 in stock and at most 150 orders are
    // placed, so none is refused for stock: every answer is 201 (taken) or 503 (not taken).
    const statuses = new Map<number, number>();
    const placed: string[] = [];
    const placedAtMs: number[] = [];
    let load = true;
    let sent = 0;
    const client = async () => {
      while (load && sent < 150) {
        sent++;
        const sentAtMs = Date.now();
        const res = await http('POST', `${banner.url}/orders`, {
          customerId: 'cust_crash',
          items: [{ productId: 'prod_ghi', quantity: 1 }],
          shippingAddress: '9 Outage Ave',
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201) {
          placed.push((res.body as { orderId: string }).orderId);
          placedAtMs.push(sentAtMs);
        }
        await sleep(100);
      }
    };
    const clients = Promise.all([client(), client(), client(), client()]);

    await sleep(1_000);
    const killedAt = Date.now();
    process.kill(firstPid, 'SIGKILL');
    // Squat on the broker's port for a while: the outage lasts long enough to be seen (the supervisor is quick),
    // and the supervisor's failed restarts (port taken) are retried with backoff instead of counting as success.
    const squatter = await occupy(Number(new URL(banner.brokerUrl).port), pidFile);
    const down = await eventually(
      async () => {
        const h = await health(banner.url);
        return h.body.broker.status !== 'connected' ? h : undefined;
      },
      { what: '/health reports the broker down', timeoutMs: 5_000, intervalMs: 20, retryOnError: true },
    );
    expect(down.code).toBe(503);
    expect(down.body.status).toBe('degraded');
    await eventually(() => t.stderr().includes('private nats-server restart failed') || undefined, {
      what: 'a restart failed while the port was taken',
      timeoutMs: 10_000,
      intervalMs: 50,
      retryOnError: true,
    });
    await new Promise<void>((resolve) => squatter.close(() => resolve()));

    const secondPid = await eventually(
      () => {
        const pid = readPidFile(pidFile);
        return pid !== undefined && pid !== firstPid && isAlive(pid) ? pid : undefined;
      },
      { what: 'the supervisor restarted nats-server', timeoutMs: 10_000, intervalMs: 50, retryOnError: true },
    );
    await eventually(async () => (await health(banner.url)).body.broker.status === 'connected' || undefined, {
      what: '/health reports the broker connected again',
      timeoutMs: 10_000,
      intervalMs: 50,
      retryOnError: true,
    });
    const backAt = Date.now();
    const outageMs = backAt - killedAt;
    await sleep(1_500);
    load = false;
    await clients;

    expect([...statuses.keys()].filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(placedAtMs.filter((ms) => ms < killedAt).length).toBeGreaterThan(0);
    expect(placedAtMs.filter((ms) => ms > backAt).length).toBeGreaterThan(0);
    const summary = await eventually(
      async () => {
        const res = await http('GET', `${banner.url}/customer/cust_crash/orders`);
        const ids = (res.body as { orderId: string }[]).map((r) => r.orderId);
        return ids.length >= placed.length ? ids : undefined;
      },
      { what: 'every 201 is in the customer summary', timeoutMs: 15_000, intervalMs: 50, retryOnError: true },
    );
    expect([...summary].sort()).toEqual([...placed].sort());
    await eventually(
      async () => {
        const res = await http('GET', `${banner.url}/inventory/products/prod_ghi`);
        return (res.body as { availableQuantity: number }).availableQuantity === 200 - placed.length || undefined;
      },
      { what: 'the inventory view counts each 201 once', timeoutMs: 10_000, intervalMs: 50, retryOnError: true },
    );
    const settled = await eventually(
      async () => {
        const h = await health(banner.url);
        return h.code === 200 &&
          h.body.consumers.every((c) => c.lagEvents === 0) &&
          h.body.outboxes.every((o) => o.backlog === 0)
          ? h
          : undefined;
      },
      { what: 'healthy: no lag, no backlog', timeoutMs: 10_000, intervalMs: 50, retryOnError: true },
    );
    expect(settled.body.status).toBe('ok');
    // Still exactly once after everything settled: no late duplicate.
    const after = await http('GET', `${banner.url}/customer/cust_crash/orders`);
    expect((after.body as unknown[]).length).toBe(placed.length);
    expect(t.stderr()).toContain('private nats-server restarted');

    expect(await t.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(isAlive(secondPid)).toBe(false);
    // For the report: how the outage looked from the client's side.
    console.log(`broker outage ${outageMs} ms; responses ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});

/**
 * Listens on `port`, dropping every connection. Retries while the killed broker's socket is released; should the
 * supervisor win the race and restart the broker first, that one is killed too (bounded).
 */
async function occupy(port: number, pidFile: string): Promise<Server> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const server = createServer((socket) => socket.destroy());
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      return server;
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw err;
      const pid = readPidFile(pidFile);
      if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
      await sleep(10);
    }
  }
}
