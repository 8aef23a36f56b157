/**
 * The article's three requests, the catalogue and stock endpoints, and the 409 for short stock, over real HTTP
 * (global fetch) against a running server bound to a real system (nats-server, SQLite files).
 */
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer, listen } from '../../src/http/server.js';
import { silentLogger } from '../../src/log/logger.js';
import { eventually } from '../helpers/eventually.js';
import { startTestSystem, type TestSystem } from '../helpers/systemHarness.js';
import { quiesced } from '../helpers/quiescence.js';

// expect's asymmetric matchers are typed `any`; held as `unknown` they pass the type-checked lint.
const anyString: unknown = expect.any(String);

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

/** One JSON request; the body is parsed whatever the status, so error bodies can be asserted on. */
async function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit =
    body === undefined
      ? { method }
      : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

const ARTICLE_ORDER = {
  customerId: 'cust_123',
  items: [
    { productId: 'prod_abc', quantity: 2 },
    { productId: 'prod_xyz', quantity: 1 },
  ],
  shippingAddress: '123 Main St',
};

describe('HTTP API: the article’s requests and the catalogue endpoints (real nats-server, real SQLite)', () => {
  let t: TestSystem;
  let app: FastifyInstance;
  let base: string;
  const get = (path: string) => call(base, 'GET', path);
  const post = (path: string, body?: unknown) => call(base, 'POST', path, body);
  const patch = (path: string, body?: unknown) => call(base, 'PATCH', path, body);
  /** For `eventually`: the read model answers 200 with exactly this body. */
  const shows = async (path: string, expected: unknown) => {
    const answer = await get(path);
    return answer.status === 200 && isDeepStrictEqual(answer.body, expected);
  };

  beforeAll(async () => {
    t = await startTestSystem();
    app = buildHttpServer(t.system, silentLogger());
    base = await listen(app, { port: 0 });
    // The catalogue is set up through the API itself: these are the article's products and prices.
    for (const [productId, name, price, stock] of [
      ['prod_abc', 'Gadget Pro', 62.5, 50],
      ['prod_xyz', 'Widget Mini', 25.75, 100],
    ] as const) {
      expect((await post('/products', { productId, name, price })).status).toBe(201);
      expect(
        (await post(`/inventory/products/${productId}/adjustments`, { delta: stock, reason: 'initial stock' })).status,
      ).toBe(201);
    }
    await quiesced(t);
  });
  afterAll(async () => {
    await app?.close();
    await t?.stop();
  });

  it('binds loopback by default and returns its base URL', () => {
    const address = app.server.address() as AddressInfo;
    expect(address.address).toBe('127.0.0.1');
    expect(base).toBe(`http://127.0.0.1:${address.port}`);
  });

  it('POST /orders with the article’s body answers 201 { orderId } and nothing else', async () => {
    const placed = await post('/orders', ARTICLE_ORDER);
    expect(placed.status).toBe(201);
    expect(placed.contentType).toMatch(/^application\/json/);
    expect(Object.keys(placed.body as object)).toEqual(['orderId']);
    expect(placed.body).toEqual({ orderId: anyString });
  });

  it('GET /inventory/products/prod_abc answers exactly { productId, availableQuantity } once the view caught up', async () => {
    await quiesced(t);
    const answer = await get('/inventory/products/prod_abc');
    expect(answer.status).toBe(200);
    expect(answer.body).toStrictEqual({ productId: 'prod_abc', availableQuantity: 48 });
    expect(Object.keys(answer.body as object)).toEqual(['productId', 'availableQuantity']);
  });

  it('GET /customer/cust_123/orders answers the article’s summary shape, total 150.75', async () => {
    await quiesced(t);
    const answer = await get('/customer/cust_123/orders');
    expect(answer.status).toBe(200);
    const orders = answer.body as Record<string, unknown>[];
    expect(orders).toHaveLength(1);
    const [summary] = orders;
    expect(Object.keys(summary ?? {})).toEqual(['orderId', 'orderDate', 'totalAmount', 'items']);
    expect(summary).toStrictEqual({
      orderId: expect.stringMatching(/^ord_/) as unknown,
      orderDate: anyString,
      totalAmount: 150.75,
      items: [
        { productName: 'Gadget Pro', quantity: 2 },
        { productName: 'Widget Mini', quantity: 1 },
      ],
    });
    const orderDate = String(summary?.orderDate);
    expect(new Date(orderDate).toISOString()).toBe(orderDate);
  });

  it('unknown product is a 404 with a JSON body; a customer without orders is 200 []', async () => {
    const unknown = await get('/inventory/products/prod_nope');
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toMatch(/^application\/json/);
    expect(unknown.body).toEqual({ error: 'not-found', message: expect.stringContaining('prod_nope') as unknown });
    expect((await get('/products/prod_nope')).status).toBe(404);
    expect(await get('/customer/cust_nobody/orders')).toMatchObject({ status: 200, body: [] });
  });

  it('short stock is a 409 naming the order and every shortage', async () => {
    await quiesced(t);
    const rejected = await post('/orders', {
      ...ARTICLE_ORDER,
      customerId: 'cust_greedy',
      items: [
        { productId: 'prod_abc', quantity: 1_000 },
        { productId: 'prod_xyz', quantity: 1 },
      ],
    });
    expect(rejected.status).toBe(409);
    expect(rejected.body).toEqual({
      error: 'insufficient-stock',
      message: anyString,
      orderId: expect.stringMatching(/^ord_/) as unknown,
      shortages: [{ productId: 'prod_abc', requested: 1_000, available: 48 }],
    });
    await quiesced(t);
    expect((await get('/inventory/products/prod_abc')).body).toEqual({ productId: 'prod_abc', availableQuantity: 48 });
    expect((await get('/customer/cust_greedy/orders')).body).toEqual([]);
  });

  it('POST /products: 201, then 409 for the same id, 400 for a bad body; the Products view shows it', async () => {
    expect(await post('/products', { productId: 'prod_new', name: 'Doohickey', price: 9.99 })).toMatchObject({
      status: 201,
      body: { productId: 'prod_new' },
    });
    expect(await post('/products', { productId: 'prod_new', name: 'Again', price: 1 })).toMatchObject({
      status: 409,
      body: { error: 'conflict' },
    });
    const bad = await post('/products', { productId: 'bad id', name: ' ', price: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'validation', message: anyString });
    expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'productId',
      'name',
      'price',
    ]);
    await eventually(() => shows('/products/prod_new', { productId: 'prod_new', name: 'Doohickey', price: 9.99 }), {
      what: 'Products view shows prod_new',
    });
    await eventually(() => shows('/inventory/products/prod_new', { productId: 'prod_new', availableQuantity: 0 }), {
      what: 'inventory view knows prod_new',
    });
  });

  it('PATCH /products/:id: 200 and the change shows; 404 unknown; 400 for a bad body or a bad id', async () => {
    expect(await patch('/products/prod_xyz', { name: 'Widget Maxi', price: 30 })).toMatchObject({
      status: 200,
      body: { productId: 'prod_xyz' },
    });
    await eventually(
      async () => shows('/products/prod_xyz', { productId: 'prod_xyz', name: 'Widget Maxi', price: 30 }),
      { what: 'Products view shows the rename and reprice' },
    );
    expect(await patch('/products/prod_unknown', { name: 'Ghost' })).toMatchObject({
      status: 404,
      body: { error: 'not-found' },
    });
    expect(await patch('/products/prod_xyz', {})).toMatchObject({
      status: 400,
      body: { errors: [{ field: '(body)' }] },
    });
    expect(await patch('/products/prod_xyz', { price: 'cheap' })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'price' }] },
    });
    for (const badId of ['bad%20id', 'x'.repeat(65), 'semi%3Bcolon']) {
      expect(await patch(`/products/${badId}`, { name: 'Whatever' }), badId).toMatchObject({
        status: 400,
        body: { error: 'validation', errors: [{ field: 'productId' }] },
      });
    }
  });

  it('POST /inventory/products/:id/adjustments: 201 and the view moves; 404 unknown; 409 below zero; 400 zero or bad', async () => {
    await quiesced(t);
    expect(await post('/inventory/products/prod_abc/adjustments', { delta: 12, reason: 'delivery' })).toMatchObject({
      status: 201,
      body: { productId: 'prod_abc' },
    });
    await eventually(() => shows('/inventory/products/prod_abc', { productId: 'prod_abc', availableQuantity: 60 }), {
      what: 'inventory view shows 48 + 12',
    });
    expect(await post('/inventory/products/prod_abc/adjustments', { delta: -5 })).toMatchObject({ status: 201 });
    await eventually(() => shows('/inventory/products/prod_abc', { productId: 'prod_abc', availableQuantity: 55 }), {
      what: 'inventory view shows 55',
    });
    expect(await post('/inventory/products/prod_unknown/adjustments', { delta: 1 })).toMatchObject({
      status: 404,
      body: { error: 'not-found' },
    });
    expect(await post('/inventory/products/prod_abc/adjustments', { delta: -1_000 })).toMatchObject({
      status: 409,
      body: { error: 'conflict' },
    });
    expect(await post('/inventory/products/prod_abc/adjustments', { delta: 0 })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'delta' }] },
    });
    expect(await post('/inventory/products/prod_abc/adjustments', { delta: 1.5 })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'delta' }] },
    });
    expect(await post('/inventory/products/bad%20id/adjustments', { delta: 1 })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'productId' }] },
    });
    await quiesced(t);
    expect((await get('/inventory/products/prod_abc')).body).toEqual({ productId: 'prod_abc', availableQuantity: 55 });
  });

  it('a product on two lines is an order like any other: stock judged on the total, both lines kept', async () => {
    await quiesced(t);
    const short = await post('/orders', {
      ...ARTICLE_ORDER,
      customerId: 'cust_twice',
      items: [
        { productId: 'prod_abc', quantity: 30 },
        { productId: 'prod_abc', quantity: 30 },
      ],
    });
    expect(short).toMatchObject({
      status: 409,
      body: { shortages: [{ productId: 'prod_abc', requested: 60, available: 55 }] },
    });
    const placed = await post('/orders', {
      ...ARTICLE_ORDER,
      customerId: 'cust_twice',
      items: [
        { productId: 'prod_abc', quantity: 1 },
        { productId: 'prod_abc', quantity: 2 },
      ],
    });
    expect(placed.status).toBe(201);
    await quiesced(t);
    expect((await get('/inventory/products/prod_abc')).body).toEqual({ productId: 'prod_abc', availableQuantity: 52 });
    const [summary] = (await get('/customer/cust_twice/orders')).body as { items: unknown[] }[];
    expect(summary?.items).toEqual([
      { productName: 'Gadget Pro', quantity: 1 },
      { productName: 'Gadget Pro', quantity: 2 },
    ]);
  });
});
