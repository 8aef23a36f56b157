/**
 * GET /health and the admin verbs over real HTTP: a stopped consumer shows as stopped, falls behind as the catalogue
 * changes (lag in events and milliseconds, overall status degraded, still 200), and catches up again when started;
 * a SIGSTOPped broker — whose TCP connection stays open, so the client still thinks it connected — is noticed by a
 * timed round trip and makes /health a prompt 503. Dead letters come back with their payload as JSON.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_PROBE_TIMEOUT_MS, type SystemHealth } from '../../src/system/health.js';
import { READ_MODELS } from '../../src/domain/readModels.js';
import { buildHttpServer, listen } from '../../src/http/server.js';
import { silentLogger } from '../../src/log/logger.js';
import { eventually } from '../helpers/eventually.js';
import { addProduct, startTestSystem, type TestSystem } from '../helpers/systemHarness.js';
import { quiesced } from '../helpers/quiescence.js';

// expect's asymmetric matchers are typed `any`; held as `unknown` they pass the type-checked lint.
const anyString: unknown = expect.any(String);
const anyNumber: unknown = expect.any(Number);

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit =
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe('HTTP API: /health and the consumer admin verbs (real nats-server, real SQLite)', () => {
  let t: TestSystem;
  let app: FastifyInstance;
  let base: string;
  const health = async (): Promise<SystemHealth> => {
    const answer = await call(base, 'GET', '/health');
    expect(answer.status).toBe(200);
    return answer.body as SystemHealth;
  };
  const products = async () => (await health()).consumers.find((c) => c.name === 'products');

  beforeAll(async () => {
    t = await startTestSystem();
    await addProduct(t.system, 'prod_abc', 'Gadget Pro', 6250, 50);
    await quiesced(t);
    app = buildHttpServer(t.system, silentLogger());
    base = await listen(app, { port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await t?.stop();
  });

  it('reports the broker connected and one caught-up entry per consumer', async () => {
    const h = await health();
    expect(h.status).toBe('ok');
    expect(h.broker.status).toBe('connected');
    expect(h.broker.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(h.broker.roundTripMs).toBeLessThan(BROKER_PROBE_TIMEOUT_MS);
    expect(h.broker.lastSeq).toBe((await t.transport.streamInfo()).lastSeq);
    expect(h.consumers.map((c) => c.name).sort()).toEqual([...READ_MODELS].sort());
    for (const c of h.consumers) {
      expect(c, c.name).toMatchObject({
        state: anyString,
        checkpoint: h.broker.lastSeq,
        lagEvents: 0,
        lagMs: 0,
        redeliveries: anyNumber,
        deadLetters: 0,
      });
      expect(['idle', 'catchingUp'], c.name).toContain(c.state);
    }
  });

  it('a stopped products consumer shows stopped, falls behind as the catalogue changes, and catches up on start', async () => {
    expect(await call(base, 'POST', '/admin/consumers/products/stop')).toEqual({
      status: 202,
      body: { consumer: 'products', action: 'stop' },
    });
    await eventually(async () => (await products())?.state === 'stopped', { what: 'products consumer stopped' });
    expect((await health()).status).toBe('degraded');

    expect(
      (await call(base, 'POST', '/products', { productId: 'prod_late', name: 'Latecomer', price: 5 })).status,
    ).toBe(201);
    expect((await call(base, 'PATCH', '/products/prod_abc', { name: 'Gadget Pro II' })).status).toBe(200);
    await eventually(async () => ((await products())?.lagEvents ?? 0) > 0, { what: 'products consumer behind' });
    // The other consumers keep up: only the stopped one lags.
    await eventually(
      async () => (await health()).consumers.find((c) => c.name === 'product-inventory')?.lagEvents === 0,
      { what: 'product-inventory caught up' },
    );
    await new Promise((r) => setTimeout(r, 20)); // so the oldest unapplied event is measurably old
    const behind = await health();
    const stopped = behind.consumers.find((c) => c.name === 'products');
    expect(behind.status).toBe('degraded');
    expect(stopped).toMatchObject({ state: 'stopped', lagEvents: anyNumber });
    expect(stopped?.lagEvents).toBeGreaterThan(0);
    expect(stopped?.lagMs).toBeGreaterThan(0);
    expect(stopped?.checkpoint).toBeLessThan(behind.broker.lastSeq ?? 0);
    // The Products read model is stale meanwhile: that is what the lag means to a reader.
    expect((await call(base, 'GET', '/products/prod_late')).status).toBe(404);

    expect(await call(base, 'POST', '/admin/consumers/products/start')).toEqual({
      status: 202,
      body: { consumer: 'products', action: 'start' },
    });
    await eventually(
      async () => {
        const p = await products();
        return p?.state !== 'stopped' && p?.lagEvents === 0 && p.lagMs === 0;
      },
      { what: 'products consumer caught up' },
    );
    await eventually(async () => (await health()).status === 'ok', { what: 'overall ok again' });
    expect((await call(base, 'GET', '/products/prod_late')).body).toEqual({
      productId: 'prod_late',
      name: 'Latecomer',
      price: 5,
    });
    expect((await call(base, 'GET', '/products/prod_abc')).body).toEqual({
      productId: 'prod_abc',
      name: 'Gadget Pro II',
      price: 62.5,
    });
  });

  it('a stopped inventory service makes commands a 503 with retry-after that writes nothing, not a 500', async () => {
    await quiesced(t);
    const rows = (db: typeof t.system.orderStore.db, table: string) =>
      db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    const footprint = async () => ({
      orders: rows(t.system.orderStore.db, 'orders'),
      orderOutbox: rows(t.system.orderStore.db, 'outbox'),
      inventoryOutbox: rows(t.system.inventoryStore.db, 'outbox'),
      lastSeq: (await t.transport.streamInfo()).lastSeq,
    });
    const before = await footprint();
    t.system.inventoryService.send({ type: 'STOP' });
    try {
      await eventually(() => t.system.inventoryService.getSnapshot().value === 'stopped', {
        what: 'inventory service stopped',
      });
      for (const [path, body] of [
        ['/products', { productId: 'prod_down', name: 'Down', price: 1 }],
        ['/inventory/products/prod_abc/adjustments', { delta: 1 }],
        [
          '/orders',
          { customerId: 'cust_1', items: [{ productId: 'prod_abc', quantity: 1 }], shippingAddress: '1 Test Lane' },
        ],
      ] as const) {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status, path).toBe(503);
        expect(response.headers.get('retry-after'), path).toBe('1');
        expect(await response.json(), path).toEqual({ error: 'unavailable', message: anyString });
      }
    } finally {
      t.system.inventoryService.send({ type: 'START' });
    }
    await quiesced(t);
    expect(await footprint()).toEqual(before);
    expect(await call(base, 'POST', '/inventory/products/prod_abc/adjustments', { delta: 1 })).toMatchObject({
      status: 201,
    });
  });

  it('unknown consumers and actions are 404, including names every object inherits', async () => {
    for (const path of [
      '/admin/consumers/nope/stop',
      '/admin/consumers/products/explode',
      '/admin/consumers/products/toString',
      '/admin/consumers/products/constructor',
      '/admin/consumers/toString/stop',
      '/admin/consumers/nope/dead-letters',
    ]) {
      const method = path.endsWith('dead-letters') ? 'GET' : 'POST';
      expect(await call(base, method, path), path).toMatchObject({
        status: 404,
        body: { error: 'not-found', message: anyString },
      });
    }
    expect(await call(base, 'GET', '/admin/consumers/products/dead-letters')).toEqual({ status: 200, body: [] });
    // Nothing above disturbed a consumer.
    await eventually(
      async () => (await health()).consumers.every((c) => c.state === 'idle' || c.state === 'catchingUp'),
      { what: 'all consumers still running' },
    );
  });

  it('notices a paused broker by a round trip, not the cached connection state: a prompt 503, then 200 once resumed', async () => {
    await quiesced(t);
    t.broker.server.pause(); // SIGSTOP: the socket stays open, the client's status stays "connected"
    try {
      expect(t.transport.status()).toBe('connected');
      const started = Date.now();
      const paused = await call(base, 'GET', '/health');
      expect(Date.now() - started).toBeLessThan(BROKER_PROBE_TIMEOUT_MS + 1_500);
      expect(paused.status).toBe(503);
      expect(paused.body).toMatchObject({
        status: 'degraded',
        broker: { status: 'unresponsive', roundTripMs: null, lastSeq: null },
      });
    } finally {
      t.broker.server.resume(); // SIGCONT, whatever happened above
    }
    await eventually(async () => (await call(base, 'GET', '/health')).status === 200, { what: 'health 200 again' });
    expect(await health()).toMatchObject({ status: 'ok', broker: { status: 'connected' } });
  });

  it('gives dead letters’ data as JSON: the object for a JSON payload, the raw text (marked) for one that is not', async () => {
    const encoder = new TextEncoder();
    const published = [
      { msgId: 'poison-text', data: encoder.encode('{"not": "an envelope"') }, // cut short: not JSON
      { msgId: 'poison-json', data: encoder.encode(JSON.stringify({ schemaVersion: 99, note: 'from the future' })) },
      { msgId: 'poison-bytes', data: new Uint8Array([0xff, 0xfe, 0x00, 0x41]) }, // not UTF-8
    ];
    for (const p of published) await t.transport.publish({ subject: 'shop.products.added', ...p });
    type Letter = { seq: number; msgId: string; reason: string; dataFormat: string; data: unknown };
    let letters: Letter[] = [];
    await eventually(
      async () => {
        const answer = await call(base, 'GET', '/admin/consumers/products/dead-letters');
        letters = answer.body as Letter[];
        return answer.status === 200 && letters.length === 3;
      },
      { what: 'the three poison events parked by products' },
    );
    const byId = new Map(letters.map((l) => [l.msgId, l]));
    expect(byId.get('poison-text')).toMatchObject({
      dataFormat: 'text',
      data: '{"not": "an envelope"',
      reason: anyString,
    });
    expect(byId.get('poison-json')).toMatchObject({
      dataFormat: 'json',
      data: { schemaVersion: 99, note: 'from the future' },
    });
    expect(byId.get('poison-bytes')).toMatchObject({
      dataFormat: 'base64',
      data: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64'),
    });
  });
});
