/**
 * Every kind of bad request gets a 4xx with a JSON `{ error, message, errors? }` body and writes nothing: counted in
 * the order service's tables and outbox, the inventory service's outbox and catalogue, and the event stream. None
 * is a 500, and the server still takes a good order afterwards. Real HTTP (fetch), real nats-server, real SQLite.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer, DEFAULT_BODY_LIMIT_BYTES, listen } from '../../src/http/server.js';
import { addProduct, startTestSystem, type TestSystem } from '../helpers/systemHarness.js';
import { quiesced } from '../helpers/quiescence.js';

// expect's asymmetric matchers are typed `any`; held as `unknown` they pass the type-checked lint.
const anyString: unknown = expect.any(String);

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

const JSON_TYPE = { 'content-type': 'application/json' };

async function send(
  base: string,
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`${base}${path}`, { method, ...init });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

const goodOrder = {
  customerId: 'cust_1',
  items: [{ productId: 'prod_abc', quantity: 2 }],
  shippingAddress: '1 Test Lane',
};
const withQuantity = (quantity: unknown) =>
  JSON.stringify({ ...goodOrder, items: [{ productId: 'prod_abc', quantity }] });

interface BadCase {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly error?: string;
  /** The field-level errors the answer must name, in order. */
  readonly fields?: readonly string[];
}

const BAD_ORDERS: readonly BadCase[] = [
  { name: 'malformed JSON', body: '{"customerId": "cust_1", "items": [', status: 400, error: 'invalid-json' },
  { name: 'JSON null', body: 'null', status: 400, fields: ['(body)'] },
  { name: 'JSON array', body: JSON.stringify([goodOrder]), status: 400, fields: ['(body)'] },
  { name: 'JSON string', body: '"an order please"', status: 400, fields: ['(body)'] },
  { name: 'JSON number', body: '42', status: 400, fields: ['(body)'] },
  { name: 'empty object', body: '{}', status: 400, fields: ['customerId', 'items', 'shippingAddress'] },
  { name: 'empty items', body: JSON.stringify({ ...goodOrder, items: [] }), status: 400, fields: ['items'] },
  {
    name: 'item not an object',
    body: JSON.stringify({ ...goodOrder, items: ['prod_abc'] }),
    status: 400,
    fields: ['items[0]'],
  },
  { name: 'quantity 0', body: withQuantity(0), status: 400, fields: ['items[0].quantity'] },
  { name: 'quantity -1', body: withQuantity(-1), status: 400, fields: ['items[0].quantity'] },
  { name: 'quantity 1.5', body: withQuantity(1.5), status: 400, fields: ['items[0].quantity'] },
  { name: 'quantity "2"', body: withQuantity('2'), status: 400, fields: ['items[0].quantity'] },
  { name: 'quantity 1e9', body: withQuantity(1e9), status: 400, fields: ['items[0].quantity'] },
  {
    name: 'quantity missing',
    body: JSON.stringify({ ...goodOrder, items: [{ productId: 'prod_abc' }] }),
    status: 400,
    fields: ['items[0].quantity'],
  },
  {
    name: 'bad customer id',
    body: JSON.stringify({ ...goodOrder, customerId: 'cust 1' }),
    status: 400,
    fields: ['customerId'],
  },
  {
    name: 'non-ASCII customer id',
    body: JSON.stringify({ ...goodOrder, customerId: 'josé' }),
    status: 400,
    fields: ['customerId'],
  },
  {
    name: 'unknown product (asks the inventory service)',
    body: JSON.stringify({
      ...goodOrder,
      items: [
        { productId: 'prod_abc', quantity: 1 },
        { productId: 'prod_nope', quantity: 1 },
      ],
    }),
    status: 400,
    fields: ['items[1].productId'],
  },
  {
    name: 'text/plain',
    body: JSON.stringify(goodOrder),
    headers: { 'content-type': 'text/plain' },
    status: 415,
    error: 'unsupported-media-type',
  },
  {
    name: 'form-encoded',
    body: 'customerId=cust_1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    error: 'unsupported-media-type',
  },
  { name: 'no content-type, no body', headers: {}, status: 400, fields: ['(body)'] },
  { name: 'empty body with content-type json', body: '', status: 400, error: 'empty-body' },
  {
    name: '200 KB body',
    body: JSON.stringify({ ...goodOrder, shippingAddress: 'x'.repeat(200 * 1024) }),
    status: 413,
    error: 'payload-too-large',
  },
  {
    name: 'prototype pollution',
    body: '{"__proto__": {"admin": true}, "customerId": "c"}',
    status: 400,
    error: 'invalid-json',
  },
];

