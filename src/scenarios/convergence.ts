import { sleep, type Clock } from '../actors/clock.js';
import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type { SystemView } from './systemView.js';
import { strandedReservations } from './reservationCheck.js';

/** How long a system must sit still (everything applied, nothing retrying) with divergence left before we stop waiting. */
const QUIESCENT_GIVE_UP_MS = 2_000;

/** What one successful sample established about convergence. */
export interface SampleFacts {
  /** Keys that differ from the oracle, over every model. */
  readonly divergent: number;
  /** Models whose checkpoint is below the head the oracle read: equal values there may only mean "not yet". */
  readonly behindHead: readonly ReadModelName[];
}

/**
 * Nothing is on its way into the log and nothing is left to settle on the command side: both outboxes drained, no
 * order between its check and its commit, no reservation held for an order that is not placed (the reconciler
 * releases those after its hold time).
 */
function commandSideSettled(view: SystemView): boolean {
  return (
    view.orderStore.outbox.backlog() === 0 &&
    view.inventoryStore.outbox.backlog() === 0 &&
    view.ordersInFlight() === 0 &&
    strandedReservations(view.inventoryStore, view.orderStore).length === 0
  );
}

/**
 * Polls until a fresh sample finds every model equal to the oracle *and* at the head of the stream, with nothing
 * left on its way into the log; the scenario time it did, or null. Values alone are not enough: a model lagging
 * behind events that happen not to change it (a reprice, for inventory) looks equal until the next one lands. A
 * failed sample (broker unreachable) proves nothing. Gives up early when the system is quiescent — nothing in
 * flight, every consumer idle — and still divergent for a while: nothing is left that could repair it (silent
 * corruption, stale names) — unless `historyRewritten` finds the oracle read a history the broker later discarded
 * (it then starts over from the stream as it is, and the wait goes on).
 */
export async function waitForConvergence(
  view: SystemView,
  clock: Clock,
  deadline: number,
  sample: () => Promise<void>,
  latest: () => SampleFacts | undefined,
  elapsed: () => number,
  historyRewritten: () => Promise<boolean>,
): Promise<number | null> {
  let quietSince: number | undefined;
  while (clock.now() < deadline) {
    await sample();
    const facts = latest();
    const drained = commandSideSettled(view);
    if (drained && facts !== undefined && facts.divergent === 0 && facts.behindHead.length === 0) return elapsed();
    // Only a sample that read the log proves divergence is left; one that failed (the broker unreachable from here)
    // says nothing, and waiting it out is what the deadline is for.
    const quiet = facts !== undefined && drained && READ_MODELS.every((m) => view.consumer(m).state === 'idle');
    quietSince = quiet ? (quietSince ?? clock.now()) : undefined;
    if (quietSince !== undefined && clock.now() - quietSince > QUIESCENT_GIVE_UP_MS) {
      // Before giving up: the divergence may be the oracle's own, if the broker rewrote history it had read.
      if (!(await historyRewritten())) return null;
      quietSince = undefined;
    }
    await sleep(clock, 100);
  }
  return null;
}
