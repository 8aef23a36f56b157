import type { ReadModelName } from '../actors/system.js';
import type { Divergence } from './divergence.js';
import type { ExpectationSpec, PropertyName } from './scenario.js';
import type { WriteModelCheck } from './writeModelCheck.js';

export interface PropertyResult {
  readonly name: string;
  readonly holds: boolean;
  readonly detail: string;
}

/** What the run established, from which every property is judged. */
export interface RunFacts {
  readonly finalDivergence: Readonly<Record<ReadModelName, Divergence>>;
  readonly convergedAfterMs: number | null;
  readonly writeModel: WriteModelCheck;
  readonly deadLetters: Readonly<Record<ReadModelName, number>>;
  readonly firstNegative: { seq: number; productId: string; quantity: number } | undefined;
  /** Undefined when no rebuild comparison was run. */
  readonly rebuildMismatches: Readonly<Record<ReadModelName, RebuildComparison>> | undefined;
}

/** A rebuilt view against the incremental one: keys that differ, or why they could not be compared. */
export type RebuildComparison = { readonly keysDiffer: number } | { readonly notComparedBecause: string };

const models = (facts: RunFacts) => Object.entries(facts.finalDivergence) as [ReadModelName, Divergence][];
const list = (parts: string[]) => (parts.length === 0 ? 'none' : parts.join(', '));

function judge(property: PropertyName, facts: RunFacts, spec: { withinMs?: number; target?: ReadModelName; count?: number }): { holds: boolean; detail: string } {
  switch (property) {
    case 'converges': {
      const within = spec.withinMs ?? Number.POSITIVE_INFINITY;
      const after = facts.convergedAfterMs;
      return after === null
        ? { holds: false, detail: 'did not converge before the run ended' }
        : { holds: after <= within, detail: `converged ${after} ms after the workload ended and the last fault healed (bound ${within} ms)` };
    }
    case 'nothingLost': {
      const lost = models(facts).filter(([, d]) => d.missing > 0).map(([m, d]) => `${m}: ${d.missing} missing`);
      if (facts.writeModel.unpublished > 0) lost.push(`write model: ${facts.writeModel.unpublished} accepted orders never published`);
      return { holds: lost.length === 0, detail: `lost: ${list(lost)}` };
    }
    case 'noDuplicatedEffect': {
      const dup = models(facts).filter(([, d]) => d.duplicated > 0).map(([m, d]) => `${m}: ${d.duplicated} duplicated`);
      if (facts.writeModel.publishedTwice > 0) dup.push(`write model: ${facts.writeModel.publishedTwice} orders published twice`);
      return { holds: dup.length === 0, detail: `duplicated effects: ${list(dup)}` };
    }
    case 'noWrongValues': {
      const wrong = models(facts).filter(([, d]) => d.wrong + d.unexpected > 0).map(([m, d]) => `${m}: ${d.wrong} wrong, ${d.unexpected} unexpected`);
      return { holds: wrong.length === 0, detail: `wrong values: ${list(wrong)}` };
    }
    case 'deadLetters': {
      const target = spec.target ?? 'products';
      const actual = facts.deadLetters[target];
      // Without a count, the property is "no dead letters": so `violation: deadLetters` means "some were parked".
      const expected = spec.count ?? 0;
      return { holds: actual === expected, detail: `${target} has ${actual} dead letter(s) left; expected ${expected}` };
    }
    case 'inventoryNeverNegative': {
      const n = facts.firstNegative;
      return n
        ? { holds: false, detail: `${n.productId} went to ${n.quantity} at stream seq ${n.seq} (oversold)` }
        : { holds: true, detail: 'no product’s available quantity went below zero at any point of the log' };
    }
    case 'rebuildEqualsIncremental': {
      if (!facts.rebuildMismatches) return { holds: false, detail: 'no rebuild comparison was run' };
      const comparisons = Object.entries(facts.rebuildMismatches) as [ReadModelName, RebuildComparison][];
      const bad = comparisons.flatMap(([m, c]) => ('keysDiffer' in c && c.keysDiffer > 0 ? [`${m}: ${c.keysDiffer} keys differ`] : []));
      // Views at different positions are not evidence either way; the stall behind it fails `converges`.
      const skipped = comparisons.flatMap(([m, c]) => ('notComparedBecause' in c ? [`${m} not compared: ${c.notComparedBecause}`] : []));
      return { holds: bad.length === 0, detail: `rebuilt vs incremental: ${list(bad)}${skipped.length > 0 ? `; ${skipped.join('; ')}` : ''}` };
    }
    case 'writeModelPublishedOnce': {
      const w = facts.writeModel;
      const holds = w.unpublished === 0 && w.publishedTwice === 0 && w.phantom === 0;
      return { holds, detail: `${w.accepted} accepted orders; ${w.unpublished} unpublished, ${w.publishedTwice} published twice, ${w.phantom} phantom${w.examples.length ? ` (${w.examples.join('; ')})` : ''}` };
    }
    default: {
      const never: never = property;
      throw new Error(`unknown property ${String(never)}`);
    }
  }
}

/** Each expectation becomes a named property; a `violation` holds when the named property does NOT. */
export function evaluate(expectations: readonly ExpectationSpec[], facts: RunFacts): PropertyResult[] {
  return expectations.map((e) => {
    if ('violation' in e) {
      const { holds, detail } = judge(e.violation, facts, e);
      return { name: `violation:${e.violation}`, holds: !holds, detail: holds ? `expected a violation but the property held: ${detail}` : `violation found as expected: ${detail}` };
    }
    const { holds, detail } = judge(e.property, facts, e as { withinMs?: number; target?: ReadModelName; count?: number });
    const name = e.property === 'deadLetters' ? `deadLetters:${e.target}` : e.property;
    return { name, holds, detail };
  });
}

export const needsRebuildComparison = (expectations: readonly ExpectationSpec[]): boolean =>
  expectations.some((e) => ('violation' in e ? e.violation : e.property) === 'rebuildEqualsIncremental');
