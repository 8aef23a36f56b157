import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createActor, type ActorRefFrom } from 'xstate';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import type { ReadModelName } from '../domain/readModels.js';
import { DEFAULT_RESERVATION_TIMINGS, type ReservationTimings } from '../domain/reservations.js';
import { reloadedPlugin } from '../plugins/loadProjectionPlugin.js';
import { resolveView, type ProjectionPlugin, type ProjectionPlugins } from '../plugins/projectionPlugin.js';
import { SelfManagedStore } from '../store/selfManagedStore.js';
import { availabilityFromPlugin, lazyLookup, productLookupFromPlugin } from './pluginWiring.js';
import { InventoryStore } from '../store/inventoryStore.js';
import { OrderStore } from '../store/orderStore.js';
import { ProjectionStore, type ProjectionApplier } from '../store/projectionStore.js';
import type { ProjectionView } from '../store/projectionView.js';
import { openDatabase, type Db } from '../store/sqlite.js';
import { customerOrderSummaryView, type SummaryViewOptions } from '../store/views/customerOrderSummaryView.js';
import { productInventoryView } from '../store/views/productInventoryView.js';
import { productLookupFrom } from '../store/views/productLookup.js';
import { productsView } from '../store/views/productsView.js';
import { killableConnection } from '../transport/killableConnection.js';
import type { Transport } from '../transport/port.js';
import { heldFor, isoNow, realClock, sleep, type Clock } from '../actors/clock.js';
import { DEFAULT_CONSUMER_SETTINGS, type ConsumerSettings } from '../actors/consumerSettings.js';
import { inventoryServiceMachine } from '../actors/inventoryService.js';
import { orderServiceMachine } from '../actors/orderService.js';
import { outboxRelayMachine } from '../actors/outboxRelay.js';
import type { OrderHooks } from '../actors/placeOrder.js';
import { projectionConsumerMachine } from '../actors/projectionConsumer.js';
import type { PullHooks } from '../actors/pullBatch.js';
import { reservationReconcilerMachine } from '../actors/reservationReconciler.js';


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
  readonly orderHooks?: OrderHooks;
  /** Reserve mode: how long stock is held before its order's fate is asked, and how often. */
  readonly reservations?: Partial<ReservationTimings>;
  /**
   * Users' own projections (src/plugins/): each replaces the built-in read model of its target. A plug-in for
   * product-inventory gets its own database file (the built-in view shares the inventory service's).
   */
  readonly plugins?: ProjectionPlugins;
}

export interface ReadModelRuntime {
  readonly name: ReadModelName;
  readonly db: Db;
  readonly store: ProjectionApplier;
  readonly consumer: ActorRefFrom<typeof projectionConsumerMachine>;
  /** The plug-in in place (as loaded by this process lifetime), if one replaces the built-in. */
  readonly plugin: ProjectionPlugin | undefined;
  /** Ends this consumer process's broker connection: nothing it still does (acks, naks, fetches) gets through. */
  readonly killConnection: () => void;
}

