import { decodeEnvelope } from '../domain/envelope.js';
import { emptyReferenceState, foldEvent, type ReferenceState } from '../domain/projections/oracle.js';
import type { Transport } from '../transport/port.js';
import type { LogEntry } from './eventLog.js';

/**
 * The oracle, kept current while a scenario runs: it reads the stream from where it stopped and folds the new
 * events into the reference state. It also watches an invariant the fold alone cannot show afterwards: whether
 * any product's available quantity ever went below zero at any point of the log (the oversell).
 */
export class IncrementalOracle {
  readonly state: ReferenceState = emptyReferenceState();
  readonly log: LogEntry[] = [];
  readonly undecodable: { seq: number; reason: string }[] = [];
  firstNegative: { seq: number; productId: string; quantity: number } | undefined;
  private readSeq = 0;

  constructor(
    private readonly transport: Transport,
    private readonly pageSize = 1_000,
  ) {}

  /** Folds everything the stream has now. Returns the head sequence. */
  async catchUp(): Promise<number> {
    for (;;) {
      const page = await this.transport.readRange(this.readSeq + 1, this.pageSize);
      if (page.length === 0) return this.readSeq;
      for (const stored of page) {
        const decoded = decodeEnvelope(stored.data);
        if (decoded.ok) {
          const entry = { seq: stored.seq, envelope: decoded.value };
          foldEvent(this.state, stored.seq, decoded.value);
          this.log.push(entry);
          this.watchNegative(entry);
        } else {
          this.undecodable.push({ seq: stored.seq, reason: decoded.error });
          this.state.lastSeq = stored.seq;
        }
        this.readSeq = stored.seq;
      }
    }
  }

  private watchNegative(entry: LogEntry): void {
    if (this.firstNegative) return;
    const e = entry.envelope.data;
    const touched =
      e.type === 'OrderPlaced' ? e.items.map((l) => l.productId) : e.type === 'StockAdjusted' ? [e.productId] : [];
    for (const productId of touched) {
      const quantity = this.state.inventory.get(productId) ?? 0;
      if (quantity < 0) {
        this.firstNegative = { seq: entry.seq, productId, quantity };
        return;
      }
    }
  }
}
