import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findNatsServerBinary } from '../../src/transport/natsServerProcess.js';
import { eventually } from '../helpers/eventually.js';
import { http, isAlive, readPidFile, runTestbed, sleep, spawnTestbed, type Testbed } from '../helpers/cliProcess.js';

interface SummaryRow {
  readonly orderId: string;
}

async function ordersOf(url: string, customerId: string): Promise<string[]> {
  const res = await http('GET', `${url}/customer/${customerId}/orders`);
  return (res.body as SummaryRow[]).map((r) => r.orderId);
}

async function availableOf(url: string, productId: string): Promise<number> {
  const res = await http('GET', `${url}/inventory/products/${productId}`);
  return (res.body as { availableQuantity: number }).availableQuantity;
}

describe('cqrs-testbed up --data-dir resumes after kill -9 with nothing lost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cqrs-cli-datadir-'));
  const started: Testbed[] = [];
  const others: ChildProcess[] = [];
  afterAll(() => {
    for (const t of started) t.destroy();
    for (const p of others) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every 201 and does not seed the catalogue twice; a second testbed on the same dir is refused', async () => {
    const first = spawnTestbed(['up', '--http-port', '0', '--data-dir', dir]);
    started.push(first);
    const a = await first.up();
    expect(a.seeded).toBe(4);
    expect(a.dataDir).toBe(dir);

    const refused = await runTestbed(['up', '--http-port', '0', '--data-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`data dir ${dir} is in use by cqrs-testbed pid ${first.pid}`);

    // Place orders, then kill -9 right after the last 201: some are surely still in the outbox, unpublished.
    const placed: string[] = [];
    let quantity = 0;
    for (let i = 0; i < 12; i++) {
      const res = await http('POST', `${a.url}/orders`, {
        customerId: 'cust_dd',
        items: [{ productId: 'prod_abc', quantity: 1 + (i % 2) }],
        shippingAddress: '1 Resume Rd',
      });
      expect(res.status).toBe(201);
      placed.push((res.body as { orderId: string }).orderId);
      quantity += 1 + (i % 2);
    }
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    // The guard stops the orphaned broker once its owner is gone (the pid file covers the guard being killed too).
    await eventually(() => !isAlive(a.natsPid ?? -1) || undefined, {
      what: 'the orphaned nats-server stopped',
      timeoutMs: 10_000,
      intervalMs: 50,
      retryOnError: true,
    });

    const second = spawnTestbed(['up', '--http-port', '0', '--data-dir', dir]);
    started.push(second);
    const b = await second.up();
    expect(b.seeded).toBe(0);
    const seen = await eventually(
      async () => {
        const ids = await ordersOf(b.url, 'cust_dd');
        return ids.length >= placed.length ? ids : undefined;
      },
      { what: 'every order placed before the kill is in the summary', intervalMs: 50, retryOnError: true },
    );
    expect([...seen].sort()).toEqual([...placed].sort());
    await eventually(async () => (await availableOf(b.url, 'prod_abc')) === 50 - quantity || undefined, {
      what: 'the inventory view caught up',
      intervalMs: 50,
      retryOnError: true,
    });
    const products = await http('GET', `${b.url}/products`);
    expect((products.body as { productId: string }[]).map((p) => p.productId).sort()).toEqual([
      'prod_abc',
      'prod_def',
      'prod_ghi',
      'prod_xyz',
    ]);

    // Settled means settled: nothing more arrives later (a duplicate would show up as a 13th row or 50 - 2q stock).
    await sleep(500);
    expect((await ordersOf(b.url, 'cust_dd')).length).toBe(placed.length);
    expect(await availableOf(b.url, 'prod_abc')).toBe(50 - quantity);
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('stops a nats-server left running on the store by a killed run, and ignores a stale pid file', async () => {
    const storeDir = join(dir, 'nats');
    mkdirSync(storeDir, { recursive: true });
    const port = await freePort();
    const orphan = spawn(
      await findNatsServerBinary(),
      ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir],
      { stdio: 'ignore' },
    );
    others.push(orphan);
    const orphanExited = new Promise<void>((resolve) => orphan.once('exit', () => resolve()));
    writeFileSync(join(storeDir, 'nats-server.pid'), `${orphan.pid}\n`);
    await sleep(300);

    const t = spawnTestbed(['up', '--http-port', '0', '--data-dir', dir]);
    started.push(t);
    const banner = await t.up();
    await orphanExited;
    expect(t.stderr()).toContain('a nats-server left over from a previous run still uses the store; stopping it');
    expect(banner.natsPid).not.toBe(orphan.pid);
    expect(readPidFile(join(storeDir, 'nats-server.pid'))).toBe(banner.natsPid);
    expect((await ordersOf(banner.url, 'cust_dd')).length).toBe(12);
    expect(await t.stop('SIGINT')).toEqual({ code: 0, signal: null });

    // A pid file naming a live process that is not a nats-server on this store is stale: it must survive.
    const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
    others.push(bystander);
    writeFileSync(join(storeDir, 'nats-server.pid'), `${bystander.pid}\n`);
    const again = spawnTestbed(['up', '--http-port', '0', '--data-dir', dir]);
    started.push(again);
    await again.up();
    expect(isAlive(bystander.pid ?? -1)).toBe(true);
    expect(await again.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
