import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createActor, type ActorRefFrom } from 'xstate';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import { InventoryStore } from '../store/inventoryStore.js';
import { OrderStore } from '../store/orderStore.js';
import { ProjectionStore } from '../store/projectionStore.js';
import type { ProjectionView } from '../store/projectionView.js';
import { openDatabase, type Db } from '../store/sqlite.js';
import { customerOrderSummaryView, type SummaryViewOptions } from '../store/views/customerOrderSummaryView.js';
import { productInventoryView } from '../store/views/productInventoryView.js';
import { productLookupFrom } from '../store/views/productLookup.js';
import { productsView } from '../store/views/productsView.js';
import type { Transport } from '../transport/port.js';
import { isoNow, realClock, sleep, type Clock } from './clock.js';
import { DEFAULT_CONSUMER_SETTINGS, type ConsumerSettings } from './consumerSettings.js';
import { inventoryServiceMachine } from './inventoryService.js';
import { orderServiceMachine } from './orderService.js';
import { outboxRelayMachine } from './outboxRelay.js';
import { projectionConsumerMachine } from './projectionConsumer.js';
import type { PullHooks } from './pullBatch.js';

/** The read models, by the names consumers, faults and reports use. */
export const READ_MODELS = ['product-inventory', 'products', 'customer-order-summary'] as const;
export type ReadModelName = (typeof READ_MODELS)[number];

export interface SystemOptions {
  readonly transport: Transport;
  readonly log: Logger;
  /** Directory of the SQLite files; `:memory:` keeps every store in memory (the simulation does). */
  readonly dataDir: string;
  readonly inventoryMode?: InventoryMode;
  readonly consumer?: Partial<ConsumerSettings>;
  readonly summary?: SummaryViewOptions;
  readonly maxOrdersInFlight?: number;
  readonly newId?: () => string;
  readonly now?: () => string;
  /** Time for every actor timer and wait; real by default, virtual on the simulation. */
  readonly clock?: Clock;
  /** Fault injection (the scenario runner): wrap a read model's view, or hook into its consumer's pulls. */
  readonly wrapView?: (name: ReadModelName, view: ProjectionView) => ProjectionView;
  readonly consumerHooks?: (name: ReadModelName) => PullHooks | undefined;
}

export interface ReadModelRuntime {
  readonly name: ReadModelName;
  readonly db: Db;
  readonly store: ProjectionStore;
  readonly consumer: ActorRefFrom<typeof projectionConsumerMachine>;
}

export interface RunningSystem {
  readonly options: SystemOptions;
  readonly orderStore: OrderStore;
  readonly inventoryStore: InventoryStore;
  readonly orderService: ActorRefFrom<typeof orderServiceMachine>;
  readonly inventoryService: ActorRefFrom<typeof inventoryServiceMachine>;
  readonly relays: { readonly orders: ActorRefFrom<typeof outboxRelayMachine>; readonly inventory: ActorRefFrom<typeof outboxRelayMachine> };
  readonly readModels: Readonly<Record<ReadModelName, ReadModelRuntime>>;
  /** A read-only connection per read model database, for the HTTP queries. */
  readonly queries: { readonly inventory: Db; readonly products: Db; readonly summary: Db };
  stop(): Promise<void>;
}

const fileFor = (dataDir: string, name: string) => (dataDir === ':memory:' ? ':memory:' : join(dataDir, `${name}.db`));

