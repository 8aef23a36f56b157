import { decodeEnvelope } from '../domain/envelope.js';
import { ConsumerCrashed } from './consumerCrashed.js';
import type { DeadLetterStore } from './deadLetterStore.js';
import { DeliveryFailures } from './deliveryFailures.js';
import type { BatchResult, BatchStop, IncomingEvent, ProjectionApplier } from './projectionStore.js';
import type { ApplyMode } from './projectionView.js';
import type { DeliverySource, HandleContext, SelfManagedHandler } from './selfManagedProjection.js';
import type { Db } from './sqlite.js';
import type { ProductLookup } from './views/productLookup.js';

// Longer than the ~200 lines STYLE.md suggests: live delivery, rebuild and dead-letter replay are the three halves
// of one contract (ProjectionApplier) for one kind of plug-in, and share how a delivery is handed over.

export interface SelfManagedOptions {
  readonly maxDeliveries: number;
  readonly now: () => string;
  readonly products: ProductLookup;
  /** The fault injector's answer at a named crash point of a live delivery: true crashes the consumer there. */
  readonly crashPoint?: ((name: string) => boolean) | undefined;
}

/** The plug-in broke its contract (returned a Promise): counted as a failure of that event, like a throw. */
export class PluginContractError extends Error {
  override readonly name = 'PluginContractError';
}

type Handled =
  | { readonly kind: 'applied' | 'ignored' | 'parked' }
  | Extract<BatchStop, { kind: 'failed' }>
  | Extract<BatchStop, { kind: 'waiting' }>;

const POSITION_DDL =
  'CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL)';
/** A rebuild does not retry a failing event (it must finish); a live delivery counts its failures. */
const modeOf = (source: DeliverySource): ApplyMode => (source === 'rebuild' ? 'rebuild' : 'live');
const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Drives a self-managed plug-in with the consumer's `applyBatch → BatchResult` contract. Unlike ProjectionStore it
 * dedupes nothing and wraps nothing in a transaction: every delivery, redeliveries included, reaches the plug-in's
 * `handle`. What it keeps is a *delivery position*: the highest sequence handed over in stream order, so that new
 * events reach the plug-in strictly in order. The position is durable (table `checkpoint` in the plug-in's
 * database), written after the plug-in returned and before anything is acked, because only it can say which events
 * the broker will still deliver: everything above it is unacknowledged. The broker's ack floor cannot say that: it
 * advances only over acks in *delivery* order, so after redeliveries it stays below events already acked, and a
 * consumer that restarted from it would wait forever for one of those (the property suite found exactly that).
 * After a crash the unacknowledged events at or below the position come again as redeliveries. Failures are counted
 * durably and park the event after `maxDeliveries`, as for the built-ins.
 */
export class SelfManagedStore implements ProjectionApplier {
  readonly deadLetters: DeadLetterStore;
  private readonly failures: DeliveryFailures;
  readonly view: { readonly name: string; readonly tables: readonly string[] };
  /** Highest sequence handed over (or parked) in order; durable as of the last `persistPosition`. */
  private highWater = 0;
  private readonly readPosition;
  private readonly writePosition;
  private rebuilding = false;
  private rebuildCheckpoint = 0;
  private rebuildFromSeq = 0;
  private rebuildGeneration = 0;

  constructor(
    readonly db: Db,
    private readonly plugin: SelfManagedHandler,
    private readonly options: SelfManagedOptions,
  ) {
    this.view = { name: plugin.target, tables: plugin.tables ?? [] };
    this.failures = new DeliveryFailures(db, options);
    this.deadLetters = this.failures.deadLetters;
    db.exec(POSITION_DDL);
    plugin.setup(db);
    this.readPosition = db.prepare('SELECT seq FROM checkpoint WHERE id = 1').pluck();
    this.writePosition = db.prepare(
      'INSERT INTO checkpoint (id, seq) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq',
    );
    this.highWater = this.durablePosition();
  }

  /** The durable delivery position (the in-memory one runs ahead of it only inside a batch). */
  checkpoint(): number {
    return this.durablePosition();
  }

  /**
   * A new consumer lifetime (after a crash, or at start) resumes from the durable position: what a crash handed over
   * without persisting comes again as new. The ack floor only matters if it is ahead (the position's database was
   * replaced while the broker kept the consumer): those events are acknowledged and will never come again.
   */
  attached(ackFloorSeq: number): void {
    this.highWater = Math.max(this.durablePosition(), ackFloorSeq);
  }

  private durablePosition(): number {
    return (this.readPosition.get() as number | undefined) ?? 0;
  }

