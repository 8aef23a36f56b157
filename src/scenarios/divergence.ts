import { isDeepStrictEqual } from 'node:util';
import type { SummaryRow } from '../domain/projections/customerOrderSummary.js';
import type { ReferenceState } from '../domain/projections/oracle.js';
import type { ProductRow } from '../domain/projections/products.js';
import type { LogEntry } from './eventLog.js';
import { fieldDiffs, type FieldDiff } from './fieldDiff.js';

/**
 * Jepsen's set-checker buckets, per read model, comparing the live model with the oracle key by key:
 * ok (equal), missing (in the oracle, not in the model: lost or not yet applied), unexpected (in the model only),
 * wrong (different value), duplicated (different in exactly the way applying some events twice would make it: one event,
 * or for inventory one stretch of consecutive events, as a redelivered batch).
 */
export interface Divergence {
  readonly ok: number;
  readonly missing: number;
  readonly unexpected: number;
  readonly wrong: number;
  readonly duplicated: number;
  /** A few offending keys with expected and actual values, for the report (bounded). */
  readonly examples: readonly DivergenceExample[];
}

export interface DivergenceExample {
  readonly key: string;
  readonly bucket: Bucket;
  readonly expected: unknown;
  readonly actual: unknown;
  /** Where both sides exist (wrong, duplicated): only the fields that differ. */
  readonly diff?: readonly FieldDiff[];
}

export type Bucket = 'missing' | 'unexpected' | 'wrong' | 'duplicated';

export const EXAMPLES_MAX = 5;

export const divergent = (d: Divergence): number => d.missing + d.unexpected + d.wrong + d.duplicated;

export function compareMaps<V>(
  oracle: ReadonlyMap<string, V>,
  model: ReadonlyMap<string, V>,
  classifyWrong: (key: string, expected: V, actual: V) => 'wrong' | 'duplicated' = () => 'wrong',
): Divergence {
  const counts = { ok: 0, missing: 0, unexpected: 0, wrong: 0, duplicated: 0 };
  const examples: DivergenceExample[] = [];
  const note = (key: string, bucket: Bucket, expected: unknown, actual: unknown) => {
    counts[bucket]++;
    if (examples.length >= EXAMPLES_MAX) return;
    const both = expected !== undefined && actual !== undefined;
    examples.push({ key, bucket, expected, actual, ...(both ? { diff: fieldDiffs(expected, actual) } : {}) });
  };
  for (const [key, expected] of oracle) {
    if (!model.has(key)) note(key, 'missing', expected, undefined);
    else {
      const actual = model.get(key) as V;
      if (isDeepStrictEqual(expected, actual)) counts.ok++;
      else note(key, classifyWrong(key, expected, actual), expected, actual);
    }
  }
  for (const [key, actual] of model) if (!oracle.has(key)) note(key, 'unexpected', undefined, actual);
  return { ...counts, examples };
}

/** Per product, the change each event made to its available quantity, in log order. */
function inventoryEffects(log: readonly LogEntry[]): Map<string, number[]> {
  const effects = new Map<string, number[]>();
  const add = (productId: string, delta: number) => {
    const list = effects.get(productId);
    if (list) list.push(delta);
    else effects.set(productId, [delta]);
  };
  for (const {
    envelope: { data: e },
  } of log) {
    if (e.type === 'StockAdjusted') add(e.productId, e.delta);
    else if (e.type === 'OrderPlaced') for (const l of e.items) add(l.productId, -l.quantity);
  }
  return effects;
}

/**
 * True when `diff` is what applying one stretch of consecutive events again would add: a redelivered batch is a
 * contiguous range of the log, and one applied twice is off by exactly that range's summed effect (a single event
 * is the shortest such range). Linear: some prefix-sum difference P[j] - P[i] (i < j) equals `diff`.
 */
export function explainedByReappliedRange(effects: readonly number[], diff: number): boolean {
  if (diff === 0) return false;
  const seen = new Set<number>([0]);
  let prefix = 0;
  for (const e of effects) {
    prefix += e;
    if (seen.has(prefix - diff)) return true;
    seen.add(prefix);
  }
  return false;
}

/** A summary whose lines are the expected lines repeated: the order was applied more than once. */
function repeated(expected: SummaryRow, actual: SummaryRow): boolean {
  const n = expected.items.length;
  if (n === 0 || actual.items.length <= n || actual.items.length % n !== 0) return false;
  return actual.items.every((item, i) => isDeepStrictEqual(item, expected.items[i % n]));
}

export interface ModelStates {
  readonly 'product-inventory': ReadonlyMap<string, number>;
  readonly products: ReadonlyMap<string, ProductRow>;
  readonly 'customer-order-summary': ReadonlyMap<string, SummaryRow>;
}

export function divergenceOf(
  oracle: ReferenceState,
  models: ModelStates,
  log: readonly LogEntry[],
): Record<keyof ModelStates, Divergence> {
  let effects: Map<string, number[]> | undefined;
  return {
    'product-inventory': compareMaps(oracle.inventory, models['product-inventory'], (key, expected, actual) => {
      effects ??= inventoryEffects(log);
      return explainedByReappliedRange(effects.get(key) ?? [], actual - expected) ? 'duplicated' : 'wrong';
    }),
    products: compareMaps(oracle.products, models.products),
    'customer-order-summary': compareMaps(
      oracle.summaries,
      models['customer-order-summary'],
      (_key, expected, actual) => (repeated(expected, actual) ? 'duplicated' : 'wrong'),
    ),
  };
}
