import type { ReadModelName } from '../domain/readModels.js';
import type { CaughtUpDivergence } from './caughtUpCheck.js';
import type { Divergence } from './divergence.js';
import type { ReservationCheck } from './reservationCheck.js';
import type { ExpectationSpec, PropertyName } from './scenario.js';
import type { LatencySummary } from './visibility.js';
import type { WriteModelCheck } from './writeModelCheck.js';

export interface PropertyResult {
  readonly name: string;
  readonly holds: boolean;
  readonly detail: string;
}

/** What the run established, from which every property is judged. */
export interface RunFacts {
  readonly finalDivergence: Readonly<Record<ReadModelName, Divergence>>;
  /** Divergence found while every model had applied exactly the log read (see CaughtUpCheck); judged like the end. */
  readonly caughtUpDivergence: Readonly<Partial<Record<ReadModelName, CaughtUpDivergence>>>;
  readonly convergedAfterMs: number | null;
  readonly writeModel: WriteModelCheck;
  readonly reservations: ReservationCheck;
  readonly deadLetters: Readonly<Record<ReadModelName, number>>;
  readonly firstNegative: { seq: number; productId: string; quantity: number } | undefined;
  /** Undefined when no rebuild comparison was run. */
  readonly rebuildMismatches: Readonly<Record<ReadModelName, RebuildComparison>> | undefined;
  /** Per read model an order changes: how long accepted orders took to become visible (see visibility.ts). */
  readonly latency: Readonly<Partial<Record<ReadModelName, LatencySummary>>>;
}

/** A rebuilt view against the incremental one: keys that differ, or why they could not be compared. */
export type RebuildComparison = { readonly keysDiffer: number } | { readonly notComparedBecause: string };

const models = (facts: RunFacts) => Object.entries(facts.finalDivergence) as [ReadModelName, Divergence][];
const list = (parts: string[]) => (parts.length === 0 ? 'none' : parts.join(', '));

/**
 * Per model, what a bucket counted at the end — or, if the end is clean, at the first caught-up sample that was not
 * (an error a later event covered up is still an error).
 */
function findings(facts: RunFacts, count: (d: Divergence) => number, describe: (d: Divergence) => string): string[] {
  return models(facts).flatMap(([m, final]) => {
    if (count(final) > 0) return [`${m}: ${describe(final)}`];
    const seen = facts.caughtUpDivergence[m];
    return seen && count(seen.divergence) > 0
      ? [`${m}: ${describe(seen.divergence)} at ${seen.atMs} ms, every model at seq ${seen.headSeq} (covered up later)`]
      : [];
  });
}

type Judgment = { holds: boolean; detail: string };
type JudgeSpec = { withinMs?: number; target?: ReadModelName; count?: number; p99Ms?: number };

