/**
 * The plug-in API for users' own projections: a module that replaces one built-in read model's implementation, so
 * the scenario runner's properties (nothing lost, no duplicated effect, no wrong values, rebuild equals
 * incremental) check the user's code against the reference fold of the event log.
 *
 * ```ts
 * // my-summary.ts — run with: cqrs-testbed run scenarios/x.yaml --projection customer-order-summary=./my-summary.ts
 * import { definePlugin } from 'cqrs-testbed/src/plugins/projectionPlugin.js';
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
import type { Positioned } from '../domain/envelope.js';
import type { ReadModelName, ReadModelStates } from '../domain/readModels.js';
import { readInventoryModel, readProductsModel, readSummaryModel } from '../scenarios/readModelState.js';
import type { ApplyOutcome, ProjectionView } from '../store/projectionView.js';
import type { Db } from '../store/sqlite.js';
import type { ProductLookup } from '../store/views/productLookup.js';

export type { ApplyOutcome, ProjectionView, TableName, ViewWriter, ApplyMode } from '../store/projectionView.js';
export type { Positioned } from '../domain/envelope.js';
export type { Db } from '../store/sqlite.js';
export type { ProductLookup } from '../store/views/productLookup.js';
export { loadProjectionPlugin, PROJECTION_TARGETS, ProjectionPluginError, type LoadedPlugin } from './loadProjectionPlugin.js';

/** The built-in read model a plug-in replaces. */
export type ProjectionTarget = ReadModelName;

/** The reference fold's shape of each read model: what `readState` must return (the registry's {@link ReadModelStates}). */
export type ReferenceShapes = ReadModelStates;

/** What a plug-in may depend on besides its own database. */
export interface ProjectionDeps {
  /**
   * The Products read model: its position in the stream and product names, in one snapshot. A projection that
   * reads it for an event at stream sequence `seq` must wait until `checkpoint >= seq` (return
   * `{ kind: 'waitForDependency', … }`), or it writes names Products has not caught up to.
   */
  readonly products: ProductLookup;
}

interface PluginBase<T extends ProjectionTarget> {
  /** Which built-in read model this replaces. */
  readonly target: T;
  /**
   * Reads the whole model back in the reference fold's shape (see {@link ReferenceShapes}), for comparison with
   * the oracle. Called from the runner a few times a second, and around rebuilds: read, never write.
   */
  readState(db: Db): ReferenceShapes[T];
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

/** Where a delivery comes from: the durable consumer, a rebuild from sequence 1, or a replay of a dead letter. */
export type DeliverySource = 'live' | 'rebuild' | 'deadLetterReplay';

/** What the broker said about this delivery: all a self-managed projection has to be idempotent with. */
export interface DeliveryInfo {
  /** The event's position in the one stream (a total order shared by every read model and the oracle). */
  readonly streamSeq: number;
  /** 1 on the first delivery; more after a nak, an ack-wait expiry or a consumer crash. */
  readonly deliveryCount: number;
  /** The envelope's event id (also the broker's Nats-Msg-Id): stable across redeliveries. */
  readonly eventId: string;
  readonly source: DeliverySource;
}

export interface HandleContext extends ProjectionDeps {
  /**
   * A named point where the fault injector may crash the consumer (`FaultController.armCrashPoint`, or
   * `--crash-point target:name`). When armed it throws `ConsumerCrashed`: whatever the handler wrote before it
   * without a transaction stays written, nothing is acknowledged, and the broker redelivers after the ack wait.
   * Do not catch it (a caught crash still crashes the consumer once `handle` returns). Only live deliveries crash.
   */
  crashPoint(name: string): void;
}

/** Returning nothing means `applied`. `waitForDependency` writes nothing and asks for the event again later. */
export type HandleOutcome = ApplyOutcome | void;

/**
 * Self-managed mode: every delivery, redeliveries included, is handed to `handle` in stream order (new events
 * strictly in order; a redelivery of an event already handled may come again at any time). Nothing wraps it in a
 * transaction and no checkpoint is kept: the plug-in's own transactions and idempotency are what is being tested.
 * A throw is counted per event and retried with backoff; after `maxDeliveries` attempts the event is parked.
 */
export interface SelfManagedPlugin<T extends ProjectionTarget = ProjectionTarget> extends PluginBase<T> {
  readonly mode: 'self-managed';
  /** Names of the plug-in's tables, for tools that dump them (optional). `checkpoint`, `failures` and `dead_letters` are ours. */
  readonly tables?: readonly string[];
  /**
   * The names `handle` passes to `ctx.crashPoint(…)`. Declared, they are armed by the property suite by itself, at
   * generated times and counts (`crashPoint` faults); a scenario may arm only a declared one.
   */
  readonly crashPoints?: readonly string[];
  /** Creates the plug-in's tables; idempotent (`CREATE TABLE IF NOT EXISTS`): called at start and after `reset`. */
  setup(db: Db): void;
  /**
   * Removes everything the projection wrote, before a rebuild replays the log from sequence 1 through `handle`
   * (`source: 'rebuild'`). The rebuild runs in one transaction: it is swapped in only if it finishes.
   */
  reset(db: Db): void;
  /** Synchronous: SQLite is. Use `db.transaction(fn)()` for transactions (it nests as savepoints). */
  handle(db: Db, event: Positioned, delivery: DeliveryInfo, ctx: HandleContext): HandleOutcome;
}

/** A plug-in for target `T`: managed or self-managed. */
export type ProjectionPlugin<T extends ProjectionTarget = ProjectionTarget> = { [K in T]: ManagedPlugin<K> | SelfManagedPlugin<K> }[T];

/** At most one plug-in per read model, each typed for its own target. */
export type ProjectionPlugins = { readonly [T in ProjectionTarget]?: ProjectionPlugin<T> };

/** Identity, for type inference: `export default definePlugin({ target: 'products', mode: 'managed', … })`. */
export function definePlugin<T extends ProjectionTarget>(plugin: ManagedPlugin<T> | SelfManagedPlugin<T>): ManagedPlugin<T> | SelfManagedPlugin<T> {
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
