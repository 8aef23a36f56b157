import type { Logger } from 'pino';
import { createActor, type ActorRefFrom } from 'xstate';
import type { Clock } from '../actors/clock.js';
import type { ConsumerSettings } from '../actors/consumerSettings.js';
import { projectionConsumerMachine } from '../actors/projectionConsumer.js';
import type { PullHooks } from '../actors/pullBatch.js';
import type { ReadModelName } from '../domain/readModels.js';
import { resolveView, type ProjectionPlugin } from '../plugins/projectionPlugin.js';
import { ProjectionStore, type ProjectionApplier } from '../store/projectionStore.js';
import type { ProjectionView } from '../store/projectionView.js';
import { SelfManagedStore } from '../store/selfManagedStore.js';
import type { SelfManagedHandler } from '../store/selfManagedProjection.js';
import type { Db } from '../store/sqlite.js';
import { customerOrderSummaryView, type SummaryViewOptions } from '../store/views/customerOrderSummaryView.js';
import type { ProductLookup } from '../store/views/productLookup.js';
import { productInventoryView } from '../store/views/productInventoryView.js';
import { productsView } from '../store/views/productsView.js';
import { killableConnection } from '../transport/killableConnection.js';
import type { Transport } from '../transport/port.js';

/** One read model as it runs: its database, the store that applies events, and its consumer process. */
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

/** What every read model's runtime is built with. */
export interface ReadModelWiring {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly settings: ConsumerSettings;
  readonly log: Logger;
  readonly now: () => string;
  /** The Products read model, for the summary (built-in or plug-in) to read names from. */
  readonly products: ProductLookup;
  readonly summary?: SummaryViewOptions | undefined;
  /** Fault injection: wrap a read model's view, or hook into its consumer's pulls. */
  readonly wrapView?: ((name: ReadModelName, view: ProjectionView) => ProjectionView) | undefined;
  readonly wrapHandler?: ((name: ReadModelName, handler: SelfManagedHandler) => SelfManagedHandler) | undefined;
  readonly consumerHooks?: ((name: ReadModelName) => PullHooks | undefined) | undefined;
}

/** The built-in view of each read model. */
export function builtInView(name: ReadModelName, w: Pick<ReadModelWiring, 'products' | 'summary'>): ProjectionView {
  const views: Record<ReadModelName, () => ProjectionView> = {
    'product-inventory': () => productInventoryView,
    products: () => productsView,
    'customer-order-summary': () => customerOrderSummaryView(w.products, w.summary),
  };
  return views[name]();
}

/**
 * A read model's runtime over `db`: the plug-in's store if one replaces the built-in (self-managed: it owns its
 * transactions; managed: its view in our transaction), else the built-in view; and a consumer actor (not started)
 * with a broker connection of its own, as a process would have: a killed one sends nothing more.
 */
export function readModelRuntime(
  name: ReadModelName,
  db: Db,
  plugin: ProjectionPlugin | undefined,
  w: ReadModelWiring,
): ReadModelRuntime {
  const hooks = w.consumerHooks?.(name);
  const maxDeliveries = w.settings.retry.maxDeliveries;
  let store: ProjectionApplier;
  if (plugin?.mode === 'self-managed') {
    store = new SelfManagedStore(db, w.wrapHandler?.(name, plugin) ?? plugin, {
      maxDeliveries,
      now: w.now,
      products: w.products,
      crashPoint: hooks?.crashPoint,
    });
  } else {
    const view = plugin ? resolveView(plugin, { products: w.products }) : builtInView(name, w);
    store = new ProjectionStore(db, w.wrapView?.(name, view) ?? view, { maxDeliveries, now: w.now });
  }
  const connection = killableConnection(w.transport);
  const consumer = createActor(projectionConsumerMachine, {
    clock: w.clock,
    input: {
      name,
      transport: connection.transport,
      store,
      settings: w.settings,
      log: w.log.child({ actor: name }),
      ...(hooks ? { hooks } : {}),
    },
  });
  return { name, db, store, consumer, plugin, killConnection: () => connection.kill() };
}