/** How each property is judged from the run's facts: one entry per property name. */
const JUDGES: { readonly [P in PropertyName]: (facts: RunFacts, spec: JudgeSpec) => Judgment } = {
  converges: (facts, spec) => {
    const within = spec.withinMs ?? Number.POSITIVE_INFINITY;
    const after = facts.convergedAfterMs;
    return after === null
      ? { holds: false, detail: 'did not converge before the run ended' }
      : {
          holds: after <= within,
          detail: `converged ${after} ms after the workload ended and the last fault healed (bound ${within} ms)`,
        };
  },
  nothingLost: (facts) => {
    const lost = findings(
      facts,
      (d) => d.missing,
      (d) => `${d.missing} missing`,
    );
    if (facts.writeModel.unpublished > 0)
      lost.push(`write model: ${facts.writeModel.unpublished} accepted orders never published`);
    return { holds: lost.length === 0, detail: `lost: ${list(lost)}` };
  },
  noDuplicatedEffect: (facts) => {
    const dup = findings(
      facts,
      (d) => d.duplicated,
      (d) => `${d.duplicated} duplicated`,
    );
    if (facts.writeModel.publishedTwice > 0)
      dup.push(`write model: ${facts.writeModel.publishedTwice} orders published twice`);
    return { holds: dup.length === 0, detail: `duplicated effects: ${list(dup)}` };
  },
  noWrongValues: (facts) => {
    const wrong = findings(
      facts,
      (d) => d.wrong + d.unexpected,
      (d) => `${d.wrong} wrong, ${d.unexpected} unexpected`,
    );
    return { holds: wrong.length === 0, detail: `wrong values: ${list(wrong)}` };
  },
  convergenceLatency: (facts, spec) => {
    const target = spec.target ?? 'customer-order-summary';
    const bound = spec.p99Ms ?? Number.POSITIVE_INFINITY;
    const l = facts.latency[target];
    if (!l)
      return {
        holds: false,
        detail: `${target}: no latency measured (orders change product-inventory and the summary)`,
      };
    const never = l.neverVisible > 0 ? `; ${l.neverVisible} accepted order(s) never became visible` : '';
    return {
      holds: l.p99Ms <= bound && l.neverVisible === 0,
      detail: `${target}: p99 ${l.p99Ms} ms over ${l.orders} orders (bound ${bound} ms)${never}`,
    };
  },
  deadLetters: (facts, spec) => {
    const target = spec.target ?? 'products';
    const actual = facts.deadLetters[target];
    // Without a count, the property is "no dead letters": so `violation: deadLetters` means "some were parked".
    const expected = spec.count ?? 0;
    return { holds: actual === expected, detail: `${target} has ${actual} dead letter(s) left; expected ${expected}` };
  },
  inventoryNeverNegative: (facts) => {
    const n = facts.firstNegative;
    return n
      ? { holds: false, detail: `${n.productId} went to ${n.quantity} at stream seq ${n.seq} (oversold)` }
      : { holds: true, detail: 'no product’s available quantity went below zero at any point of the log' };
  },
  rebuildEqualsIncremental: (facts) => {
    if (!facts.rebuildMismatches) return { holds: false, detail: 'no rebuild comparison was run' };
    const comparisons = Object.entries(facts.rebuildMismatches) as [ReadModelName, RebuildComparison][];
    const bad = comparisons.flatMap(([m, c]) =>
      'keysDiffer' in c && c.keysDiffer > 0 ? [`${m}: ${c.keysDiffer} keys differ`] : [],
    );
    // Views at different positions are not evidence either way; the stall behind it fails `converges`.
    const skipped = comparisons.flatMap(([m, c]) =>
      'notComparedBecause' in c ? [`${m} not compared: ${c.notComparedBecause}`] : [],
    );
    const notCompared = skipped.length > 0 ? `; ${skipped.join('; ')}` : '';
    return { holds: bad.length === 0, detail: `rebuilt vs incremental: ${list(bad)}${notCompared}` };
  },
  writeModelPublishedOnce: (facts) => {
    const w = facts.writeModel;
    const holds = w.unpublished === 0 && w.publishedTwice === 0 && w.phantom === 0;
    const examples = w.examples.length ? ` (${w.examples.join('; ')})` : '';
    return {
      holds,
      detail: `${w.accepted} accepted orders; ${w.unpublished} unpublished, ${w.publishedTwice} published twice, ${w.phantom} phantom${examples}`,
    };
  },
  noStrandedReservations: (facts) => {
    const r = facts.reservations;
    if (r.mode !== 'reserve') return { holds: true, detail: 'check mode takes no reservations' };
    const problems = [
      ...(r.strandedOrders > 0 ? [`${r.strandedOrders} order(s) not placed still hold stock`] : []),
      ...r.mismatches.slice(0, 5),
    ];
    return {
      holds: problems.length === 0,
      detail:
        problems.length === 0 ? 'every reserved unit belongs to a placed order' : `stranded: ${problems.join('; ')}`,
    };
  },
};

function judge(property: PropertyName, facts: RunFacts, spec: JudgeSpec): Judgment {
  const judgeOf = JUDGES[property] as ((facts: RunFacts, spec: JudgeSpec) => Judgment) | undefined;
  if (judgeOf === undefined) throw new Error(`unknown property ${String(property)}`);
  return judgeOf(facts, spec);
}

/** Each expectation becomes a named property; a `violation` holds when the named property does NOT. */
export function evaluate(expectations: readonly ExpectationSpec[], facts: RunFacts): PropertyResult[] {
  return expectations.map((e) => {
    if ('violation' in e) {
      const { holds, detail } = judge(e.violation, facts, e);
      return {
        name: `violation:${e.violation}`,
        holds: !holds,
        detail: holds
          ? `expected a violation but the property held: ${detail}`
          : `violation found as expected: ${detail}`,
      };
    }
    const { holds, detail } = judge(e.property, facts, e as JudgeSpec);
    const name =
      e.property === 'deadLetters' || e.property === 'convergenceLatency' ? `${e.property}:${e.target}` : e.property;
    return { name, holds, detail };
  });
}

export const needsRebuildComparison = (expectations: readonly ExpectationSpec[]): boolean =>
  expectations.some((e) => ('violation' in e ? e.violation : e.property) === 'rebuildEqualsIncremental');
