/**
 * The operation history of a run, Jepsen-style: every client operation the workload made, with when it was invoked
 * and when it completed (scenario time), and how it ended — `ok`, `fail` (refused: it changed nothing), or `info`
 * (indeterminate: the service could not be reached or did not answer, so it may or may not have happened). For each
 * accepted order, when each read model it changes first reflected it: its convergence latency.
 */
import type { ReadModelName } from '../domain/readModels.js';

export type OperationType = 'place-order' | 'adjust-stock' | 'rename' | 'reprice';
export type OperationOutcome = 'ok' | 'fail' | 'info';

export interface Operation {
  readonly index: number;
  readonly type: OperationType;
  readonly invokeMs: number;
  readonly completeMs: number;
  readonly outcome: OperationOutcome;
  /** The accepted order's id. */
  readonly orderId?: string;
  /** Why it failed or is indeterminate. */
  readonly detail?: string;
  /** An accepted order: ms after its completion when each read model it changes first reflected it (null: never). */
  readonly visibleAfterMs?: Partial<Record<ReadModelName, number | null>>;
}

/** Operations kept at most: beyond, the history says how many it dropped (memory stays bounded). */
export const HISTORY_MAX = 200_000;

export class OperationHistory {
  private readonly ops: Operation[] = [];
  private next = 0;
  dropped = 0;

  /** Records one operation as it completes; `invokeMs` is when it was sent. */
  record(op: Omit<Operation, 'index'>): void {
    const index = this.next++;
    if (this.ops.length >= HISTORY_MAX) {
      this.dropped++;
      return;
    }
    this.ops.push({ index, ...op });
  }

  operations(): readonly Operation[] {
    return this.ops;
  }
}
