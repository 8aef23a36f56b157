import type { EventEnvelope } from '../envelope.js';
import { evolveSummary, type SummaryState } from './customerOrderSummary.js';
import { evolveInventory, type InventoryState } from './productInventory.js';
import { evolveProducts, type ProductsState } from './products.js';

/** The expected state of every read model after a prefix of the log. */
export interface ReferenceState {
  readonly inventory: InventoryState;
  readonly products: ProductsState;
  readonly summaries: SummaryState;
  /** Stream sequence of the last event folded (0 before any). */
  lastSeq: number;
}

export function emptyReferenceState(): ReferenceState {
  return { inventory: new Map(), products: new Map(), summaries: new Map(), lastSeq: 0 };
}

/** Folds one more event into every reference model, in the order the live projections must respect. */
export function foldEvent(state: ReferenceState, seq: number, envelope: EventEnvelope): void {
  evolveInventory(state.inventory, envelope);
  evolveProducts(state.products, envelope);
  evolveSummary(state.summaries, state.products, envelope);
  state.lastSeq = seq;
}

/** The oracle: the reference fold of a whole log. */
export function foldLog(log: Iterable<{ readonly seq: number; readonly envelope: EventEnvelope }>): ReferenceState {
  const state = emptyReferenceState();
  for (const { seq, envelope } of log) foldEvent(state, seq, envelope);
  return state;
}
