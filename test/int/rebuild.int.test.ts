import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdjustStock, CatalogCommand } from '../../src/domain/commands.js';
import { readEventLog } from '../../src/scenarios/eventLog.js';
import { readInventoryModel, readProductsModel, readSummaryModel } from '../../src/store/readModelState.js';
import type { ReadModelRuntime } from '../../src/system/readModelRuntime.js';
import { eventually } from '../helpers/eventually.js';
import { quiesced } from '../helpers/quiescence.js';
import {
  addProduct,
  inventoryCommand,
  oracleAndModels,
  order,
  placeOrder,
  startTestSystem,
  type TestSystem,
} from '../helpers/systemHarness.js';

const PRODUCTS = ['p1', 'p2', 'p3', 'p4'] as const;

/** Every row of every table of a read model, in primary-key order: the rebuild must reproduce them exactly. */
function dumpTables(m: ReadModelRuntime): Record<string, unknown[]> {
  return Object.fromEntries(
    m.store.view.tables.map((table) => [table, m.db.prepare(`SELECT * FROM "${table}" ORDER BY 1, 2`).all()]),
  );
}

function snapshotModels(t: TestSystem) {
  const m = t.system.readModels;
  return {
    inventory: readInventoryModel(m['product-inventory'].db),
    products: readProductsModel(m.products.db),
    summaries: readSummaryModel(m['customer-order-summary'].db),
    tables: Object.values(m).map(dumpTables),
  };
}

/** One InventoryUpdated per (OrderPlaced or StockAdjusted, product), and no other. */
async function inventoryUpdatesPerSource(t: TestSystem): Promise<{ expected: string[]; published: string[] }> {
  const log = await readEventLog(t.transport);
  const expected: string[] = [];
  const published: string[] = [];
  for (const { envelope } of log.entries) {
    const e = envelope.data;
    if (e.type === 'OrderPlaced') for (const l of e.items) expected.push(`${envelope.eventId}/${l.productId}`);
    if (e.type === 'StockAdjusted') expected.push(`${envelope.eventId}/${e.productId}`);
    if (e.type === 'InventoryUpdated') published.push(`${e.sourceEventId}/${e.productId}`);
  }
  return { expected: expected.sort(), published: published.sort() };
}

