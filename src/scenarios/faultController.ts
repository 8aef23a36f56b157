import { realClock, sleep, type Clock } from '../actors/clock.js';
import type { OrderHooks } from '../actors/placeOrder.js';
import type { PullHooks } from '../actors/pullBatch.js';
import type { Positioned } from '../domain/envelope.js';
import type { DomainEvent, OrderPlaced } from '../domain/events.js';
import { Prng } from '../domain/prng.js';
import type { ReadModelName } from '../domain/readModels.js';
import type { ProjectionView, TableName } from '../store/projectionView.js';
import type { SelfManagedHandler } from '../store/selfManagedProjection.js';
import type { Db } from '../store/sqlite.js';
import type { EventMatch } from './scenario.js';

interface TargetFaults {
  bug: EventMatch | undefined;
  corruption: EventMatch | undefined;
  latencyMs: number;
  crashesLeft: number;
  /** Named crash points of a self-managed plug-in (`ctx.crashPoint(name)`) → crashes left. */
  crashPoints: Map<string, number>;
  /** Each crash point's crashes armed and fired over the run, for the report. */
  crashPointTally: Map<string, { armed: number; hit: number }>;
  /** Acks being lost: the share lost, and the seeded draw that decides each one (same seed, same acks lost). */
  ackLoss: { readonly ratio: number; readonly prng: Prng } | undefined;
  /** The next this many acks are lost, whatever `ackLoss` says (the projection kit's `loseAcks(n)`). */
  acksToLose: number;
  /** A process kill waiting for the consumer's next commit: called there, before any ack. */
  killAtCommit: (() => void) | undefined;
}

/** The products an event touches (for `match.productId`). */
function productsOf(event: Positioned): string[] {
  const e = event.envelope.data;
  if (e.type === 'OrderPlaced') return e.items.map((l) => l.productId);
  if ('productId' in e) return [e.productId];
  return [];
}

export function matches(match: EventMatch, event: Positioned): boolean {
  if (match.eventType !== undefined && event.envelope.data.type !== match.eventType) return false;
  if (match.productId !== undefined && !productsOf(event).includes(match.productId)) return false;
  return true;
}

/** The injected error a handler bug throws. */
export class InjectedHandlerBug extends Error {
  override readonly name = 'InjectedHandlerBug';
}

/**
 * A silent bug writes a plausible wrong value next to the right change: nothing throws, nothing is retried, the
 * checkpoint moves on — only comparing with the oracle (or a rebuild) finds it.
 */
function corrupt(name: ReadModelName, db: Db, t: TableName, event: Positioned): void {
  const e = event.envelope.data;
  switch (name) {
    case 'products':
      for (const id of productsOf(event))
        db.prepare(`UPDATE "${t('products')}" SET name = name || ' (corrupt)' WHERE product_id = ?`).run(id);
      return;
    case 'product-inventory':
      for (const id of productsOf(event))
        db.prepare(
          `UPDATE "${t('product_inventory')}" SET available_quantity = available_quantity + 1 WHERE product_id = ?`,
        ).run(id);
      return;
    case 'customer-order-summary':
      if (e.type === 'OrderPlaced')
        db.prepare(`UPDATE "${t('customer_order_items')}" SET quantity = quantity + 1 WHERE order_id = ?`).run(
          e.orderId,
        );
      return;
    default: {
      const never: never = name;
      throw new Error(`unknown read model ${String(never)}`);
    }
  }
}

/**
 * A silent bug in a self-managed plug-in: its tables are its own, so instead of writing a wrong value next to the
 * right one the plug-in is handed a plausibly wrong event and writes the wrong value itself — a name marked, a
 * quantity or stock change off by one, a price off by a cent. Undefined for an event it cannot make wrong for that
 * model (a ProductAdded for ProductInventory: its stock starts at 0 whatever the event says).
 */
