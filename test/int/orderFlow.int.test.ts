import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import {
  addProduct,
  oracleAndModels,
  order,
  placeOrder,
  startTestSystem,
  type TestSystem,
} from '../helpers/systemHarness.js';
import { quiesced } from '../helpers/quiescence.js';

describe('an order flows from the command side to every read model (real nats-server, real SQLite files)', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
    await addProduct(t.system, 'prod_abc', 'Gadget Pro', 6250, 50);
    await addProduct(t.system, 'prod_xyz', 'Widget Mini', 2575, 100);
    await quiesced(t);
  });
  afterAll(async () => t?.stop());

  it('places the article’s order and every read model shows it, equal to the reference fold', async () => {
    const outcome = await placeOrder(
      t.system,
      order('cust_123', [
        ['prod_abc', 2],
        ['prod_xyz', 1],
      ]),
    );
    expect(outcome.kind).toBe('placed');
    const orderId = outcome.kind === 'placed' ? outcome.orderId : '';
    await quiesced(t);

    const { oracle, inventory, products, summaries } = await oracleAndModels(t);
    expect(inventory.get('prod_abc')).toBe(48);
    expect(inventory.get('prod_xyz')).toBe(99);
    expect(summaries.get(orderId)).toMatchObject({
      customerId: 'cust_123',
      totalCents: 15075,
      items: [
        { productId: 'prod_abc', productName: 'Gadget Pro', quantity: 2 },
        { productId: 'prod_xyz', productName: 'Widget Mini', quantity: 1 },
      ],
    });
    expect(inventory).toEqual(oracle.inventory);
    expect(products).toEqual(oracle.products);
    expect(summaries).toEqual(oracle.summaries);
  });

  it('writes the order to the normalized tables and the outbox in one transaction, then marks it sent', async () => {
    const outcome = await placeOrder(t.system, order('cust_9', [['prod_xyz', 3]]));
    if (outcome.kind !== 'placed') throw new Error(`expected placed, got ${outcome.kind}`);
    const db = t.system.orderStore.db;
    expect(
      db.prepare('SELECT customer_id, status, total_cents FROM orders WHERE order_id = ?').get(outcome.orderId),
    ).toEqual({
      customer_id: 'cust_9',
      status: 'placed',
      total_cents: 7725,
    });
    expect(
      db
        .prepare('SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = ?')
        .all(outcome.orderId),
    ).toEqual([{ product_id: 'prod_xyz', quantity: 3, unit_price_cents: 2575 }]);
    await eventually(() => t.system.orderStore.outbox.backlog() === 0, { what: 'outbox row sent' });
  });

  it('rejects an order the inventory view cannot cover with an OrderRejected event and no stock change', async () => {
    await quiesced(t);
    const before = (await oracleAndModels(t)).inventory.get('prod_abc');
    const outcome = await placeOrder(t.system, order('cust_5', [['prod_abc', 1_000]]));
    expect(outcome).toMatchObject({
      kind: 'rejected',
      shortages: [{ productId: 'prod_abc', requested: 1_000, available: before }],
    });
    await quiesced(t);
    const after = await oracleAndModels(t);
    expect(after.inventory.get('prod_abc')).toBe(before);
    expect(after.inventory).toEqual(after.oracle.inventory);
  });

  it('publishes InventoryUpdated for each product an order changed, with the resulting quantity', async () => {
    await quiesced(t);
    const { readEventLog } = await import('../../src/scenarios/eventLog.js');
    const log = await readEventLog(t.transport);
    const updates = log.entries.filter((e) => e.envelope.data.type === 'InventoryUpdated').map((e) => e.envelope.data);
    expect(updates).toContainEqual(expect.objectContaining({ productId: 'prod_abc', availableQuantity: 48 }));
    expect(updates).toContainEqual(expect.objectContaining({ productId: 'prod_xyz', availableQuantity: 99 }));
    // deduplicated: one InventoryUpdated per (source event, product)
    const keys = updates.map((u) => (u.type === 'InventoryUpdated' ? `${u.sourceEventId}/${u.productId}` : ''));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
