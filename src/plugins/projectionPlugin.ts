/**
 * The plug-in API for users' own projections: a module that replaces one built-in read model's implementation, so
 * the scenario runner's properties (nothing lost, no duplicated effect, no wrong values, rebuild equals
 * incremental) check the user's code against the reference fold of the event log.
 *
 * ```ts
 * // my-summary.ts — run with: cqrs-testbed run scenarios/x.yaml --projection customer-order-summary=./my-summary.ts
 * import { definePlugin } from 'cqrs-testbed';
 * export default definePlugin({ target: 'customer-order-summary', mode: 'self-managed', … });
 * ```
 *
 * Two modes:
 * - `managed`: the plug-in is a {@link ProjectionView} (tables, DDL, a writer). The consumer applies each event and
 *   commits the checkpoint in the same transaction, exactly as for the built-ins: redeliveries never reach it.
 * - `self-managed`: the plug-in gets every delivery — redeliveries included — with its delivery metadata, and owns
 *   its transactions and idempotency. No checkpoint is kept for it. This is where real projection bugs live.
 *
 * Either way `readState` reads the model back in the reference fold's shape, whatever the plug-in's schema.
 */
import type { ReadModelName, ReadModelStates } from '../domain/readModels.js';
import type { ProjectionView } from '../store/projectionView.js';
import { readInventoryModel, readProductsModel, readSummaryModel } from '../store/readModelState.js';
import type { ProjectionDeps, SelfManagedHandler } from '../store/selfManagedProjection.js';
import type { Db } from '../store/sqlite.js';

export type { ApplyOutcome, ProjectionView, TableName, ViewWriter, ApplyMode } from '../store/projectionView.js';
export type { Positioned } from '../domain/envelope.js';
export type { Db } from '../store/sqlite.js';
export type { ProductLookup } from '../store/views/productLookup.js';
export type {
  DeliveryInfo,
  DeliverySource,
  HandleContext,
  HandleOutcome,
  ProjectionDeps,
  SelfManagedHandler,
} from '../store/selfManagedProjection.js';

/** The built-in read model a plug-in replaces. */
export type ProjectionTarget = ReadModelName;

/** The reference fold's shape of each read model: what `readState` must return (the registry's {@link ReadModelStates}). */
export type ReferenceShapes = ReadModelStates;

interface PluginBase<T extends ProjectionTarget> {
  /** Which built-in read model this replaces. */
  readonly target: T;
  /**
   * Reads the whole model back in the reference fold's shape (see {@link ReferenceShapes}), for comparison with
   * the oracle. Called from the runner a few times a second, and around rebuilds: read, never write.
   */
  readState(db: Db): ReferenceShapes[T];
  /**
   * ProductInventory only, optional: one product's available quantity (undefined if the product is unknown). The
   * inventory service's check asks for every product of every order; without this it reads the whole model through
   * `readState` each time.
   */
  available?(db: Db, productId: string): number | undefined;
}

/**
 * Managed mode: the projection is a {@link ProjectionView}; the generic consumer applies each event through its
 * writer and commits the checkpoint in the same SQLite transaction. A throw rolls that one event back and it is
 * retried, then parked in the dead-letter store after `maxDeliveries` attempts.
 */
export interface ManagedPlugin<T extends ProjectionTarget = ProjectionTarget> extends PluginBase<T> {
  readonly mode: 'managed';
  /** The view, or a factory given the dependencies (the summary needs {@link ProjectionDeps.products}). */
  readonly view: ProjectionView | ((deps: ProjectionDeps) => ProjectionView);
}

/**
 * Self-managed mode: every delivery, redeliveries included, is handed to `handle` in stream order (new events
 * strictly in order; a redelivery of an event already handled may come again at any time). Nothing wraps it in a
 * transaction and no checkpoint is kept: the plug-in's own transactions and idempotency are what is being tested.
 * A throw is counted per event and retried with backoff; after `maxDeliveries` attempts the event is parked.
 * The members are documented on {@link SelfManagedHandler}, the contract the store drives.
 */
export interface SelfManagedPlugin<T extends ProjectionTarget = ProjectionTarget>
  extends PluginBase<T>, Omit<SelfManagedHandler, 'target'> {}

/** A plug-in for target `T`: managed or self-managed. */
export type ProjectionPlugin<T extends ProjectionTarget = ProjectionTarget> = {
  [K in T]: ManagedPlugin<K> | SelfManagedPlugin<K>;
}[T];

/** At most one plug-in per read model, each typed for its own target. */
export type ProjectionPlugins = { readonly [T in ProjectionTarget]?: ProjectionPlugin<T> };

/** Identity, for type inference: `export default definePlugin({ target: 'products', mode: 'managed', … })`. */
export function definePlugin<T extends ProjectionTarget>(
  plugin: ManagedPlugin<T> | SelfManagedPlugin<T>,
): ManagedPlugin<T> | SelfManagedPlugin<T> {
  return plugin;
}

/** A managed plug-in's view, built with the dependencies if it is a factory. */
export function resolveView(plugin: ManagedPlugin, deps: ProjectionDeps): ProjectionView {
  return typeof plugin.view === 'function' ? plugin.view(deps) : plugin.view;
}

/** `readState` of each built-in schema, for managed plug-ins that keep the built-in tables (e.g. wrap the built-in view). */
export const builtInReadState: { readonly [T in ProjectionTarget]: (db: Db) => ReferenceShapes[T] } = {
  'product-inventory': (db) => readInventoryModel(db).state,
  products: (db) => readProductsModel(db).state,
  'customer-order-summary': (db) => readSummaryModel(db).state,
};