const BAD_CATALOG: readonly BadCase[] = [
  { name: 'product: malformed JSON', path: '/products', body: '{', status: 400, error: 'invalid-json' },
  { name: 'product: array', path: '/products', body: '[]', status: 400, fields: ['(body)'] },
  {
    name: 'product: missing fields',
    path: '/products',
    body: '{}',
    status: 400,
    fields: ['productId', 'name', 'price'],
  },
  {
    name: 'product: text/plain',
    path: '/products',
    body: '{}',
    headers: { 'content-type': 'text/plain' },
    status: 415,
  },
  { name: 'patch: null', method: 'PATCH', path: '/products/prod_abc', body: 'null', status: 400, fields: ['(body)'] },
  {
    name: 'patch: bad price',
    method: 'PATCH',
    path: '/products/prod_abc',
    body: '{"price": 1.234}',
    status: 400,
    fields: ['price'],
  },
  {
    name: 'adjust: zero',
    path: '/inventory/products/prod_abc/adjustments',
    body: '{"delta": 0}',
    status: 400,
    fields: ['delta'],
  },
  {
    name: 'adjust: string',
    path: '/inventory/products/prod_abc/adjustments',
    body: '"5"',
    status: 400,
    fields: ['(body)'],
  },
  {
    name: 'adjust: empty',
    path: '/inventory/products/prod_abc/adjustments',
    body: '',
    status: 400,
    error: 'empty-body',
  },
  {
    name: 'adjust: bad percent-encoding in the id',
    path: '/inventory/products/%E0%A4%A/adjustments',
    body: '{"delta": 1}',
    status: 400,
    error: 'bad-url',
  },
  {
    name: 'adjust: id over 100 characters',
    path: `/inventory/products/${'x'.repeat(101)}/adjustments`,
    body: '{"delta": 1}',
    status: 414,
    error: 'uri-too-long',
  },
  {
    name: 'query: bad percent-encoding',
    method: 'GET',
    path: '/customer/%E0%A4%A/orders',
    status: 400,
    error: 'bad-url',
  },
  {
    name: 'wrong method on a known path',
    method: 'DELETE',
    path: '/products/prod_abc',
    headers: {},
    status: 405,
    error: 'method-not-allowed',
  },
  { name: 'no such route', method: 'GET', path: '/nope', headers: {}, status: 404, error: 'not-found' },
  {
    name: 'query: non-ASCII product id',
    method: 'GET',
    path: '/inventory/products/caf%C3%A9',
    headers: {},
    status: 400,
    fields: ['productId'],
  },
  {
    name: 'query: non-ASCII customer id',
    method: 'GET',
    path: '/customer/jos%C3%A9/orders',
    headers: {},
    status: 400,
    fields: ['customerId'],
  },
  {
    name: 'query: product id with a space',
    method: 'GET',
    path: '/products/prod%20abc',
    headers: {},
    status: 400,
    fields: ['productId'],
  },
  {
    name: 'adjust: non-ASCII id',
    path: '/inventory/products/caf%C3%A9/adjustments',
    body: '{"delta": 1}',
    status: 400,
    fields: ['productId'],
  },
];

