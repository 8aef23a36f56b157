import { READ_MODEL_INFO, READ_MODELS, readersOf, type ReadModelName } from '../domain/readModels.js';
import type { Divergence } from './divergence.js';

/**
 * Models that copy state out of another (the summary copies product names): damage there spreads to them.
 * Kept here, beside the one rule that needs it, until the read-model registry owns it.
 */

/** The first time a model was found different from the oracle while every model had applied exactly the log read. */
export interface CaughtUpDivergence {
  readonly atMs: number;
  readonly headSeq: number;
  readonly divergence: Divergence;
}

/**
 * The final comparison sees only the end of a run, and a later event often hides a wrong one (a stale rename
 * written back late is overwritten by the next rename). But whenever *every* model has applied exactly the events
 * the oracle just read, each must equal the oracle at that head: the models are a function of the log prefix, the
 * summary's names included (Products is at that head too). So every such sample is a check, like the end.
 *
 * Except where divergence is expected: a model with a handler bug or silent corruption (injected, or from the
 * dashboard), or dead letters replayed out of order, is wrong until it is rebuilt — and so is a model that reads
 * from it; a model in the middle of a rebuild is not compared either. Those are judged at the end, as before.
 */
export class CaughtUpCheck {
  /** Tainted model → its consumer's rebuild count when tainted: a later rebuild (its upstream clean) clears it. */
  private readonly tainted = new Map<ReadModelName, number>();
  private readonly first = new Map<ReadModelName, CaughtUpDivergence>();

  /** `model` (and what reads from it) may be wrong until rebuilt; `rebuilds` gives each consumer's count now. */
  taint(model: ReadModelName, rebuilds: (m: ReadModelName) => number): void {
    for (const m of [model, ...readersOf(model)]) this.tainted.set(m, rebuilds(m));
  }

  /** Clears models rebuilt since they were tainted, upstream first. */
  private clearRebuilt(rebuilds: (m: ReadModelName) => number): void {
    for (const m of READ_MODELS) {
      const since = this.tainted.get(m);
      const upstream = READ_MODEL_INFO[m].readsFrom;
      if (since !== undefined && rebuilds(m) > since && (upstream === undefined || !this.tainted.has(upstream)))
        this.tainted.delete(m);
    }
  }

  /**
   * One sample: when every model's checkpoint is exactly `headSeq`, each model neither tainted nor rebuilding must
   * have no divergence. The first divergence per model is kept.
   */
  observe(sample: {
    readonly atMs: number;
    readonly headSeq: number;
    readonly checkpoints: Readonly<Record<ReadModelName, number>>;
    readonly rebuilding: (m: ReadModelName) => boolean;
    readonly rebuilds: (m: ReadModelName) => number;
    readonly divergence: Readonly<Record<ReadModelName, Divergence>>;
    readonly divergent: (d: Divergence) => number;
  }): void {
    this.clearRebuilt(sample.rebuilds);
    if (!READ_MODELS.every((m) => sample.checkpoints[m] === sample.headSeq)) return;
    for (const m of READ_MODELS) {
      if (this.first.has(m) || this.tainted.has(m) || sample.rebuilding(m)) continue;
      const d = sample.divergence[m];
      if (sample.divergent(d) > 0) this.first.set(m, { atMs: sample.atMs, headSeq: sample.headSeq, divergence: d });
    }
  }

  /**
   * Forgets what was found at heads from `seq` on: those samples compared the models with a history the stream no
   * longer holds (the broker rewrote it, see IncrementalOracle.adopt).
   */
  forgetFrom(seq: number): void {
    for (const [m, found] of this.first) if (found.headSeq >= seq) this.first.delete(m);
  }

  /** Per model, the first caught-up divergence seen (absent: none). */
  findings(): Partial<Record<ReadModelName, CaughtUpDivergence>> {
    return Object.fromEntries(this.first);
  }
}
