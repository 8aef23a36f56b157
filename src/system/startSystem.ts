import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { heldFor, isoNow, realClock, sleep, type Clock } from '../actors/clock.js';
import { DEFAULT_CONSUMER_SETTINGS, type ConsumerSettings } from '../actors/consumerSettings.js';
import type { OrderHooks } from '../actors/placeOrder.js';
import type { PullHooks } from '../actors/pullBatch.js';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import type { ReadModelName } from '../domain/readModels.js';
import type { ReservationTimings } from '../domain/reservations.js';
import { reloadedPlugin } from '../plugins/loadProjectionPlugin.js';
import type { ProjectionPlugin, ProjectionPlugins } from '../plugins/projectionPlugin.js';
import { InventoryStore } from '../store/inventoryStore.js';
import { OrderStore } from '../store/orderStore.js';
import type { ProjectionView } from '../store/projectionView.js';
import type { SelfManagedHandler } from '../store/selfManagedProjection.js';
import type { Db } from '../store/sqlite.js';
import type { SummaryViewOptions } from '../store/views/customerOrderSummaryView.js';
import { productLookupFrom } from '../store/views/productLookup.js';
import type { Transport } from '../transport/port.js';
import { DataDir } from './dataDir.js';
import { availabilityFromPlugin, lazyLookup, productLookupFromPlugin } from './pluginWiring.js';
import { readModelRuntime, type ReadModelRuntime, type ReadModelWiring } from './readModelRuntime.js';
import { DEFAULT_MAX_ORDERS_IN_FLIGHT, serviceActors, type ServiceActors } from './serviceActors.js';

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
  /** The same for a self-managed plug-in's handler. */
  readonly wrapHandler?: (name: ReadModelName, handler: SelfManagedHandler) => SelfManagedHandler;
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

