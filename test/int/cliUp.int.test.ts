import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { http, isAlive, runTestbed, spawnTestbed, type Testbed } from '../helpers/cliProcess.js';
import { startTestBroker, type TestBroker } from '../helpers/natsHarness.js';

const articleOrder = {
  customerId: 'cust_123',
  items: [
    { productId: 'prod_abc', quantity: 2 },
    { productId: 'prod_xyz', quantity: 1 },
  ],
  shippingAddress: '123 Main St',
};

describe('cqrs-testbed up (private nats-server, temporary data dir)', () => {
  const started: Testbed[] = [];
  afterAll(() => {
    for (const t of started) t.destroy();
  });

  it('prints its URLs, answers the article’s three requests with the article’s shapes, and exits 0 on SIGINT leaving nothing behind', async () => {
    const t = spawnTestbed(['up', '--http-port', '0']);
    started.push(t);
    const banner = await t.up();
    expect(banner.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner.brokerUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(banner.seeded).toBe(4);
    const natsPid = banner.natsPid ?? -1;
    expect(isAlive(natsPid)).toBe(true);
    expect(existsSync(join(banner.dataDir, 'nats', 'nats-server.pid'))).toBe(true);

    // GET /inventory/products/prod_abc → { "productId": "prod_abc", "availableQuantity": 50 }
    expect(await http('GET', `${banner.url}/inventory/products/prod_abc`)).toEqual({
      status: 200,
      body: { productId: 'prod_abc', availableQuantity: 50 },
    });

    // POST /orders with the article's body
    const placed = await http('POST', `${banner.url}/orders`, articleOrder);
    expect(placed.status).toBe(201);
    const orderId = (placed.body as { orderId: string }).orderId;
    expect(orderId).toMatch(/^ord_/);

    // GET /customer/cust_123/orders → [ { orderId, orderDate, totalAmount: 150.75, items: [ {productName, quantity} ] } ]
    const orders = await eventually(
      async () => {
        const res = await http('GET', `${banner.url}/customer/cust_123/orders`);
        return Array.isArray(res.body) && res.body.length > 0 ? res.body : undefined;
      },
      { what: 'the summary shows the order', intervalMs: 50, retryOnError: true },
    );
    expect(orders).toEqual([
      {
        orderId,
        orderDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/) as unknown,
        totalAmount: 150.75,
        items: [
          { productName: 'Gadget Pro', quantity: 2 },
          { productName: 'Widget Mini', quantity: 1 },
        ],
      },
    ]);
    await eventually(
      async () => {
        const res = await http('GET', `${banner.url}/inventory/products/prod_abc`);
        return (res.body as { availableQuantity: number }).availableQuantity === 48 || undefined;
      },
      { what: 'the inventory view decremented', intervalMs: 50, retryOnError: true },
    );

    const startedAt = Date.now();
    const exit = await t.stop('SIGINT', 20_000);
    expect(exit, t.stderr().slice(-3_000)).toEqual({ code: 0, signal: null });
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(t.stdout()).toContain('stopped cleanly');
    expect(isAlive(natsPid)).toBe(false);
    expect(existsSync(banner.dataDir)).toBe(false);
  });

  it('writes pretty logs without colour codes when stderr is not a terminal', async () => {
    // The later --log-format wins over the harness's json: pretty logs, stderr a pipe (as in `up 2> up.log`).
    const t = spawnTestbed(['--log-format', 'pretty', 'up', '--http-port', '0']);
    started.push(t);
    await t.up();
    expect(await t.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(t.stderr()).toMatch(/INFO/);
    expect(t.stderr()).not.toContain('\u001b['); // ESC [ starts every ANSI colour code
  });

  it('exits 0 on SIGTERM too, and its nats-server went with it', async () => {
    const t = spawnTestbed(['up', '--http-port', '0', '--inventory-mode', 'reserve']);
    started.push(t);
    const banner = await t.up();
    expect(t.stdout()).toContain('inventory mode: reserve');
    expect(await t.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(isAlive(banner.natsPid ?? -1)).toBe(false);
  });
});

describe('cqrs-testbed up with NATS_URL', () => {
  let broker: TestBroker | undefined;
  afterAll(async () => broker?.stop());

  it('uses that server, starts no nats-server of its own, and leaves the server running on exit', async () => {
    broker = await startTestBroker();
    const t = spawnTestbed(['up', '--http-port', '0'], { NATS_URL: broker.url });
    const banner = await t.up();
    try {
      expect(banner.brokerUrl).toBe(broker.url);
      expect(banner.natsPid).toBeUndefined();
      expect(t.stdout()).toContain(`${broker.url} (NATS_URL)`);
      expect(existsSync(join(banner.dataDir, 'nats'))).toBe(false);
      // The view is eventually consistent: the seeded stock shows up once its consumer has applied it.
      const stock = await eventually(
        async () => {
          const answer = await http('GET', `${banner.url}/inventory/products/prod_xyz`);
          return answer.status === 200 && (answer.body as { availableQuantity: number }).availableQuantity === 100
            ? answer
            : undefined;
        },
        { what: 'the seeded stock of prod_xyz in the inventory view', intervalMs: 50, retryOnError: true },
      );
      expect(stock).toEqual({ status: 200, body: { productId: 'prod_xyz', availableQuantity: 100 } });
    } finally {
      expect(await t.stop('SIGINT')).toEqual({ code: 0, signal: null });
    }
    expect(isAlive(broker.server.pid)).toBe(true);
  });
});

describe('cqrs-testbed refuses what it cannot do, before starting anything', () => {
  // A private TMPDIR shows that nothing (temporary data dir, broker store) was created.
  // Made in beforeAll, not while the file is collected: a run that filters these tests out would never remove it.
  let tmp = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'cqrs-cli-flags-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  // tsx keeps its compile cache there too; that is not ours.
  const leftovers = () => readdirSync(tmp).filter((name) => !name.startsWith('tsx-'));

  it.each([
    [['up', '--http-port', 'abc'], /--http-port.*'abc' is invalid/],
    [['up', '--http-port', '70000'], /--http-port.*between 0 and 65535/],
    [['up', '--inventory-mode', 'x'], /--inventory-mode.*'x' is invalid.*check, reserve/],
    [['up', '--bogus'], /unknown option '--bogus'/],
    [['frob'], /unknown command 'frob'/],
  ])('%j exits 2 with a message on stderr', async (args, message) => {
    const r = await runTestbed(args, { TMPDIR: tmp });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(leftovers()).toEqual([]);
  });

  it('--help exits 0 and lists the commands', async () => {
    const r = await runTestbed(['--help'], { TMPDIR: tmp });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: cqrs-testbed/);
    expect(r.stdout).toMatch(/\bup\b/);
  });

  it('says exactly how to install nats-server when it is missing, and exits 2', async () => {
    // PATH holds node only; NATS_SERVER_BIN points nowhere (it wins over PATH and the system dirs).
    const r = await runTestbed(['up', '--http-port', '0'], {
      TMPDIR: tmp,
      NATS_SERVER_BIN: '/nonexistent/nats-server',
      PATH: dirname(process.execPath),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'nats-server not found: NATS_SERVER_BIN=/nonexistent/nats-server is not an executable file',
    );
    expect(r.stderr).toContain('apt-get install -y nats-server');
    expect(r.stderr).toContain('https://github.com/nats-io/nats-server/releases');
    expect(r.stdout).toBe('');
    expect(leftovers()).toEqual([]);
  });
});
