/**
 * The system's port across processes: every command and query of the SystemPort as a NATS request, answered from a
 * running system by `servePortOverNats`, asked by a client on a connection of its own (what the HTTP process of the
 * multi-process topology will hold). Bad requests get a clear answer and change nothing; with nobody serving, a
 * command is `unavailable` and a query rejects, within bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJetStream } from '../../src/transport/jetstream/jetstreamTransport.js';
import type { Service, Transport } from '../../src/transport/port.js';
import { PORT_SUBJECTS, PortQueryError, portOverNats, servePortOverNats } from '../../src/system/portOverNats.js';
import { systemPort, type SystemPort } from '../../src/system/systemPort.js';
import { eventually } from '../helpers/eventually.js';
import { ids, startTestSystem, type TestSystem } from '../helpers/systemHarness.js';

let t: TestSystem;
let client: Transport;
let remote: SystemPort;
let served: Service[];

beforeAll(async () => {
  t = await startTestSystem();
  served = servePortOverNats(t.transport, systemPort(t.system, ids));
  client = await connectJetStream({ servers: t.broker.url, name: 'port-client' });
  remote = portOverNats(client, 3_000);
});

afterAll(async () => {
  for (const s of served ?? []) await s.stop();
  await client?.close();
  await t?.stop();
});

describe('the system port over NATS', () => {
  it('carries commands and queries: a product added, an order placed, both read back', async () => {
    expect(
      await remote.inventoryCommand({ type: 'AddProduct', productId: 'p_1', name: 'Lamp', priceCents: 1999 }),
    ).toMatchObject({ kind: 'done' });
    expect(
      await remote.inventoryCommand({ type: 'AdjustStock', productId: 'p_1', delta: 10, reason: 'restock' }),
    ).toMatchObject({ kind: 'done' });
    await eventually(async () => (await remote.inventoryOf('p_1'))?.availableQuantity === 10 || undefined, {
      what: 'the inventory view over NATS',
      intervalMs: 50,
    });
    const placed = await remote.placeOrder({
      type: 'PlaceOrder',
      customerId: 'c_1',
      items: [{ productId: 'p_1', quantity: 2 }],
      shippingAddress: '1 Main St',
    });
    expect(placed.kind).toBe('placed');
    const orders = await eventually(
      async () => {
        const list = await remote.ordersOfCustomer('c_1');
        return list.length > 0 ? list : undefined;
      },
      { what: 'the summary over NATS', intervalMs: 50 },
    );
    expect(orders).toMatchObject([{ totalAmount: 39.98, items: [{ productName: 'Lamp', quantity: 2 }] }]);
    expect(await remote.productOf('p_1')).toMatchObject({ productId: 'p_1', name: 'Lamp' });
    expect(await remote.productOf('p_unknown')).toBeUndefined();
    expect((await remote.listProducts()).map((p) => p.productId)).toContain('p_1');
  });

  it('validates where it answers: an invalid order is `invalid`, a bad command or id is refused, garbage too', async () => {
    const invalid = await remote.placeOrder({ type: 'PlaceOrder', customerId: '', items: [], shippingAddress: '' });
    expect(invalid).toMatchObject({ kind: 'invalid' });
    await expect(
      remote.inventoryCommand({ type: 'AddProduct', productId: 'p 2', name: '', priceCents: -1 }),
    ).rejects.toThrow(PortQueryError);
    await expect(remote.inventoryOf('not an id')).rejects.toThrow(/productId must be a valid id/);
    const garbage = await client.request(PORT_SUBJECTS.listProducts, new TextEncoder().encode('{nope'), 3_000);
    expect(JSON.parse(new TextDecoder().decode(garbage))).toEqual({ ok: false, error: 'the request is not JSON' });
    expect((await remote.listProducts()).map((p) => p.productId)).not.toContain('p 2');
  });

  it('with nobody answering: a command is `unavailable` (it may or may not have happened), a query rejects', async () => {
    const nobody = portOverNats(client, 500);
    for (const s of served) await s.stop();
    served = [];
    const started = Date.now();
    const outcome = await nobody.placeOrder({
      type: 'PlaceOrder',
      customerId: 'c_1',
      items: [{ productId: 'p_1', quantity: 1 }],
      shippingAddress: '1 Main St',
    });
    expect(outcome).toMatchObject({ kind: 'unavailable' });
    await expect(nobody.inventoryOf('p_1')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