describe('a rebuild equals the incrementally built view (real nats-server, real SQLite files)', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
    for (const [i, p] of PRODUCTS.entries()) await addProduct(t.system, p, `Product ${i}`, 1_000 + 250 * i, 10_000);
    await quiesced(t); // the inventory check reads the ProductInventory view: let it see the stock first
  });
  afterAll(async () => t?.stop());

  async function catalog(command: CatalogCommand | AdjustStock): Promise<void> {
    const outcome = await inventoryCommand(t.system, command);
    expect(outcome.kind).toBe('done');
  }

  async function placeMany(n: number, tag: string): Promise<string[]> {
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        placeOrder(
          t.system,
          order(`cust_${tag}_${i % 5}`, [
            [PRODUCTS[i % 4] ?? 'p1', 1 + (i % 3)],
            [PRODUCTS[(i + 1) % 4] ?? 'p2', 1],
          ]),
        ),
      ),
    );
    return outcomes.map((o) => (o.kind === 'placed' ? o.orderId : `not placed: ${o.kind}`));
  }

  /** Sends REBUILD to every consumer and waits until each is idle again with one more rebuild counted. */
  async function rebuildAll(models: readonly ReadModelRuntime[], during?: () => Promise<void>): Promise<void> {
    const before = models.map((m) => m.consumer.getSnapshot().context.rebuilds);
    for (const m of models) m.consumer.send({ type: 'REBUILD' });
    expect(models.map((m) => m.consumer.getSnapshot().value)).toEqual(models.map(() => 'rebuilding'));
    await during?.();
    await eventually(
      () =>
        models.every(
          (m, i) =>
            m.consumer.getSnapshot().context.rebuilds === (before[i] ?? 0) + 1 &&
            m.consumer.getSnapshot().matches({ pulling: 'idle' }),
        ),
      { what: 'every consumer rebuilt and idle again' },
    );
  }

  it('rebuilding every read model after orders, renames and reprices reproduces each table row for row', async () => {
    for (let round = 0; round < 4; round++) {
      const placed = await placeMany(9, `r${round}`);
      expect(placed.filter((id) => id.startsWith('ord_'))).toHaveLength(9);
      await catalog({ type: 'RenameProduct', productId: PRODUCTS[round] ?? 'p1', name: `Renamed ${round}` });
      await catalog({
        type: 'RepriceProduct',
        productId: PRODUCTS[(round + 1) % 4] ?? 'p2',
        priceCents: 1_999 + round,
      });
      await catalog({
        type: 'AdjustStock',
        productId: PRODUCTS[(round + 2) % 4] ?? 'p3',
        delta: 50,
        reason: 'restock',
      });
    }
    await quiesced(t);
    const before = snapshotModels(t);
    const { lastSeq } = await t.transport.streamInfo();
    expect(before.summaries.state.size).toBe(36);
    expect(before.inventory.checkpoint).toBe(lastSeq);

    const models = Object.values(t.system.readModels);
    await rebuildAll(models);

    const after = snapshotModels(t);
    expect(after).toEqual(before);
    const { oracle } = await oracleAndModels(t);
    expect(after.inventory.state).toEqual(oracle.inventory);
    expect(after.products.state).toEqual(oracle.products);
    expect(after.summaries.state).toEqual(oracle.summaries);
    // An up-to-date ProductInventory announces nothing again when rebuilt.
    expect((await t.transport.streamInfo()).lastSeq).toBe(lastSeq);
    for (const m of models) expect(m.consumer.getSnapshot().context.lastProblem).toBeUndefined();
  });

  it('orders placed during and after a rebuild still reach every read model', async () => {
    const models = Object.values(t.system.readModels);
    let during: string[] = [];
    await rebuildAll(models, async () => {
      during = await placeMany(12, 'during');
    });
    const after = await placeMany(6, 'after');
    await catalog({ type: 'RenameProduct', productId: 'p1', name: 'Renamed after rebuild' });
    await quiesced(t);

    const { oracle, inventory, products, summaries } = await oracleAndModels(t);
    for (const id of [...during, ...after]) expect(summaries.has(id), id).toBe(true);
    expect(inventory).toEqual(oracle.inventory);
    expect(products).toEqual(oracle.products);
    expect(summaries).toEqual(oracle.summaries);
    expect(products.get('p1')?.name).toBe('Renamed after rebuild');
    // Whichever path applied an order (the rebuild or the live consumer after it), it was announced exactly once.
    const { expected, published } = await inventoryUpdatesPerSource(t);
    expect(published).toEqual(expected);
  });

  it('a rebuild interrupted by STOP and requested again completes, and the interrupted one leaves no trace', async () => {
    await quiesced(t);
    const models = Object.values(t.system.readModels);
    const before = snapshotModels(t);
    const rebuilds = models.map((m) => m.consumer.getSnapshot().context.rebuilds);
    for (const m of models) {
      m.consumer.send({ type: 'REBUILD' }); // starts replaying the log...
      m.consumer.send({ type: 'STOP' }); // ...is interrupted while its first read is out...
      m.consumer.send({ type: 'REBUILD' }); // ...and requested again
    }
    await eventually(
      () =>
        models.every(
          (m, i) =>
            m.consumer.getSnapshot().matches('failed') ||
            (m.consumer.getSnapshot().context.rebuilds === (rebuilds[i] ?? 0) + 1 &&
              m.consumer.getSnapshot().matches({ pulling: 'idle' })),
        ),
      { what: 'every consumer rebuilt (or failed)' },
    );
    expect(models.map((m) => [m.name, m.consumer.getSnapshot().context.lastProblem])).toEqual(
      models.map((m) => [m.name, undefined]),
    );
    expect(snapshotModels(t)).toEqual(before);
    // The aborted rebuild did not leave its tables behind either.
    for (const m of models) {
      const leftovers = m.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%__rebuild'")
        .pluck()
        .all();
      expect(leftovers, m.name).toEqual([]);
    }
  });

  it('a rebuild of a lagging ProductInventory still announces InventoryUpdated for the orders only the rebuild applied', async () => {
    const inventoryModel = t.system.readModels['product-inventory'];
    await quiesced(t);
    inventoryModel.consumer.send({ type: 'STOP' });
    const lagging = await placeMany(5, 'lagging');
    expect(lagging.filter((id) => id.startsWith('ord_'))).toHaveLength(5);
    await eventually(() => t.system.orderStore.outbox.backlog() === 0, {
      what: 'the lagging orders are in the stream',
    });

    await rebuildAll([inventoryModel]);
    await quiesced(t);

    const { oracle, inventory } = await oracleAndModels(t);
    expect(inventory).toEqual(oracle.inventory);
    const { expected, published } = await inventoryUpdatesPerSource(t);
    expect(published).toEqual(expected);
  });
});