export function corruptedEvent(name: ReadModelName, event: Positioned): Positioned | undefined {
  const e = event.envelope.data;
  const withData = (data: DomainEvent): Positioned => ({ ...event, envelope: { ...event.envelope, data } });
  const moreOfEachLine = (o: OrderPlaced): OrderPlaced => ({
    ...o,
    items: o.items.map((l) => ({ ...l, quantity: l.quantity + 1 })),
  });
  switch (name) {
    case 'products':
      if (e.type === 'ProductAdded' || e.type === 'ProductRenamed')
        return withData({ ...e, name: `${e.name} (corrupt)` });
      if (e.type === 'ProductRepriced') return withData({ ...e, priceCents: e.priceCents + 1 });
      return undefined;
    case 'product-inventory':
      if (e.type === 'StockAdjusted') return withData({ ...e, delta: e.delta + 1 });
      if (e.type === 'OrderPlaced') return withData(moreOfEachLine(e));
      return undefined;
    case 'customer-order-summary':
      return e.type === 'OrderPlaced' ? withData(moreOfEachLine(e)) : undefined;
    default: {
      const never: never = name;
      throw new Error(`unknown read model ${String(never)}`);
    }
  }
}

/**
 * The switchboard the fault injector flips: per read model, an active handler bug, an active silent corruption,
 * added latency, and pending crashes. The system is built with `wrapView` and `hooks` from here, so a fault is a
 * change of this state, read at the moment each event is applied — no restart, no code swap.
 */
export class FaultController {
  private readonly targets = new Map<ReadModelName, TargetFaults>();
  private orderCrashesLeft = 0;

  constructor(private readonly clock: Clock = realClock) {}

  /** Called when an injected crash happened, so the runner can restart the consumer like a supervisor would. */
  onCrash: (name: ReadModelName) => void = () => undefined;

  private of(name: ReadModelName): TargetFaults {
    let faults = this.targets.get(name);
    if (!faults) {
      faults = {
        bug: undefined,
        corruption: undefined,
        latencyMs: 0,
        crashesLeft: 0,
        crashPoints: new Map(),
        crashPointTally: new Map(),
        ackLoss: undefined,
        acksToLose: 0,
        killAtCommit: undefined,
      };
      this.targets.set(name, faults);
    }
    return faults;
  }

  setBug(name: ReadModelName, match: EventMatch | undefined): void {
    this.of(name).bug = match;
  }

  setCorruption(name: ReadModelName, match: EventMatch | undefined): void {
    this.of(name).corruption = match;
  }

  setLatency(name: ReadModelName, latencyMs: number): void {
    this.of(name).latencyMs = latencyMs;
  }

  addCrashes(name: ReadModelName, times: number): void {
    this.of(name).crashesLeft += times;
  }

  /** From now on a share `ratio` of `name`'s acks are lost on their way (drawn from `seed`); `undefined` ends it. */
  setAckLoss(name: ReadModelName, loss: { readonly ratio: number; readonly seed: number } | undefined): void {
    this.of(name).ackLoss = loss && { ratio: loss.ratio, prng: new Prng(loss.seed) };
  }

  /** The next `count` acks of `name` are lost on their way (each such event is delivered again after the ack wait). */
  loseNextAcks(name: ReadModelName, count: number): void {
    this.of(name).acksToLose += count;
  }

  /** Acks still to be lost by {@link loseNextAcks}. */
  acksToLose(name: ReadModelName): number {
    return this.of(name).acksToLose;
  }

  /** Crashes after commit ({@link addCrashes}) armed and not yet fired. */
  crashesPending(name: ReadModelName): number {
    return this.of(name).crashesLeft;
  }

