import { decodeEnvelope } from '../domain/envelope.js';
import type { DeadLetterStore } from './deadLetterStore.js';
import { DeliveryFailures } from './deliveryFailures.js';
import {
  liveTables,
  rebuildTables,
  type ApplyMode,
  type ProjectionView,
  type TableName,
  type ViewWriter,
} from './projectionView.js';
import { withTempFilesOnDisk, type Db } from './sqlite.js';

/** A message as the store needs it: position, bytes, and how often the broker has handed it over. */
export interface IncomingEvent {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly msgId?: string | undefined;
  /** How often the broker has handed it over (1 the first time); absent when read from the stream (rebuild). */
  readonly deliveryCount?: number | undefined;
}

export type BatchStop =
  /** The handler threw; the event is not applied and will be retried (it was below the delivery bound). */
  | { readonly kind: 'failed'; readonly seq: number; readonly error: string; readonly attempts: number }
  | {
      readonly kind: 'waiting';
      readonly seq: number;
      readonly dependency: string;
      readonly neededSeq: number;
      readonly haveSeq: number;
    }
  /** A later event arrived before the one due next (a nak'd one has not come back yet): not applied. */
  | { readonly kind: 'gap'; readonly seq: number; readonly expected: number };

export interface BatchResult {
  /** The committed checkpoint after the batch: every event at or below it may be acked. */
  readonly checkpoint: number;
  readonly applied: number;
  readonly ignored: number;
  readonly duplicates: number;
  readonly parked: number;
  readonly stop?: BatchStop;
}

/**
 * What the projection consumer drives: applies batches in stream order and says what may be acked, rebuilds from
 * sequence 1, replays dead letters. {@link ProjectionStore} is the transactional one every built-in uses; a
 * self-managed plug-in (src/plugins/selfManagedStore.ts) is driven through the same contract.
 */
export interface ProjectionApplier {
  /** The model's name and, where known, its tables. */
  readonly view: Pick<ProjectionView, 'name' | 'tables'>;
  readonly deadLetters: DeadLetterStore;
  /** The stream position applied up to (durable for the store; in memory for a self-managed plug-in). */
  checkpoint(): number;
  /** Applies `events` (in stream order). `firstSeq` is the stream's first sequence (1 unless purged). */
  applyBatch(events: readonly IncomingEvent[], firstSeq?: number): BatchResult;
  /** Starts a rebuild; returns its generation, for `abortRebuild`. */
  beginRebuild(): number;
  applyRebuildBatch(events: readonly IncomingEvent[], firstSeq?: number): BatchResult;
  rebuildProgress(): number;
  finishRebuild(): void;
  abortRebuild(generation?: number): void;
  replayDeadLetters(): { replayed: number; stillFailing: number };
  /** Told when the consumer (re)attaches to the broker, with the broker's contiguous ack floor: a new lifetime. */
  attached?(ackFloorSeq: number): void;
}

class WaitSignal extends Error {
  override readonly name = 'WaitSignal';
  constructor(readonly outcome: Extract<BatchStop, { kind: 'waiting' }>) {
    super('wait for dependency');
  }
}

const CHECKPOINT_DDL =
  'CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL)';

/**
 * The transactional heart of every projection: applies a batch of events and moves the checkpoint (the stream
 * sequence of the last event handled) in the same SQLite transaction as the view change, so a redelivered event
 * is recognised (seq ≤ checkpoint) and skipped. Handler failures are counted here, durably, and an event that
 * failed `maxDeliveries` times is parked in the dead-letter store in that same transaction. Events are applied
 * strictly in stream order: the checkpoint is a high-water mark, so skipping ahead would turn the skipped event
 * into a "duplicate" later, i.e. lose it.
 */
export class ProjectionStore implements ProjectionApplier {
  readonly deadLetters: DeadLetterStore;
  private readonly failures: DeliveryFailures;
  private writer: ViewWriter;
  private rebuildWriter: ViewWriter | undefined;
  private rebuildCheckpoint = 0;
  /** First sequence the running rebuild applied. */
  private rebuildFromSeq = 0;
  /** Bumped by every beginRebuild, so an interrupted rebuild cannot abort the one that replaced it. */
  private rebuildGeneration = 0;
  private readonly readCheckpoint;
  private readonly writeCheckpoint;

