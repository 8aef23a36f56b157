/**
 * The multi-process topology's parts: what each service process runs, built from the same stores, machines and
 * views as the single-process system (src/system/startSystem.ts), and the verbs of the system's port it answers
 * over NATS. Every process owns its SQLite files; they meet only on the broker — commands and queries by
 * request/reply (portOverNats.ts), events on the stream. One exception, said where it is: the summary reads product
 * names from the Products database file (read-only), so those two run on one machine.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SnapshotFrom } from 'xstate';
import { isoNow, realClock, sleep } from '../actors/clock.js';
import { consumerState } from '../actors/consumerStatus.js';
import { DEFAULT_CONSUMER_SETTINGS, type ConsumerSettings } from '../actors/consumerSettings.js';
import type { orderServiceMachine } from '../actors/orderService.js';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import { InventoryStore } from '../store/inventoryStore.js';
import { OrderStore } from '../store/orderStore.js';
import { inventoryOf, listProducts, ordersOfCustomer, productOf } from '../store/queries.js';
import { openDatabase } from '../store/sqlite.js';
import { productLookupFrom, type ProductLookup } from '../store/views/productLookup.js';
import type { Service, Transport } from '../transport/port.js';
import { DataDir } from '../system/dataDir.js';
import { lazyLookup } from '../system/pluginWiring.js';
import { servePortOverNats, type PortVerb } from '../system/portOverNats.js';
import { readModelRuntime, type ReadModelRuntime, type ReadModelWiring } from '../system/readModelRuntime.js';
import { DEFAULT_MAX_ORDERS_IN_FLIGHT, inventorySideActors, orderSideActors } from '../system/serviceActors.js';
import { seedCatalog } from '../system/seedCatalog.js';
import type { SystemPort } from '../system/systemPort.js';
import type { ConsumerView } from '../scenarios/systemView.js';
import { SelfKill, serveStatusAndControl } from './serviceControl.js';

type OrderServiceSnapshot = SnapshotFrom<typeof orderServiceMachine>;

/** The service processes, in the order a supervisor starts them (Products before the summary that reads it). */
export const SERVICE_KINDS = ['inventory', 'orders', 'products', 'summary'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export interface ServiceProcessOptions {
  readonly transport: Transport;
  readonly dataDir: string;
  readonly log: Logger;
  readonly inventoryMode: InventoryMode;
  /** The inventory process adds the starting catalogue (idempotent) once it answers. */
  readonly seedCatalog?: boolean;
  /** The consumers' settings (ack wait, batch size, retries) where not the defaults: a scenario's. */
  readonly consumer?: Partial<Omit<ConsumerSettings, 'clock'>>;
}

export interface RunningService {
  /** What the process says once ready, after its kind (the inventory process: how many products it seeded). */
  readonly detail?: string;
  stop(): Promise<void>;
}

/** How long the summary waits for the Products database to exist (its process starts just before). */
const PRODUCTS_DB_WAIT_MS = 30_000;

/** An XState actor, as far as starting and stopping it goes. */
type Runnable = { start(): unknown; stop(): unknown };

/** Starts one service process's part. Resolves once it answers its verbs. */
export async function startServiceProcess(kind: ServiceKind, o: ServiceProcessOptions): Promise<RunningService> {
  const data = new DataDir(o.dataDir);
  const ids = { newId: () => crypto.randomUUID(), now: isoNow(realClock) };
  const common = { transport: o.transport, clock: realClock, log: o.log, now: ids.now };
  const selfKill = new SelfKill();
  const settings: ConsumerSettings = { ...DEFAULT_CONSUMER_SETTINGS, ...o.consumer, clock: realClock };
  const wiring = (products: ProductLookup): ReadModelWiring => ({
    ...common,
    settings,
    products,
    consumerHooks: () => selfKill.pullHooks,
  });
  // Every process answers status requests and takes armed kills (serviceControl.ts).
  const control = (models: readonly ReadModelRuntime[], orderService?: { getSnapshot(): OrderServiceSnapshot }) =>
    serveStatusAndControl(
      o.transport,
      kind,
      () => ({
        consumers: Object.fromEntries(models.map((m) => [m.name, consumerView(m)])),
        ...(orderService ? { ordersInFlight: orderService.getSnapshot().context.inFlight.size } : {}),
      }),
      selfKill,
    );
  await o.transport.provisionStream();
  switch (kind) {
    case 'orders': {
      const orderStore = new OrderStore(data.open('orders'));
      const { orderService, relay } = orderSideActors({
        ...common,
        orderStore,
        newId: ids.newId,
        inventoryMode: o.inventoryMode,
        maxOrdersInFlight: DEFAULT_MAX_ORDERS_IN_FLIGHT,
        orderHooks: selfKill.orderHooks,
      });
      const port: Partial<SystemPort> = {
        placeOrder: (command) =>
          new Promise((resolve) => orderService.send({ type: 'PLACE_ORDER', command, reply: resolve })),
      };
      const services = [...servePortOverNats(o.transport, port, ['placeOrder']), ...control([], orderService)];
      return running(data, [relay, orderService], [], services);
    }
    case 'inventory': {
      // The ProductInventory view lives in the inventory service's database, as in the article: its consumer runs here.
      const db = data.open('inventory');
      const inventoryStore = new InventoryStore(db);
      const side = inventorySideActors({ ...common, inventoryStore, inventoryMode: o.inventoryMode });
      const view = readModelRuntime('product-inventory', db, undefined, wiring(unusedLookup));
      const reader = data.reader('inventory', db);
      const port: Pick<SystemPort, 'inventoryCommand' | 'inventoryOf'> = {
        inventoryCommand: (command) =>
          new Promise((resolve) =>
            side.inventoryService.send({
              type: 'COMMAND',
              command,
              meta: { commandId: `cmd_${ids.newId()}`, now: ids.now(), newId: ids.newId },
              reply: resolve,
            }),
          ),
        inventoryOf: (productId) => Promise.resolve(inventoryOf(reader, productId)),
      };
      const actors = [side.relay, side.inventoryService, ...(side.reconciler ? [side.reconciler] : [])];
      const verbs: PortVerb[] = ['inventoryCommand', 'inventoryOf'];
      const service = running(
        data,
        actors,
        [view],
        [...servePortOverNats(o.transport, port, verbs), ...control([view])],
      );
      if (!o.seedCatalog) return service;
      const seeded = await seedCatalog((productId) => inventoryStore.everAdjusted(productId), port);
      return { ...service, detail: `seeded ${seeded}` };
    }
    case 'products': {
      const db = data.open('products');
      const model = readModelRuntime('products', db, undefined, wiring(unusedLookup));
      const reader = data.reader('products', db);
      const port: Partial<SystemPort> = {
        productOf: (productId) => Promise.resolve(productOf(reader, productId)),
        listProducts: () => Promise.resolve(listProducts(reader)),
      };
      const services = [...servePortOverNats(o.transport, port, ['productOf', 'listProducts']), ...control([model])];
      return running(data, [], [model], services);
    }
    case 'summary': {
      const productsFile = join(o.dataDir, 'products.db');
      for (const until = Date.now() + PRODUCTS_DB_WAIT_MS; !existsSync(productsFile);) {
        if (Date.now() > until) throw new Error(`the Products database did not appear at ${productsFile}`);
        await sleep(realClock, 100);
      }
      const products = lazyLookup(() => productLookupFrom(openDatabase(productsFile, { readonly: true })));
      const db = data.open('customer-order-summary');
      const model = readModelRuntime('customer-order-summary', db, undefined, wiring(products));
      const reader = data.reader('customer-order-summary', db);
      const port: Partial<SystemPort> = {
        ordersOfCustomer: (customerId) => Promise.resolve(ordersOfCustomer(reader, customerId)),
      };
      const services = [...servePortOverNats(o.transport, port, ['ordersOfCustomer']), ...control([model])];
      return running(data, [], [model], services);
    }
  }
}

/** Only the summary reads Products; the other views are never handed a look-up they would use. */
const unusedLookup: ProductLookup = {
  snapshot: () => {
    throw new Error('this read model does not read Products');
  },
};

/** What the status tells of a consumer: its state, last problem and counters, as the runner's view has them. */
function consumerView(model: ReadModelRuntime): ConsumerView {
  const snapshot = model.consumer.getSnapshot();
  return {
    state: consumerState(snapshot),
    lastProblem: snapshot.context.lastProblem ?? null,
    redeliveries: snapshot.context.counters.redeliveries,
    rebuilds: snapshot.context.rebuilds,
  };
}

/** Starts the actors and consumers; `stop` stops answering first, then the consumers and actors, then the files. */
function running(
  data: DataDir,
  actors: readonly Runnable[],
  models: readonly ReadModelRuntime[],
  services: readonly Service[],
): RunningService {
  for (const m of models) m.consumer.start();
  for (const a of actors) a.start();
  return {
    async stop() {
      for (const s of services) await s.stop();
      for (const m of models) m.consumer.stop();
      for (const a of actors) a.stop();
      data.closeAll();
    },
  };
}