  applyBatch(events: readonly IncomingEvent[], firstSeq = 1): BatchResult {
    let applied = 0,
      ignored = 0,
      parked = 0;
    const startedAt = this.highWater;
    const result = (stop?: BatchStop): BatchResult => {
      // Durable before the consumer acks anything: an acknowledged event is never above the position.
      if (this.highWater !== startedAt) this.writePosition.run(this.highWater);
      return {
        // Everything at or below `checkpoint` may be acked: not a redelivery that stopped the batch, nor what follows it.
        checkpoint: stop && stop.kind !== 'gap' ? Math.min(this.highWater, stop.seq - 1) : this.highWater,
        applied,
        ignored,
        duplicates: 0,
        parked,
        ...(stop ? { stop } : {}),
      };
    };
    for (const event of events) {
      const redelivery = event.seq <= this.highWater;
      const expected = Math.max(this.highWater + 1, firstSeq);
      if (!redelivery && event.seq !== expected) return result({ kind: 'gap', seq: event.seq, expected });
      const outcome = this.deliver(event, 'live');
      switch (outcome.kind) {
        case 'applied':
          applied++;
          break;
        case 'ignored':
          ignored++;
          break;
        case 'parked':
          parked++;
          break;
        case 'failed':
        case 'waiting':
          return result(outcome);
        default: {
          const never: never = outcome;
          throw new Error(`unknown outcome ${JSON.stringify(never)}`);
        }
      }
      if (!redelivery) this.highWater = event.seq;
    }
    return result();
  }

  /** Hands one event to the plug-in. Throws ConsumerCrashed when a crash point fired; every other throw is a failure. */
  private deliver(event: IncomingEvent, source: DeliverySource): Handled {
    const decoded = decodeEnvelope(event.data);
    if (!decoded.ok) {
      this.failures.park(event, decoded.error, 1, modeOf(source));
      return { kind: 'parked' };
    }
    let crashedAt: string | undefined;
    const crash = () =>
      new ConsumerCrashed(
        `${this.plugin.target}: crashed at crash point "${crashedAt}" while handling seq ${event.seq}`,
      );
    const ctx: HandleContext = {
      products: this.options.products,
      crashPoint: (name) => {
        if (crashedAt !== undefined) throw crash();
        if (source !== 'live' || this.options.crashPoint?.(name) !== true) return;
        crashedAt = name;
        throw crash();
      },
    };
    try {
      const delivery = {
        streamSeq: event.seq,
        deliveryCount: event.deliveryCount ?? 1,
        eventId: decoded.value.eventId,
        source,
      };
      const outcome: unknown = this.plugin.handle(this.db, { seq: event.seq, envelope: decoded.value }, delivery, ctx);
      if (crashedAt !== undefined) throw crash(); // the handler caught the crash: a crashed process does not go on
      if (outcome instanceof Promise) {
        void outcome.then(undefined, () => undefined); // its rejection is reported below, not left unhandled
        throw new PluginContractError('handle returned a Promise; it must be synchronous (SQLite is)');
      }
      const o = (outcome ?? { kind: 'applied' }) as
        | Exclude<Handled, { kind: 'parked' | 'failed' }>
        | { kind: 'waitForDependency'; dependency: string; neededSeq: number; haveSeq: number };
      if (o.kind === 'waitForDependency')
        return {
          kind: 'waiting',
          seq: event.seq,
          dependency: o.dependency,
          neededSeq: o.neededSeq,
          haveSeq: o.haveSeq,
        };
      if (source === 'live') this.failures.succeeded(event.seq);
      return { kind: o.kind === 'ignored' ? 'ignored' : 'applied' };
    } catch (error) {
      if (crashedAt !== undefined) throw error instanceof ConsumerCrashed ? error : crash();
      if (error instanceof ConsumerCrashed) throw error;
      return this.failed(event, describe(error), source);
    }
  }

  /** A failed event: retried below the bound, then parked (at once during a rebuild, which must finish). */
  private failed(event: IncomingEvent, message: string, source: DeliverySource): Handled {
    const attempts = this.failures.record(event.seq, message, modeOf(source));
    if (this.failures.retries(attempts)) return { kind: 'failed', seq: event.seq, error: message, attempts };
    this.failures.parkFailed(event, message, attempts, modeOf(source));
    return { kind: 'parked' };
  }

  // ---- rebuild: reset, then the log from sequence 1 through handle, all in one transaction ----