  constructor(
    readonly db: Db,
    readonly view: ProjectionView,
    private readonly options: { readonly maxDeliveries: number; readonly now: () => string },
  ) {
    db.exec(CHECKPOINT_DDL);
    this.failures = new DeliveryFailures(db, options);
    this.deadLetters = this.failures.deadLetters;
    db.transaction(() => {
      if (!this.tableExists(view.tables[0] ?? '')) this.createTables(liveTables);
    })();
    this.readCheckpoint = db.prepare('SELECT seq FROM checkpoint WHERE id = 1').pluck();
    this.writeCheckpoint = db.prepare(
      'INSERT INTO checkpoint (id, seq) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq',
    );
    this.writer = view.bind(db, liveTables);
  }

  checkpoint(): number {
    return (this.readCheckpoint.get() as number | undefined) ?? 0;
  }

  /** Applies `events` (in stream order) to the live view. `firstSeq` is the stream's first sequence (1 unless purged). */
  applyBatch(events: readonly IncomingEvent[], firstSeq = 1): BatchResult {
    return this.db.transaction(() => {
      const result = this.applyAll(events, this.writer, 'live', this.checkpoint(), firstSeq);
      this.writeCheckpoint.run(result.checkpoint);
      return result;
    })();
  }

  private applyAll(
    events: readonly IncomingEvent[],
    writer: ViewWriter,
    mode: ApplyMode,
    start: number,
    firstSeq: number,
  ): BatchResult {
    let checkpoint = start;
    let applied = 0,
      ignored = 0,
      duplicates = 0,
      parked = 0;
    const applyOne = this.db.transaction((event: IncomingEvent) => this.applyDecoded(event, writer, mode)); // nested: a savepoint
    for (const event of events) {
      if (event.seq <= checkpoint) {
        duplicates++;
        continue;
      }
      const expected = Math.max(checkpoint + 1, firstSeq);
      if (event.seq !== expected)
        return { checkpoint, applied, ignored, duplicates, parked, stop: { kind: 'gap', seq: event.seq, expected } };
      try {
        const outcome = applyOne(event);
        if (outcome === 'applied') applied++;
        else if (outcome === 'ignored') ignored++;
        else parked++;
        checkpoint = event.seq;
      } catch (error) {
        if (error instanceof WaitSignal)
          return { checkpoint, applied, ignored, duplicates, parked, stop: error.outcome };
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        const attempts = this.failures.record(event.seq, message, mode);
        if (this.failures.retries(attempts)) {
          return {
            checkpoint,
            applied,
            ignored,
            duplicates,
            parked,
            stop: { kind: 'failed', seq: event.seq, error: message, attempts },
          };
        }
        this.failures.parkFailed(event, message, attempts, mode);
        parked++;
        checkpoint = event.seq;
      }
    }
    return { checkpoint, applied, ignored, duplicates, parked };
  }

  /** Returns 'parked' for an undecodable event: retrying cannot make bytes decode. */
  private applyDecoded(event: IncomingEvent, writer: ViewWriter, mode: ApplyMode): 'applied' | 'ignored' | 'parked' {
    const decoded = decodeEnvelope(event.data);
    if (!decoded.ok) {
      this.failures.park(event, decoded.error, 1, mode);
      return 'parked';
    }
    const outcome = writer.apply({ seq: event.seq, envelope: decoded.value }, mode);
    if (outcome.kind === 'waitForDependency')
      throw new WaitSignal({
        kind: 'waiting',
        seq: event.seq,
        dependency: outcome.dependency,
        neededSeq: outcome.neededSeq,
        haveSeq: outcome.haveSeq,
      });
    this.failures.succeeded(event.seq);
    return outcome.kind;
  }

  /** Attempts recorded so far for an event that keeps failing (0 if none). */
  failedAttempts(seq: number): number {
    return this.failures.attempts(seq);
  }

  // ---- rebuild: replay the log into fresh tables, then swap them in ----

  /** Starts a rebuild into fresh tables; returns its generation, for `abortRebuild`. */
  beginRebuild(): number {
    this.db.transaction(() => {
      this.dropTables(rebuildTables);
      this.createTables(rebuildTables);
    })();
    this.rebuildWriter = this.view.bind(this.db, rebuildTables);
    this.rebuildCheckpoint = 0;
    this.rebuildFromSeq = 0;
    this.failures.rebuildBegins();
    return ++this.rebuildGeneration;
  }

