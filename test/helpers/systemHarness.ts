/**
 * A whole running system for integration tests: a real nats-server (own temp store), the JetStream transport, the
 * actors and SQLite files in a temp directory. Plus the waits and reads tests need.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSystem, type RunningSystem, type SystemOptions } from '../../src/system/startSystem.js';
import type { AdjustStock, CatalogCommand, PlaceOrder } from '../../src/domain/commands.js';
import { foldLog, type ReferenceState } from '../../src/domain/projections/oracle.js';
import { silentLogger } from '../../src/log/logger.js';
import { readEventLog } from '../../src/scenarios/eventLog.js';
import { readInventoryModel, readProductsModel, readSummaryModel } from '../../src/store/readModelState.js';
import { connectJetStream } from '../../src/transport/jetstream/jetstreamTransport.js';
import type { Transport } from '../../src/transport/port.js';
import { startTestBroker, type TestBroker } from './natsHarness.js';
import { systemPort } from '../../src/system/systemPort.js';
import type { OrderServiceOutcome } from '../../src/actors/orderService.js';
import type { InventoryCommandOutcome } from '../../src/actors/inventoryService.js';

export interface TestSystem {
  readonly broker: TestBroker;
  readonly transport: Transport;
  readonly system: RunningSystem;
  readonly dataDir: string;
  /** Stops the system and transport but keeps broker and files (for restart tests). */
  stopSystem(): Promise<void>;
  stop(): Promise<void>;
}

export const ids = { newId: () => randomUUID(), now: () => new Date().toISOString() };

export async function startTestSystem(
  options: Partial<Omit<SystemOptions, 'transport' | 'log' | 'dataDir'>> = {},
  existing?: { broker: TestBroker; dataDir: string },
): Promise<TestSystem> {
  const broker = existing?.broker ?? (await startTestBroker());
  const dataDir = existing?.dataDir ?? (await mkdtemp(join(tmpdir(), 'cqrs-sys-')));
  const transport = await connectJetStream({ servers: broker.url, name: 'test' });
  const system = await startSystem({ transport, log: silentLogger(), dataDir, ...options });
  let systemStopped = false;
  const stopSystem = async () => {
    if (systemStopped) return;
    systemStopped = true;
    await system.stop();
    await transport.close();
  };
  return {
    broker,
    transport,
    system,
    dataDir,
    stopSystem,
    async stop() {
      await stopSystem();
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function addProduct(
  system: RunningSystem,
  productId: string,
  name: string,
  priceCents: number,
  stock: number,
): Promise<void> {
  const added = await inventoryCommand(system, { type: 'AddProduct', productId, name, priceCents });
  if (added.kind !== 'done') throw new Error(`add ${productId}: ${added.kind}`);
  if (stock === 0) return;
  const stocked = await inventoryCommand(system, {
    type: 'AdjustStock',
    productId,
    delta: stock,
    reason: 'test stock',
  });
  if (stocked.kind !== 'done') throw new Error(`stock ${productId}: ${stocked.kind}`);
}

export const order = (customerId: string, items: [string, number][]): PlaceOrder => ({
  type: 'PlaceOrder',
  customerId,
  shippingAddress: '1 Test Lane',
  items: items.map(([productId, quantity]) => ({ productId, quantity })),
});

/** Through the system's own command port, as HTTP and the workload driver go. */
export function placeOrder(system: RunningSystem, command: PlaceOrder): Promise<OrderServiceOutcome> {
  return systemPort(system, ids).placeOrder(command);
}

export function inventoryCommand(
  system: RunningSystem,
  command: CatalogCommand | AdjustStock,
): Promise<InventoryCommandOutcome> {
  return systemPort(system, ids).inventoryCommand(command);
}

/** The oracle (reference fold of the whole stream) and each live read model, for key-by-key comparison. */
export async function oracleAndModels(t: TestSystem): Promise<{
  oracle: ReferenceState;
  inventory: ReferenceState['inventory'];
  products: ReferenceState['products'];
  summaries: ReferenceState['summaries'];
}> {
  const log = await readEventLog(t.transport);
  return {
    oracle: foldLog(log.entries),
    inventory: readInventoryModel(t.system.readModels['product-inventory'].db).state,
    products: readProductsModel(t.system.readModels.products.db).state,
    summaries: readSummaryModel(t.system.readModels['customer-order-summary'].db).state,
  };
}
