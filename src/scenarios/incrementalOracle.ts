import { decodeEnvelope } from '../domain/envelope.js';
import { emptyReferenceState, foldEvent, type ReferenceState } from '../domain/projections/oracle.js';
import type { StoredEvent, Transport } from '../transport/port.js';
import type { LogEntry, ReadLog } from './eventLog.js';

/** Examples named per rewrite (the count is always whole). */
const REWRITE_EXAMPLES_MAX = 3;

/**
 * The stream's history changed under the oracle: sequence numbers it had read hold other events now (or no longer
 * exist). A broker that let a reader see events it later discarded — a dirty read, seen on a cluster node cut off
 * from the others — not something the testbed or a projection did.
 */
export interface HistoryRewrite {
  /** The first sequence number whose event changed. */
  readonly fromSeq: number;
  /** Sequence numbers read earlier whose event is different or gone now. */
  readonly changed: number;
  readonly examples: readonly string[];
}

/**
 * The oracle, kept current while a scenario runs: it reads the stream from where it stopped and folds the new
 * events into the reference state. It also watches an invariant the fold alone cannot show afterwards: whether
 * any product's available quantity ever went below zero at any point of the log (the oversell).
 *
 * Reading on from where it stopped assumes what it read stays put. `adopt` checks that against a whole fresh read
 * and, where the broker rewrote history, starts over from what the stream holds now (the log the models must end
 * up equal to), keeping the rewrite for the report.
 */
export class IncrementalOracle {
  private reference: ReferenceState = emptyReferenceState();
  log: LogEntry[] = [];
  undecodable: { seq: number; reason: string }[] = [];
  firstNegative: { seq: number; productId: string; quantity: number } | undefined;
  /** Every rewrite of history found, in the order found. */
  readonly rewrites: HistoryRewrite[] = [];
  private readSeq = 0;
  /** Each sequence number read, and the event id it held then (undefined: it did not decode). */
  private readonly readIds = new Map<number, string | undefined>();

  constructor(
    private readonly transport: Transport,
    private readonly pageSize = 1_000,
  ) {}

  get state(): ReferenceState {
    return this.reference;
  }

  /** Folds everything the stream has now. Returns the head sequence. */
  async catchUp(): Promise<number> {
    for (;;) {
      const page = await this.transport.readRange(this.readSeq + 1, this.pageSize);
      if (page.length === 0) return this.readSeq;
      for (const stored of page) this.fold(stored);
    }
  }

  /**
   * Compares what was read with `fresh`, a whole read of the stream made now. Same history: nothing changes, and
   * undefined. Otherwise the oracle starts over from `fresh` and the rewrite is returned (and kept in `rewrites`).
   */
  adopt(fresh: ReadLog): HistoryRewrite | undefined {
    const now = new Map<number, string | undefined>(fresh.entries.map((e) => [e.seq, e.envelope.eventId]));
    for (const u of fresh.undecodable) now.set(u.seq, undefined);
    const changed = [...this.readIds].filter(([seq, id]) => !now.has(seq) || now.get(seq) !== id);
    if (changed.length === 0) return undefined;
    const rewrite: HistoryRewrite = {
      fromSeq: Math.min(...changed.map(([seq]) => seq)),
      changed: changed.length,
      examples: changed
        .slice(0, REWRITE_EXAMPLES_MAX)
        .map(
          ([seq, id]) =>
            `seq ${seq}: read ${id ?? 'undecodable'}, now ${now.has(seq) ? (now.get(seq) ?? 'undecodable') : 'gone'}`,
        ),
    };
    this.rewrites.push(rewrite);
    this.reference = emptyReferenceState();
    this.log = [];
    this.undecodable = [];
    this.firstNegative = undefined;
    this.readSeq = 0;
    this.readIds.clear();
    const rebuilt = [
      ...fresh.entries.map((entry) => ({ seq: entry.seq, fold: () => this.foldEntry(entry) })),
      ...fresh.undecodable.map((u) => ({ seq: u.seq, fold: () => this.skip(u.seq, u.reason) })),
    ].sort((a, b) => a.seq - b.seq);
    for (const r of rebuilt) r.fold();
    return rewrite;
  }

  private fold(stored: StoredEvent): void {
    const decoded = decodeEnvelope(stored.data);
    if (decoded.ok) this.foldEntry({ seq: stored.seq, envelope: decoded.value });
    else this.skip(stored.seq, decoded.error);
  }

  private foldEntry(entry: LogEntry): void {
    foldEvent(this.reference, entry.seq, entry.envelope);
    this.log.push(entry);
    this.watchNegative(entry);
    this.readIds.set(entry.seq, entry.envelope.eventId);
    this.readSeq = entry.seq;
  }

  private skip(seq: number, reason: string): void {
    this.undecodable.push({ seq, reason });
    this.reference.lastSeq = seq;
    this.readIds.set(seq, undefined);
    this.readSeq = seq;
  }

  private watchNegative(entry: LogEntry): void {
    if (this.firstNegative) return;
    const e = entry.envelope.data;
    const touched =
      e.type === 'OrderPlaced' ? e.items.map((l) => l.productId) : e.type === 'StockAdjusted' ? [e.productId] : [];
    for (const productId of touched) {
      const quantity = this.reference.inventory.get(productId) ?? 0;
      if (quantity < 0) {
        this.firstNegative = { seq: entry.seq, productId, quantity };
        return;
      }
    }
  }
}