export interface RunningSystem {
  readonly options: SystemOptions;
  readonly orderStore: OrderStore;
  readonly inventoryStore: InventoryStore;
  readonly orderService: ActorRefFrom<typeof orderServiceMachine>;
  readonly inventoryService: ActorRefFrom<typeof inventoryServiceMachine>;
  readonly relays: { readonly orders: ActorRefFrom<typeof outboxRelayMachine>; readonly inventory: ActorRefFrom<typeof outboxRelayMachine> };
  /** Reserve mode only: settles held reservations with the order service. */
  readonly reconciler: ActorRefFrom<typeof reservationReconcilerMachine> | undefined;
  /** Each read model's current runtime; an entry is replaced when its process restarts (look it up, do not keep it). */
  readonly readModels: Readonly<Record<ReadModelName, ReadModelRuntime>>;
  /** A read-only connection per read model database, for the HTTP queries. */
  readonly queries: { readonly inventory: Db; readonly products: Db; readonly summary: Db };
  /**
   * The read model's consumer process dies: its actor stops where it is, an open transaction on its database rolls
   * back, and nothing it held in memory survives (state `down`). See reviveReadModel.
   */
  killReadModel(name: ReadModelName): void;
  /**
   * The dead consumer process comes back: a new actor, new store objects and, for a plug-in loaded from a file, a
   * fresh instance of its module. The database connection is kept (the data is what a real restart finds on disk);
   * one OS process per service is the multi-process topology's. A no-op for a live consumer.
   */
  reviveReadModel(name: ReadModelName): Promise<void>;
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
  // Each system starts as a fresh process would: a plug-in loaded from a file gets a fresh instance of its module,
  // so module-level state (an in-memory dedupe set) never carries over from an earlier run in the same process —
  // a run replayed alone from its scenario file is then the run the property suite judged.
  const plugins = await freshPlugins(options.plugins ?? {}, clock);
  const reader = (name: string, db: Db) => (options.dataDir === ':memory:' ? db : openDatabase(fileFor(options.dataDir, name), { readonly: true }));
  const extraDbs: Db[] = [];
  // The summary reads Products through its own read-only connection to that separate database. Built on first use:
  // Products (declared below) must have created its tables first.
  const products = lazyLookup(() =>
    plugins.products
      ? productLookupFromPlugin(plugins.products, productsReader, () => readModels.products.store.checkpoint())
      : productLookupFrom(productsReader),
  );
  const projection = (name: ReadModelName, db: Db, builtIn: () => ProjectionView, plugin: ProjectionPlugin | undefined = plugins[name]): ReadModelRuntime => {
    const hooks = options.consumerHooks?.(name);
    const maxDeliveries = settings.retry.maxDeliveries;
    let store: ProjectionApplier;
    if (plugin?.mode === 'self-managed') {
      store = new SelfManagedStore(db, plugin, { maxDeliveries, now, products, crashPoint: hooks?.crashPoint });
    } else {
      const view = plugin ? resolveView(plugin, { products }) : builtIn();
      store = new ProjectionStore(db, options.wrapView?.(name, view) ?? view, { maxDeliveries, now });
    }
    // Each consumer has a connection of its own, as a process would: a killed one sends nothing more.
    const connection = killableConnection(transport);
    const consumer = createActor(projectionConsumerMachine, {
      clock,
      input: { name, transport: connection.transport, store, settings, log: log.child({ actor: name }), ...(hooks ? { hooks } : {}) },
    });
    return { name, db, store, consumer, plugin, killConnection: () => connection.kill() };
  };
  const inventoryPlugin = plugins['product-inventory'];
  const inventoryPluginDb = inventoryPlugin ? openDatabase(fileFor(options.dataDir, 'product-inventory')) : undefined;
  if (inventoryPluginDb) extraDbs.push(inventoryPluginDb);
  const inventoryModel = projection('product-inventory', inventoryPluginDb ?? dbs.inventory, () => productInventoryView);
  const productsModel = projection('products', dbs.products, () => productsView);
  const productsReader = reader('products', dbs.products);
  const summaryModel = projection('customer-order-summary', dbs.summary, () => customerOrderSummaryView(products, options.summary));

