/**
 * The contract between a self-managed projection and the store that drives it ({@link SelfManagedStore}): what a
 * delivery carries, what `handle` may call, and what it returns. The plug-in API (src/plugins/projectionPlugin.ts)
 * re-exports these for plug-in authors; they live here, with the stores, because the store implements them.
 */
import type { Positioned } from '../domain/envelope.js';
import type { ReadModelName } from '../domain/readModels.js';
import type { ApplyOutcome } from './projectionView.js';
import type { Db } from './sqlite.js';
import type { ProductLookup } from './views/productLookup.js';

/** What a plug-in may depend on besides its own database. */
export interface ProjectionDeps {
  /**
   * The Products read model: its position in the stream and product names, in one snapshot. A projection that
   * reads it for an event at stream sequence `seq` must wait until `checkpoint >= seq` (return
   * `{ kind: 'waitForDependency', … }`), or it writes names Products has not caught up to.
   */
  readonly products: ProductLookup;
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
export interface SelfManagedHandler {
  /** The read model it replaces. */
  readonly target: ReadModelName;
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
