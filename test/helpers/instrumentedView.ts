/**
 * The real Products view with a test's hands on it: every call of its handler is recorded (sequence, live or
 * rebuild, virtual time, whether it threw), and a `fault` can make the handler throw for chosen events, the way a
 * buggy projection does. The writes themselves are the real view's, in the real store's transaction.
 */
import type { Positioned } from '../../src/domain/envelope.js';
import type { ApplyMode, ProjectionView } from '../../src/store/projectionView.js';
import { productsView } from '../../src/store/views/productsView.js';

export interface HandlerCall {
  readonly seq: number;
  readonly mode: ApplyMode;
  readonly atMs: number;
  /** 1 for the first call with this sequence in this mode, 2 for the next, … */
  readonly attempt: number;
  readonly threw: boolean;
}

/** The error message to throw for this call, or undefined to apply it. */
export type Fault = (event: Positioned, attempt: number) => string | undefined;

export function instrumentedProductsView(
  now: () => number,
  fault: Fault = () => undefined,
): { view: ProjectionView; calls: HandlerCall[] } {
  const calls: HandlerCall[] = [];
  const view: ProjectionView = {
    ...productsView,
    bind(db, t) {
      const inner = productsView.bind(db, t);
      return {
        apply(event, mode) {
          const attempt = calls.filter((c) => c.seq === event.seq && c.mode === mode).length + 1;
          const message = fault(event, attempt);
          calls.push({ seq: event.seq, mode, atMs: now(), attempt, threw: message !== undefined });
          if (message !== undefined) throw new Error(message);
          return inner.apply(event, mode);
        },
      };
    },
  };
  return { view, calls };
}
