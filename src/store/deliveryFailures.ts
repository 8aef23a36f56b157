import { DeadLetterStore, type ParkableEvent } from './deadLetterStore.js';
import type { ApplyMode } from './projectionView.js';
import type { Db } from './sqlite.js';

const FAILURES_DDL =
  'CREATE TABLE IF NOT EXISTS failures (seq INTEGER PRIMARY KEY, attempts INTEGER NOT NULL, last_error TEXT NOT NULL)';

/**
 * The failure and dead-letter bookkeeping both kinds of projection store share (the built-ins' ProjectionStore and
 * the self-managed plug-ins' store): handler failures counted per event, durably, in the projection's own database;
 * an event parked in the dead-letter store once it failed `maxDeliveries` times (or at once during a rebuild, which
 * must finish); and, when a rebuild is swapped in, the letters it resolved closed.
 */
export class DeliveryFailures {
  readonly deadLetters: DeadLetterStore;
  /** Events the running rebuild parked: the letters it did not resolve. */
  private readonly parkedInRebuild = new Set<number>();
  private readonly readFailure;
  private readonly upsertFailure;
  private readonly clearFailure;

  constructor(
    private readonly db: Db,
    private readonly options: { readonly maxDeliveries: number; readonly now: () => string },
  ) {
    db.exec(FAILURES_DDL);
    this.deadLetters = new DeadLetterStore(db);
    this.readFailure = db.prepare('SELECT attempts FROM failures WHERE seq = ?').pluck();
    this.upsertFailure = db.prepare(
      'INSERT INTO failures (seq, attempts, last_error) VALUES (?, 1, ?) ON CONFLICT(seq) DO UPDATE SET attempts = attempts + 1, last_error = excluded.last_error',
    );
    this.clearFailure = db.prepare('DELETE FROM failures WHERE seq = ?');
  }

  /** Counts one more failure of `seq`; returns the attempts so far. A rebuild does not retry: the bound, at once. */
  record(seq: number, message: string, mode: ApplyMode): number {
    if (mode === 'rebuild') return this.options.maxDeliveries;
    this.upsertFailure.run(seq, message);
    return this.readFailure.get(seq) as number;
  }

  /** Whether `attempts` failures leave the event to be retried (else it is parked). */
  retries(attempts: number): boolean {
    return attempts < this.options.maxDeliveries;
  }

  /** The event went through: its failure count, if any, is forgotten. */
  succeeded(seq: number): void {
    this.clearFailure.run(seq);
  }

  /** Attempts recorded so far for an event that keeps failing (0 if none). */
  attempts(seq: number): number {
    return (this.readFailure.get(seq) as number | undefined) ?? 0;
  }

  /** Parks `event` with `reason` (its failure count goes with it); remembered if a rebuild parked it. */
  park(event: ParkableEvent, reason: string, attempts: number, mode: ApplyMode): void {
    this.db.transaction(() => {
      this.deadLetters.park(event, reason, attempts, this.options.now());
      this.clearFailure.run(event.seq);
    })();
    if (mode === 'rebuild') this.parkedInRebuild.add(event.seq);
  }

  /** Parks an event that failed for the last time. */
  parkFailed(event: ParkableEvent, message: string, attempts: number, mode: ApplyMode): void {
    this.park(event, `handler failed ${attempts} times; last error: ${message}`, attempts, mode);
  }

  /** A rebuild begins: nothing parked by it yet. */
  rebuildBegins(): void {
    this.parkedInRebuild.clear();
  }

  /**
   * A parked event the rebuild went past (`fromSeq`..`throughSeq`) without parking it again was applied (its fix
   * is deployed): it is in the view now, so its letter is closed; otherwise a later replay would apply it twice.
   */
  closeLettersTheRebuildApplied(fromSeq: number, throughSeq: number): void {
    if (fromSeq === 0) return;
    for (const letter of this.deadLetters.unreplayed()) {
      if (letter.seq < fromSeq || letter.seq > throughSeq || this.parkedInRebuild.has(letter.seq)) continue;
      this.deadLetters.markReplayed(letter.seq, this.options.now());
    }
  }
}