  applyRebuildBatch(events: readonly IncomingEvent[], firstSeq = 1): BatchResult {
    const writer = this.rebuildWriter;
    if (!writer) throw new Error(`${this.view.name}: applyRebuildBatch before beginRebuild`);
    return this.db.transaction(() => {
      const result = this.applyAll(events, writer, 'rebuild', this.rebuildCheckpoint, firstSeq);
      if (this.rebuildFromSeq === 0 && result.checkpoint > this.rebuildCheckpoint)
        this.rebuildFromSeq = Math.max(this.rebuildCheckpoint + 1, firstSeq);
      this.rebuildCheckpoint = result.checkpoint;
      return result;
    })();
  }

  rebuildProgress(): number {
    return this.rebuildCheckpoint;
  }

  /** Atomically replaces the live tables with the rebuilt ones and moves the checkpoint to where the rebuild stopped. */
  finishRebuild(): void {
    if (!this.rebuildWriter) throw new Error(`${this.view.name}: finishRebuild before beginRebuild`);
    // The swap builds the reader-only indexes over the whole view: their sort spills to disk, not to memory.
    withTempFilesOnDisk(this.db, () =>
      this.db.transaction(() => {
        this.dropTables(liveTables);
        for (const base of this.view.tables) {
          this.dropIndexesOf(rebuildTables(base));
          this.db.exec(`ALTER TABLE "${rebuildTables(base)}" RENAME TO "${base}"`);
        }
        for (const sql of [...this.view.indexDdl(liveTables), ...(this.view.queryIndexDdl?.(liveTables) ?? [])])
          this.db.exec(sql);
        this.writeCheckpoint.run(this.rebuildCheckpoint);
        this.failures.closeLettersTheRebuildApplied(this.rebuildFromSeq, this.rebuildCheckpoint);
      })(),
    );
    this.rebuildWriter = undefined;
    this.writer = this.view.bind(this.db, liveTables); // statements must be re-prepared against the swapped tables
  }

  /** Drops the rebuild tables; given a generation, only if no newer rebuild has begun since. */
  abortRebuild(generation?: number): void {
    if (generation !== undefined && (generation !== this.rebuildGeneration || this.rebuildWriter === undefined)) return;
    this.db.transaction(() => this.dropTables(rebuildTables))();
    this.rebuildWriter = undefined;
  }

  /** Re-applies parked events in stream order, out of band. Returns how many now applied. */
  replayDeadLetters(): { replayed: number; stillFailing: number } {
    let replayed = 0,
      stillFailing = 0;
    for (const letter of this.deadLetters.unreplayed()) {
      try {
        this.db.transaction(() => {
          const decoded = decodeEnvelope(letter.data);
          if (!decoded.ok) throw new Error(decoded.error);
          const outcome = this.writer.apply({ seq: letter.seq, envelope: decoded.value }, 'live');
          if (outcome.kind === 'waitForDependency') throw new Error(`still waiting for ${outcome.dependency}`);
          this.deadLetters.markReplayed(letter.seq, this.options.now());
        })();
        replayed++;
      } catch (error) {
        this.deadLetters.noteReplayFailure(letter.seq, error instanceof Error ? error.message : String(error));
        stillFailing++;
      }
    }
    return { replayed, stillFailing };
  }

  private tableExists(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  /** Rebuild tables get only the indexes the writer uses; the live ones get every index (see queryIndexDdl). */
  private createTables(t: TableName): void {
    const queryIndexes = t === liveTables ? (this.view.queryIndexDdl?.(t) ?? []) : [];
    for (const sql of [...this.view.tableDdl(t), ...this.view.indexDdl(t), ...queryIndexes]) this.db.exec(sql);
  }

  private dropTables(t: TableName): void {
    for (const base of this.view.tables) this.db.exec(`DROP TABLE IF EXISTS "${t(base)}"`);
  }

  private dropIndexesOf(table: string): void {
    const names = this.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
      .pluck()
      .all(table) as string[];
    for (const name of names) this.db.exec(`DROP INDEX "${name}"`);
  }
}