  /**
   * The plug-in's tables are unknown to us, so there is no fresh copy to swap in: instead the whole rebuild runs in
   * one SQLite transaction on this connection (the plug-in's own `db.transaction` calls nest as savepoints), which
   * `finishRebuild` commits and `abortRebuild` rolls back. Other connections see the old view until the commit.
   */
  beginRebuild(): number {
    if (this.rebuilding) this.db.exec('ROLLBACK'); // a newer rebuild replaces one still running
    this.db.exec('BEGIN');
    this.rebuilding = true;
    try {
      this.plugin.reset(this.db);
      this.plugin.setup(this.db);
    } catch (error) {
      this.abortRebuild();
      throw error;
    }
    this.rebuildCheckpoint = 0;
    this.rebuildFromSeq = 0;
    this.failures.rebuildBegins();
    return ++this.rebuildGeneration;
  }

  applyRebuildBatch(events: readonly IncomingEvent[], firstSeq = 1): BatchResult {
    if (!this.rebuilding) throw new Error(`${this.plugin.target}: applyRebuildBatch before beginRebuild`);
    let applied = 0,
      ignored = 0,
      duplicates = 0,
      parked = 0;
    const result = (stop?: BatchStop): BatchResult => ({
      checkpoint: this.rebuildCheckpoint,
      applied,
      ignored,
      duplicates,
      parked,
      ...(stop ? { stop } : {}),
    });
    for (const event of events) {
      if (event.seq <= this.rebuildCheckpoint) {
        duplicates++;
        continue;
      }
      const expected = Math.max(this.rebuildCheckpoint + 1, firstSeq);
      if (event.seq !== expected) return result({ kind: 'gap', seq: event.seq, expected });
      const outcome = this.deliver(event, 'rebuild');
      if (outcome.kind === 'failed' || outcome.kind === 'waiting') return result(outcome);
      if (outcome.kind === 'applied') applied++;
      else if (outcome.kind === 'ignored') ignored++;
      else parked++;
      if (this.rebuildFromSeq === 0) this.rebuildFromSeq = event.seq;
      this.rebuildCheckpoint = event.seq;
    }
    return result();
  }

  rebuildProgress(): number {
    return this.rebuildCheckpoint;
  }

  finishRebuild(): void {
    if (!this.rebuilding) throw new Error(`${this.plugin.target}: finishRebuild before beginRebuild`);
    this.failures.closeLettersTheRebuildApplied(this.rebuildFromSeq, this.rebuildCheckpoint);
    this.writePosition.run(this.rebuildCheckpoint);
    this.db.exec('COMMIT');
    this.rebuilding = false;
    this.highWater = this.rebuildCheckpoint;
  }

  abortRebuild(generation?: number): void {
    if (generation !== undefined && generation !== this.rebuildGeneration) return;
    if (!this.rebuilding) return;
    this.rebuilding = false;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  /** Hands parked events to the plug-in again, in stream order, out of band (no crash points). */
  replayDeadLetters(): { replayed: number; stillFailing: number } {
    let replayed = 0,
      stillFailing = 0;
    for (const letter of this.deadLetters.unreplayed()) {
      const error = this.replayOne({
        seq: letter.seq,
        subject: letter.subject,
        data: letter.data,
        msgId: letter.msgId ?? undefined,
        deliveryCount: letter.attempts + 1,
      });
      if (error === undefined) {
        this.deadLetters.markReplayed(letter.seq, this.options.now());
        replayed++;
      } else {
        this.deadLetters.noteReplayFailure(letter.seq, error);
        stillFailing++;
      }
    }
    return { replayed, stillFailing };
  }

  /** Undefined when the plug-in took the event; else why not. */
  private replayOne(event: IncomingEvent): string | undefined {
    const decoded = decodeEnvelope(event.data);
    if (!decoded.ok) return decoded.error;
    try {
      const delivery = {
        streamSeq: event.seq,
        deliveryCount: event.deliveryCount ?? 1,
        eventId: decoded.value.eventId,
        source: 'deadLetterReplay' as const,
      };
      const ctx: HandleContext = { products: this.options.products, crashPoint: () => undefined };
      const outcome: unknown = this.plugin.handle(this.db, { seq: event.seq, envelope: decoded.value }, delivery, ctx);
      if (outcome instanceof Promise) {
        void outcome.then(undefined, () => undefined);
        return 'handle returned a Promise; it must be synchronous';
      }
      const o = outcome as { kind?: string; dependency?: string } | undefined;
      return o?.kind === 'waitForDependency' ? `still waiting for ${o.dependency ?? 'a dependency'}` : undefined;
    } catch (error) {
      return describe(error);
    }
  }
}