  const orderStore = new OrderStore(dbs.orders);
  // With a plug-in for ProductInventory, the inventory service's check reads the plug-in's view of availability.
  const inventoryReader = inventoryPlugin && inventoryPluginDb ? reader('product-inventory', inventoryPluginDb) : undefined;
  if (inventoryReader && inventoryReader !== inventoryPluginDb) extraDbs.push(inventoryReader);
  const inventoryStore = new InventoryStore(dbs.inventory, inventoryPlugin && inventoryReader ? { viewAvailable: availabilityFromPlugin(inventoryPlugin, inventoryReader) } : {});
  const relays = {
    orders: createActor(outboxRelayMachine, { clock, input: { name: 'orders-outbox', outbox: orderStore.outbox, transport, log: log.child({ actor: 'orders-outbox' }), now } }),
    inventory: createActor(outboxRelayMachine, { clock, input: { name: 'inventory-outbox', outbox: inventoryStore.outbox, transport, log: log.child({ actor: 'inventory-outbox' }), now } }),
  };
  const orderService = createActor(orderServiceMachine, {
    clock,
    input: {
      store: orderStore, transport, log: log.child({ actor: 'order-service' }), maxInFlight: options.maxOrdersInFlight ?? 256,
      checkTimeoutMs: 2_000, inventoryMode: options.inventoryMode ?? 'check', newId, now, onCommitted: () => relays.orders.send({ type: 'NUDGE' }), hooks: options.orderHooks,
    },
  });
  const inventoryService = createActor(inventoryServiceMachine, {
    clock,
    input: {
      store: inventoryStore, transport, mode: options.inventoryMode ?? 'check', log: log.child({ actor: 'inventory-service' }),
      onCommitted: () => relays.inventory.send({ type: 'NUDGE' }), nowMs: () => clock.now(),
    },
  });
  const reconciler = options.inventoryMode === 'reserve'
    ? createActor(reservationReconcilerMachine, {
      clock,
      input: {
        ledger: inventoryStore.reservations, transport, clock, timings: { ...DEFAULT_RESERVATION_TIMINGS, ...options.reservations },
        requestTimeoutMs: 2_000, log: log.child({ actor: 'reservation-reconciler' }),
      },
    })
    : undefined;
  const readModels: Record<ReadModelName, ReadModelRuntime> = { 'product-inventory': inventoryModel, products: productsModel, 'customer-order-summary': summaryModel };
  const builtIns: Record<ReadModelName, () => ProjectionView> = {
    'product-inventory': () => productInventoryView,
    products: () => productsView,
    'customer-order-summary': () => customerOrderSummaryView(products, options.summary),
  };
  for (const m of Object.values(readModels)) m.consumer.start();
  relays.orders.start();
  relays.inventory.start();
  inventoryService.start();
  orderService.start();
  reconciler?.start();

  const queries = {
    inventory: options.dataDir === ':memory:' ? dbs.inventory : openDatabase(fileFor(options.dataDir, 'inventory'), { readonly: true }),
    products: productsReader,
    summary: options.dataDir === ':memory:' ? dbs.summary : openDatabase(fileFor(options.dataDir, 'customer-order-summary'), { readonly: true }),
  };
  let stopped = false;
  return {
    options, orderStore, inventoryStore, orderService, inventoryService, relays, reconciler, readModels, queries,
    killReadModel(name) {
      const dying = readModels[name];
      dying.killConnection();
      dying.consumer.stop();
      // What a dead process's open transaction comes to; and its rebuild must not touch the tables once it is gone.
      dying.store.abortRebuild();
      if (dying.db.inTransaction) dying.db.exec('ROLLBACK');
    },
    async reviveReadModel(name) {
      const dead = readModels[name];
      if (stopped || dead.consumer.getSnapshot().status !== 'stopped') return;
      const plugin = dead.plugin ? await heldFor(clock, reloadedPlugin(dead.plugin)) : undefined;
      if (stopped || readModels[name] !== dead) return;
      readModels[name] = projection(name, dead.db, builtIns[name], plugin);
      readModels[name].consumer.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      orderService.send({ type: 'STOP' });
      await waitFor(clock, () => orderService.getSnapshot().context.inFlight.size === 0, 5_000);
      // Let the relays hand over what is committed (bounded); anything left stays in the outbox for next start.
      await waitFor(clock, () => relays.orders.getSnapshot().context.backlog === 0 && relays.inventory.getSnapshot().context.backlog === 0, 3_000);
      reconciler?.stop();
      for (const actor of [orderService, inventoryService, relays.orders, relays.inventory, ...Object.values(readModels).map((m) => m.consumer)]) actor.stop();
      for (const db of new Set([...Object.values(queries), ...Object.values(dbs), ...extraDbs])) db.close();
    },
  };
}

async function freshPlugins(plugins: ProjectionPlugins, clock: Clock): Promise<ProjectionPlugins> {
  const fresh: Partial<Record<ReadModelName, ProjectionPlugin>> = {};
  for (const [name, plugin] of Object.entries(plugins) as [ReadModelName, ProjectionPlugin | undefined][]) {
    if (plugin) fresh[name] = await heldFor(clock, reloadedPlugin(plugin));
  }
  // reloadedPlugin checks each fresh instance's target against the name it was loaded for.
  return fresh as ProjectionPlugins;
}

async function waitFor(clock: Clock, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  while (!condition() && clock.now() < deadline) await sleep(clock, 20);
}