  /**
   * Resolves true at `name`'s next commit — its consumer then stops right there, acking nothing, for the process to
   * be killed — or false after `maxWaitMs` without one (an idle consumer is killed wherever it is).
   */
  nextCommit(name: ReadModelName, maxWaitMs: number): Promise<boolean> {
    const faults = this.of(name);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        faults.killAtCommit = undefined;
        resolve(false);
      }, maxWaitMs);
      faults.killAtCommit = () => {
        this.clock.clearTimeout(timer);
        faults.killAtCommit = undefined;
        resolve(true);
      };
    });
  }

  /** The next `times` orders die between their inventory check and their commit. */
  addOrderCrashes(times: number): void {
    this.orderCrashesLeft += times;
  }

  /** Order crashes armed and not yet fired. */
  orderCrashesPending(): number {
    return this.orderCrashesLeft;
  }

  /** The next `times` passes through the named crash point of `name`'s plug-in crash the consumer there. */
  armCrashPoint(name: ReadModelName, point: string, times: number): void {
    const faults = this.of(name);
    faults.crashPoints.set(point, (faults.crashPoints.get(point) ?? 0) + times);
    this.tally(faults, point).armed += times;
  }

  /** Every crash point of `name` armed in this run: how many crashes were armed and how many happened. */
  crashPointTally(name: ReadModelName): ReadonlyMap<string, { readonly armed: number; readonly hit: number }> {
    return this.of(name).crashPointTally;
  }

  private tally(faults: TargetFaults, point: string): { armed: number; hit: number } {
    let t = faults.crashPointTally.get(point);
    if (!t) faults.crashPointTally.set(point, (t = { armed: 0, hit: 0 }));
    return t;
  }

  /** Crashes still armed at a crash point (0 once they have all fired). */
  crashPointsLeft(name: ReadModelName, point: string): number {
    return this.of(name).crashPoints.get(point) ?? 0;
  }

  /** Deploying the fix ends both kinds of bug on the target. */
  deployFix(name: ReadModelName): void {
    this.setBug(name, undefined);
    this.setCorruption(name, undefined);
  }

  wrapView = (name: ReadModelName, view: ProjectionView): ProjectionView => ({
    ...view,
    bind: (db, t) => {
      const inner = view.bind(db, t);
      return {
        apply: (event, mode) => {
          const faults = this.of(name);
          if (faults.bug && matches(faults.bug, event)) {
            throw new InjectedHandlerBug(`injected bug in ${name} for ${event.envelope.data.type} at seq ${event.seq}`);
          }
          const outcome = inner.apply(event, mode);
          if (outcome.kind === 'applied' && faults.corruption && matches(faults.corruption, event))
            corrupt(name, db, t, event);
          return outcome;
        },
      };
    },
  });

  /** Bugs for a self-managed plug-in: a handler bug throws before its `handle`; a silent one hands it a wrong event. */
  wrapHandler = (name: ReadModelName, handler: SelfManagedHandler): SelfManagedHandler => ({
    ...handler,
    handle: (db, event, delivery, ctx) => {
      const faults = this.of(name);
      if (faults.bug && matches(faults.bug, event)) {
        throw new InjectedHandlerBug(`injected bug in ${name} for ${event.envelope.data.type} at seq ${event.seq}`);
      }
      const wrong = faults.corruption && matches(faults.corruption, event) ? corruptedEvent(name, event) : undefined;
      return handler.handle(db, wrong ?? event, delivery, ctx);
    },
  });

  hooks = (name: ReadModelName): PullHooks => ({
    beforeFetch: async () => {
      const latencyMs = this.of(name).latencyMs;
      if (latencyMs > 0) await sleep(this.clock, latencyMs);
    },
    crashAfterCommit: () => {
      const faults = this.of(name);
      if (faults.killAtCommit) {
        faults.killAtCommit(); // the process dies here; its killer takes it from this point
        return true;
      }
      if (faults.crashesLeft <= 0) return false;
      faults.crashesLeft--;
      this.clock.setTimeout(() => this.onCrash(name), 0);
      return true;
    },
    crashPoint: (point) => {
      const faults = this.of(name);
      const left = faults.crashPoints.get(point) ?? 0;
      if (left <= 0) return false;
      faults.crashPoints.set(point, left - 1);
      this.tally(faults, point).hit++;
      this.clock.setTimeout(() => this.onCrash(name), 0);
      return true;
    },
    ackLost: () => {
      const faults = this.of(name);
      if (faults.acksToLose > 0) {
        faults.acksToLose--;
        return true;
      }
      const loss = faults.ackLoss;
      return loss !== undefined && loss.prng.next() < loss.ratio;
    },
  });

  orderHooks: OrderHooks = {
    crashBeforeCommit: () => {
      if (this.orderCrashesLeft <= 0) return false;
      this.orderCrashesLeft--;
      return true;
    },
  };
}
