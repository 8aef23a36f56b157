/**
 * What a simulated consumer persists, kept the way nats-server 2.9's consumer file store keeps it. It differs from
 * the live state in one visible way: the stored "delivered" position is the last message handed out, while the live
 * cursor also moves past non-matching messages it scanned. So after a restart the ack floor of a filtered consumer
 * can be lower than it was before (observed on 2.9.10: 5 before a restart, 3 after).
 */
export class SimConsumerStore {
  deliveredDseq = 0;
  deliveredSeq: number;
  floorDseq = 0;
  floorSeq: number;

  constructor(startSeq: number) {
    this.deliveredSeq = startSeq - 1;
    this.floorSeq = startSeq - 1;
  }

  updateDelivered(dseq: number, seq: number): void {
    if (dseq <= this.floorDseq) return;
    this.deliveredDseq = Math.max(this.deliveredDseq, dseq);
    this.deliveredSeq = Math.max(this.deliveredSeq, seq);
  }

  /** `pending` is the consumer's pending map after the ack removed `seq` from it. */
  updateAcks(dseq: number, seq: number, pending: ReadonlyMap<number, { readonly dseq: number }>): void {
    if (dseq <= this.floorDseq) return;
    if (pending.size === 0) {
      this.floorDseq = this.deliveredDseq;
      this.floorSeq = this.deliveredSeq;
    } else if (dseq === this.floorDseq + 1) {
      this.floorDseq = dseq;
      this.floorSeq = seq;
      if (this.deliveredDseq > dseq) {
        const next = lowestAbove(pending, seq, this.deliveredSeq);
        if (next !== undefined) {
          this.floorDseq = next.dseq - 1;
          this.floorSeq = next.seq - 1;
        }
      }
    }
  }
}

/** The pending entry with the lowest stream seq in (above, upTo], if any. */
export function lowestAbove(
  pending: ReadonlyMap<number, { readonly dseq: number }>,
  above: number,
  upTo: number,
): { readonly seq: number; readonly dseq: number } | undefined {
  let found: { seq: number; dseq: number } | undefined;
  for (const [seq, p] of pending) {
    if (seq > above && seq <= upTo && (found === undefined || seq < found.seq)) found = { seq, dseq: p.dseq };
  }
  return found;
}
