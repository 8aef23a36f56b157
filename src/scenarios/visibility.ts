import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type { LogEntry } from './eventLog.js';
import type { Operation } from './history.js';

/** The read models an accepted order changes (Products holds names and prices only). */
export const ORDER_READ_MODELS: readonly ReadModelName[] = ['product-inventory', 'customer-order-summary'];

/** Convergence latency of one read model over a run's accepted orders (Maelstrom's "stable latency"). */
export interface LatencySummary {
  /** Accepted orders that became visible in it. */
  readonly orders: number;
  /** Accepted orders it never reflected before the run was judged. */
  readonly neverVisible: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * When each read model's checkpoint first reached each position, from frequent looks at the checkpoints (only the
 * looks where one moved are kept: bounded by the commits). A model reflects the event at seq S from the first look
 * that found its checkpoint at S or beyond.
 */
export class VisibilityTracker {
  private readonly seen = new Map<ReadModelName, { atMs: number[]; checkpoint: number[] }>(
    READ_MODELS.map((m) => [m, { atMs: [], checkpoint: [] }]),
  );

  observe(atMs: number, checkpointOf: (m: ReadModelName) => number): void {
    for (const m of READ_MODELS) {
      const s = this.seen.get(m);
      const checkpoint = checkpointOf(m);
      // Only a new high: a rebuild from 0 does not make events already seen visible again later.
      if (s && checkpoint > (s.checkpoint.at(-1) ?? 0)) {
        s.atMs.push(atMs);
        s.checkpoint.push(checkpoint);
      }
    }
  }

  /** When model `m` first reflected the event at `seq`, or undefined if it never did. */
  visibleAt(m: ReadModelName, seq: number): number | undefined {
    const s = this.seen.get(m);
    if (!s) return undefined;
    let lo = 0;
    let hi = s.checkpoint.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((s.checkpoint[mid] ?? 0) >= seq) {
        found = s.atMs[mid];
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return found;
  }
}

/**
 * Each accepted order with when every model it changes first reflected it (ms after its 201), and the latency per
 * model over all of them. The order's position is its `OrderPlaced` event in the log.
 */
export function convergenceLatency(
  operations: readonly Operation[],
  log: readonly LogEntry[],
  tracker: VisibilityTracker,
): { operations: Operation[]; latency: Partial<Record<ReadModelName, LatencySummary>> } {
  const seqOfOrder = new Map<string, number>();
  for (const { seq, envelope } of log)
    if (envelope.data.type === 'OrderPlaced') seqOfOrder.set(envelope.data.orderId, seq);
  const samples = new Map<ReadModelName, number[]>(ORDER_READ_MODELS.map((m) => [m, []]));
  const never = new Map<ReadModelName, number>(ORDER_READ_MODELS.map((m) => [m, 0]));
  const withLatency = operations.map((op) => {
    const seq = op.orderId === undefined ? undefined : seqOfOrder.get(op.orderId);
    if (op.outcome !== 'ok' || seq === undefined) return op;
    const visibleAfterMs: Partial<Record<ReadModelName, number | null>> = {};
    for (const m of ORDER_READ_MODELS) {
      const at = tracker.visibleAt(m, seq);
      const after = at === undefined ? null : Math.max(0, at - op.completeMs);
      visibleAfterMs[m] = after;
      if (after === null) never.set(m, (never.get(m) ?? 0) + 1);
      else samples.get(m)?.push(after);
    }
    return { ...op, visibleAfterMs };
  });
  const latency: Partial<Record<ReadModelName, LatencySummary>> = {};
  for (const m of ORDER_READ_MODELS) {
    const values = (samples.get(m) ?? []).sort((a, b) => a - b);
    const q = (p: number) => values[Math.min(values.length - 1, Math.ceil(p * values.length) - 1)] ?? 0;
    latency[m] = {
      orders: values.length,
      neverVisible: never.get(m) ?? 0,
      p50Ms: q(0.5),
      p95Ms: q(0.95),
      p99Ms: q(0.99),
      maxMs: values.at(-1) ?? 0,
    };
  }
  return { operations: withLatency, latency };
}
