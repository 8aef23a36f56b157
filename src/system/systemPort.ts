import type { InventoryCommandOutcome } from '../actors/inventoryService.js';
import type { OrderServiceOutcome } from '../actors/orderService.js';
import type { AdjustStock, CatalogCommand, PlaceOrder } from '../domain/commands.js';
import type { ReadModelName } from '../domain/readModels.js';
import type { ProjectionPlugin } from '../plugins/projectionPlugin.js';
import {
  inventoryOf,
  listProducts,
  ordersOfCustomer,
  productOf,
  type CustomerOrderAnswer,
  type InventoryAnswer,
  type ProductAnswer,
} from '../store/queries.js';
import { pluginInventoryOf, pluginOrdersOf, pluginProductOf, pluginProducts } from './pluginQueries.js';
import type { RunningSystem } from './startSystem.js';

/** Where a command's id and timestamp come from: random ids and the wall clock live, seeded ones in a scenario. */
export interface CommandStamps {
  readonly newId: () => string;
  /** The command's time, ISO 8601. */
  readonly now: () => string;
}

/**
 * The running system as its clients see it: the article's commands, each answered by its service actor, and its
 * queries, answered from the read models (eventually consistent by design). HTTP, the workload driver, the bench
 * and the tests all go through this; none of them sends to an actor itself.
 */
export interface SystemPort {
  /** Sends a PlaceOrder to the order service and waits for its outcome (bounded by the actor's own timeouts). */
  placeOrder(command: PlaceOrder): Promise<OrderServiceOutcome>;
  /** Sends a catalogue or stock command to the inventory service and waits for its outcome. */
  inventoryCommand(command: CatalogCommand | AdjustStock): Promise<InventoryCommandOutcome>;
  /** `GET /inventory/products/:productId`: the ProductInventory view. */
  inventoryOf(productId: string): Promise<InventoryAnswer | undefined>;
  /** `GET /customer/:customerId/orders`: the CustomerOrderSummary read model. */
  ordersOfCustomer(customerId: string): Promise<CustomerOrderAnswer[]>;
  /** `GET /products/:productId`: the Products read model. */
  productOf(productId: string): Promise<ProductAnswer | undefined>;
  listProducts(): Promise<ProductAnswer[]>;
}

export function systemPort(system: RunningSystem, stamps: CommandStamps): SystemPort {
  const { queries, readModels } = system;
  const plugin = <T extends ReadModelName>(name: T) => readModels[name].plugin as ProjectionPlugin<T> | undefined;
  return {
    placeOrder: (command) =>
      new Promise((resolve) => system.orderService.send({ type: 'PLACE_ORDER', command, reply: resolve })),
    inventoryCommand: (command) => {
      const meta = { commandId: `cmd_${stamps.newId()}`, now: stamps.now(), newId: stamps.newId };
      return new Promise((resolve) => system.inventoryService.send({ type: 'COMMAND', command, meta, reply: resolve }));
    },
    // A read model replaced by a plug-in is answered from the plug-in's own model (its readState, or available).
    // The read models are local here: each query answers at once (over NATS, in another process, it would not).
    inventoryOf: (productId) => {
      const p = plugin('product-inventory');
      return settled(() =>
        p ? pluginInventoryOf(p, queries.inventory, productId) : inventoryOf(queries.inventory, productId),
      );
    },
    ordersOfCustomer: (customerId) => {
      const p = plugin('customer-order-summary');
      return settled(() =>
        p ? pluginOrdersOf(p, queries.summary, customerId) : ordersOfCustomer(queries.summary, customerId),
      );
    },
    productOf: (productId) => {
      const p = plugin('products');
      return settled(() =>
        p ? pluginProductOf(p, queries.products, productId) : productOf(queries.products, productId),
      );
    },
    listProducts: () => {
      const p = plugin('products');
      return settled(() => (p ? pluginProducts(p, queries.products) : listProducts(queries.products)));
    },
  };
}

/** A synchronous answer as a promise; a throw (a broken plug-in's readState) rejects it instead of escaping. */
function settled<T>(answer: () => T): Promise<T> {
  try {
    return Promise.resolve(answer());
  } catch (error: unknown) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