describe('HTTP API: bad input is a clear 4xx and writes nothing (real nats-server, real SQLite)', () => {
  let t: TestSystem;
  let app: FastifyInstance;
  let base: string;
  const logged: { level: number; msg?: string }[] = [];

  /** Rows every write path could add to: order and inventory services' tables and outboxes, and the stream. */
  const footprint = async () => {
    const rows = (db: TestSystem['system']['orderStore']['db'], table: string) =>
      db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    const orders = t.system.orderStore.db;
    const inventory = t.system.inventoryStore.db;
    return {
      orders: rows(orders, 'orders'),
      orderItems: rows(orders, 'order_items'),
      orderOutbox: rows(orders, 'outbox'),
      inventoryOutbox: rows(inventory, 'outbox'),
      catalog: rows(inventory, 'catalog'),
      streamLastSeq: (await t.transport.streamInfo()).lastSeq,
    };
  };

  beforeAll(async () => {
    t = await startTestSystem();
    await addProduct(t.system, 'prod_abc', 'Gadget Pro', 6250, 50);
    await quiesced(t);
    // Warnings and errors of the HTTP layer are kept: a 500 or a double reply would show up here.
    const log = pino(
      { level: 'warn' },
      { write: (line: string) => void logged.push(JSON.parse(line) as { level: number; msg?: string }) },
    );
    app = buildHttpServer(t.system, log);
    base = await listen(app, { port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await t?.stop();
  });

  it('the 200 KB case is really over the limit', () => {
    const big = BAD_ORDERS.find((c) => c.status === 413);
    expect(Buffer.byteLength(big?.body ?? '')).toBeGreaterThan(DEFAULT_BODY_LIMIT_BYTES);
  });

  const cases = [...BAD_ORDERS.map((c) => ({ ...c, path: c.path ?? '/orders' })), ...BAD_CATALOG];
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await footprint();
    const answer = await send(base, c.method ?? 'POST', c.path ?? '/orders', {
      body: c.body,
      headers: c.headers ?? JSON_TYPE,
    });
    expect(answer.status).toBe(c.status);
    expect(answer.contentType).toMatch(/^application\/json/);
    const body = answer.body as { error: unknown; message: unknown; errors?: { field: string; message: string }[] };
    expect(typeof body.error).toBe('string');
    expect(typeof body.message).toBe('string');
    expect((body.message as string).length).toBeGreaterThan(0);
    if (c.error !== undefined) expect(body.error).toBe(c.error);
    if (c.fields !== undefined) {
      expect(body.error).toBe('validation');
      expect(body.errors?.map((e) => e.field)).toEqual(c.fields);
      for (const field of c.fields) expect(body.message).toContain(field);
    }
    expect(await footprint()).toEqual(before);
  });

  it('says what an id may hold when it refuses a non-ASCII one (a letter, but not an ASCII one)', async () => {
    const answer = await send(base, 'POST', '/orders', {
      body: JSON.stringify({ ...goodOrder, customerId: 'josé' }),
      headers: JSON_TYPE,
    });
    expect(answer).toMatchObject({
      status: 400,
      body: {
        errors: [
          {
            field: 'customerId',
            message: expect.stringMatching(/only ASCII letters and digits .*found "é"/) as unknown,
          },
        ],
      },
    });
  });

  it.each([
    ['GET', '/orders', 'POST'],
    ['DELETE', '/products/prod_abc', 'GET, HEAD, PATCH'],
    ['PUT', '/customer/cust_1/orders', 'GET, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
    ['GET', '/admin/consumers/products/stop', 'POST'],
    ['POST', '/admin/consumers/products/dead-letters', 'GET, HEAD'],
    ['PUT', '/inventory/products/prod_abc/adjustments', 'POST'],
  ])('%s %s: 405 with Allow: %s, writing nothing', async (method, path, allow) => {
    const before = await footprint();
    const response = await fetch(`${base}${path}`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(await response.json()).toEqual({
      error: 'method-not-allowed',
      message: `${method} is not allowed on ${path}; it takes ${allow}`,
    });
    expect(await footprint()).toEqual(before);
  });

  it('after all of that: nothing reached the stream, nothing was logged as an error, and a good order still works', async () => {
    const before = await footprint();
    await quiesced(t);
    expect(await footprint()).toEqual(before);
    expect(logged.filter((l) => l.level >= 40)).toEqual([]);

    const placed = await send(base, 'POST', '/orders', { body: JSON.stringify(goodOrder), headers: JSON_TYPE });
    expect(placed).toMatchObject({ status: 201, body: { orderId: anyString } });
    await quiesced(t);
    const after = await footprint();
    expect(after.orders).toBe(before.orders + 1);
    expect(after.orderItems).toBe(before.orderItems + 1);
    expect(after.orderOutbox).toBe(before.orderOutbox + 1);
    expect(after.streamLastSeq).toBeGreaterThan(before.streamLastSeq);
  });
});