export interface RunningSystem extends ServiceActors {
  readonly options: SystemOptions;
  readonly orderStore: OrderStore;
  readonly inventoryStore: InventoryStore;
  /** Each read model's current runtime; an entry is replaced when its process restarts (look it up, do not keep it). */
  readonly readModels: Readonly<Record<ReadModelName, ReadModelRuntime>>;
  /** A read-only connection per read model database (a plug-in's, where one is in place), for the HTTP queries. */
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

/** Bounds on a graceful stop: orders between check and commit finish, then the relays hand over what is committed. */
const STOP_ORDERS_WAIT_MS = 5_000;
const STOP_RELAYS_WAIT_MS = 3_000;

/**
 * The composition root: opens the stores (one SQLite database per service or read model), provisions the stream
 * and starts every actor. Everything is passed in (transport, clock, ids, data directory), so the same wiring runs
 * on real NATS with files and on the simulation in memory.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const { transport, log } = options;
  const data = new DataDir(options.dataDir);
  const clock = options.clock ?? realClock;
  const settings: ConsumerSettings = { ...DEFAULT_CONSUMER_SETTINGS, ...options.consumer, clock };
  const now = options.now ?? isoNow(clock);
  await transport.provisionStream();

  const dbs = {
    orders: data.open('orders'),
    inventory: data.open('inventory'),
    products: data.open('products'),
    summary: data.open('customer-order-summary'),
  };
  // Each system starts as a fresh process would: a plug-in loaded from a file gets a fresh instance of its module,
  // so module-level state (an in-memory dedupe set) never carries over from an earlier run in the same process —
  // a run replayed alone from its scenario file is then the run the property suite judged.
  const plugins = await freshPlugins(options.plugins ?? {}, clock);
  const base = { transport, clock, settings, log, now, summary: options.summary };
  const hooks = { wrapView: options.wrapView, wrapHandler: options.wrapHandler, consumerHooks: options.consumerHooks };
  const { readModels, wiring, productsReader, inventoryPluginDb } = readModelsOf(data, dbs, plugins, {
    ...base,
    ...hooks,
  });
  const inventoryPlugin = plugins['product-inventory'];

  const orderStore = new OrderStore(dbs.orders);
  // With a plug-in for ProductInventory, the inventory service's check reads the plug-in's view of availability.
  const inventoryReader =
    inventoryPlugin && inventoryPluginDb ? data.reader('product-inventory', inventoryPluginDb) : undefined;
  const inventoryStore = new InventoryStore(
    dbs.inventory,
    inventoryPlugin && inventoryReader
      ? { viewAvailable: availabilityFromPlugin(inventoryPlugin, inventoryReader) }
      : {},
  );
  const services = serviceActors({
    orderStore,
    inventoryStore,
    transport,
    clock,
    log,
    now,
    newId: options.newId ?? (() => randomUUID()),
    inventoryMode: options.inventoryMode ?? 'check',
    maxOrdersInFlight: options.maxOrdersInFlight ?? DEFAULT_MAX_ORDERS_IN_FLIGHT,
    orderHooks: options.orderHooks,
    reservations: options.reservations,
  });
  for (const m of Object.values(readModels)) m.consumer.start();
  services.relays.orders.start();
  services.relays.inventory.start();
  services.inventoryService.start();
  services.orderService.start();
  services.reconciler?.start();

  // Each query connection reads the database its read model lives in: a ProductInventory plug-in's own, if one.
  const queries = {
    inventory: inventoryReader ?? data.reader('inventory', dbs.inventory),
    products: productsReader,
    summary: data.reader('customer-order-summary', dbs.summary),
  };
  return runningSystem({ options, data, clock, orderStore, inventoryStore, services, readModels, queries, wiring });
}

type SystemDbs = Readonly<Record<'orders' | 'inventory' | 'products' | 'summary', Db>>;

/** Every read model's runtime (not started yet), on the built-in view or the plug-in in place, and the wiring they share. */
function readModelsOf(
  data: DataDir,
  dbs: SystemDbs,
  plugins: ProjectionPlugins,
  base: Omit<ReadModelWiring, 'products'>,
) {
  // The summary reads Products through its own read-only connection to that separate database. Built on first use:
  // Products (declared below) must have created its tables first.
  const products = lazyLookup(() =>
    plugins.products
      ? productLookupFromPlugin(plugins.products, productsReader, () => readModels.products.store.checkpoint())
      : productLookupFrom(productsReader),
  );
  const wiring: ReadModelWiring = { ...base, products };
  // A plug-in for ProductInventory gets a database of its own (the built-in view shares the inventory service's).
  const inventoryPlugin = plugins['product-inventory'];
  const inventoryPluginDb = inventoryPlugin ? data.open('product-inventory') : undefined;
  const inventoryDb = inventoryPluginDb ?? dbs.inventory;
  const inventoryModel = readModelRuntime('product-inventory', inventoryDb, inventoryPlugin, wiring);
  const productsModel = readModelRuntime('products', dbs.products, plugins.products, wiring);
  const productsReader = data.reader('products', dbs.products);
  const summaryPlugin = plugins['customer-order-summary'];
  const summaryModel = readModelRuntime('customer-order-summary', dbs.summary, summaryPlugin, wiring);
  const readModels: Record<ReadModelName, ReadModelRuntime> = {
    'product-inventory': inventoryModel,
    products: productsModel,
    'customer-order-summary': summaryModel,
  };
  return { readModels, wiring, productsReader, inventoryPluginDb };
}

/** The running system's handle: its parts, and the life and death of its read model processes. */
function runningSystem(parts: {
  readonly options: SystemOptions;
  readonly data: DataDir;
  readonly clock: Clock;
  readonly orderStore: OrderStore;
  readonly inventoryStore: InventoryStore;
  readonly services: ServiceActors;
  readonly readModels: Record<ReadModelName, ReadModelRuntime>;
  readonly queries: RunningSystem['queries'];
  readonly wiring: ReadModelWiring;
}): RunningSystem {
  const { clock, readModels, services } = parts;
  const { orderService, relays } = services;
  let stopped = false;
  return {
    options: parts.options,
    orderStore: parts.orderStore,
    inventoryStore: parts.inventoryStore,
    ...services,
    readModels,
    queries: parts.queries,
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
      readModels[name] = readModelRuntime(name, dead.db, plugin, parts.wiring);
      readModels[name].consumer.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      orderService.send({ type: 'STOP' });
      await waitFor(clock, () => orderService.getSnapshot().context.inFlight.size === 0, STOP_ORDERS_WAIT_MS);
      // Let the relays hand over what is committed (bounded); anything left stays in the outbox for next start.
      await waitFor(
        clock,
        () => relays.orders.getSnapshot().context.backlog === 0 && relays.inventory.getSnapshot().context.backlog === 0,
        STOP_RELAYS_WAIT_MS,
      );
      services.reconciler?.stop();
      for (const actor of [
        orderService,
        services.inventoryService,
        relays.orders,
        relays.inventory,
        ...Object.values(readModels).map((m) => m.consumer),
      ])
        actor.stop();
      parts.data.closeAll();
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