/**
 * The composition root: opens the stores (one SQLite file per service or read model), provisions the stream and
 * starts every actor. Everything is passed in (transport, clock, ids), so the same wiring runs on real NATS and,
 * later, on the simulation.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { transport, log } = options;
  if (options.dataDir !== ':memory:') mkdirSync(options.dataDir, { recursive: true });
  const clock = options.clock ?? realClock;
  const settings: ConsumerSettings = { ...DEFAULT_CONSUMER_SETTINGS, ...options.consumer, clock };
  const newId = options.newId ?? (() => randomUUID());
  const now = options.now ?? isoNow(clock);
  await transport.provisionStream();

  const dbs = {
    orders: openDatabase(fileFor(options.dataDir, 'orders')),
    inventory: openDatabase(fileFor(options.dataDir, 'inventory')),
    products: openDatabase(fileFor(options.dataDir, 'products')),
    summary: openDatabase(fileFor(options.dataDir, 'customer-order-summary')),
  };
  const projection = (name: ReadModelName, db: Db, view: ProjectionView) => {
    const store = new ProjectionStore(db, options.wrapView?.(name, view) ?? view, { maxDeliveries: settings.retry.maxDeliveries, now });
    const hooks = options.consumerHooks?.(name);
    const consumer = createActor(projectionConsumerMachine, {
      clock,
      input: { name, transport, store, settings, log: log.child({ actor: name }), ...(hooks ? { hooks } : {}) },
    });
    return { name, db, store, consumer };
  };
  const inventoryModel = projection('product-inventory', dbs.inventory, productInventoryView);
  const productsModel = projection('products', dbs.products, productsView);
  // The summary reads Products through its own read-only connection to that separate database.
  const productsReader = options.dataDir === ':memory:' ? dbs.products : openDatabase(fileFor(options.dataDir, 'products'), { readonly: true });
  const summaryModel = projection('customer-order-summary', dbs.summary, customerOrderSummaryView(productLookupFrom(productsReader), options.summary));

  const orderStore = new OrderStore(dbs.orders);
  const inventoryStore = new InventoryStore(dbs.inventory);
  const relays = {
    orders: createActor(outboxRelayMachine, { clock, input: { name: 'orders-outbox', outbox: orderStore.outbox, transport, log: log.child({ actor: 'orders-outbox' }), now } }),
    inventory: createActor(outboxRelayMachine, { clock, input: { name: 'inventory-outbox', outbox: inventoryStore.outbox, transport, log: log.child({ actor: 'inventory-outbox' }), now } }),
  };
  const orderService = createActor(orderServiceMachine, {
    clock,
    input: {
      store: orderStore, transport, log: log.child({ actor: 'order-service' }), maxInFlight: options.maxOrdersInFlight ?? 256,
      checkTimeoutMs: 2_000, inventoryMode: options.inventoryMode ?? 'check', newId, now, onCommitted: () => relays.orders.send({ type: 'NUDGE' }),
    },
  });
  const inventoryService = createActor(inventoryServiceMachine, {
    clock,
    input: {
      store: inventoryStore, transport, mode: options.inventoryMode ?? 'check', log: log.child({ actor: 'inventory-service' }),
      onCommitted: () => relays.inventory.send({ type: 'NUDGE' }),
    },
  });
  const readModels = { 'product-inventory': inventoryModel, products: productsModel, 'customer-order-summary': summaryModel };
  for (const m of Object.values(readModels)) m.consumer.start();
  relays.orders.start();
  relays.inventory.start();
  inventoryService.start();
  orderService.start();

  const queries = {
    inventory: options.dataDir === ':memory:' ? dbs.inventory : openDatabase(fileFor(options.dataDir, 'inventory'), { readonly: true }),
    products: productsReader,
    summary: options.dataDir === ':memory:' ? dbs.summary : openDatabase(fileFor(options.dataDir, 'customer-order-summary'), { readonly: true }),
  };
  let stopped = false;
  return {
    options, orderStore, inventoryStore, orderService, inventoryService, relays, readModels, queries,
    async stop() {
      if (stopped) return;
      stopped = true;
      orderService.send({ type: 'STOP' });
      await waitFor(clock, () => orderService.getSnapshot().context.inFlight.size === 0, 5_000);
      // Let the relays hand over what is committed (bounded); anything left stays in the outbox for next start.
      await waitFor(clock, () => relays.orders.getSnapshot().context.backlog === 0 && relays.inventory.getSnapshot().context.backlog === 0, 3_000);
      for (const actor of [orderService, inventoryService, relays.orders, relays.inventory, ...Object.values(readModels).map((m) => m.consumer)]) actor.stop();
      for (const db of new Set([...Object.values(queries), ...Object.values(dbs)])) db.close();
    },
  };
}

async function waitFor(clock: Clock, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  while (!condition() && clock.now() < deadline) await sleep(clock, 20);
}
