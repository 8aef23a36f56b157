/**
 * Every order a workload sent, by outcome, and the one way each report says it. A run that shows only the placed
 * orders hides the interesting ones: a scenario can have a third of its orders refused for stock.
 */
export interface OrderCounts {
  readonly placed: number;
  /** Refused for insufficient stock (409): recorded as a rejected order, `OrderRejected` published. */
  readonly rejected: number;
  /** Refused because the system could not take it (503): inventory unreachable in reserve mode, busy, stopped. */
  readonly unavailable: number;
  /** Refused as invalid (400): an unknown product, say. */
  readonly invalid: number;
  /** No answer at all: the call to the order service threw (a bug, not a refusal). */
  readonly failed: number;
}

export const refusedCount = (c: OrderCounts): number => c.rejected + c.unavailable + c.invalid;

/** The refusal reasons, in the words of the text reports (`long`) or of the dashboard, where width is scarce. */
const REASONS: readonly {
  readonly key: 'rejected' | 'unavailable' | 'invalid';
  readonly long: string;
  readonly short: string;
}[] = [
  { key: 'rejected', long: 'insufficient stock', short: 'out of stock' },
  { key: 'unavailable', long: 'unavailable', short: 'unavailable' },
  { key: 'invalid', long: 'invalid', short: 'invalid' },
];

/** `61 refused (58 insufficient stock, 3 unavailable)`, or `0 refused`: the reasons that occurred, with their counts. */
export function refusedText(
  c: OrderCounts,
  words: 'long' | 'short' = 'long',
  n: (x: number) => string = String,
): string {
  const reasons = REASONS.filter((r) => c[r.key] > 0).map((r) => `${n(c[r.key])} ${r[words]}`);
  return `${n(refusedCount(c))} refused${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`;
}

/** `142 placed, 61 refused (58 insufficient stock, 3 unavailable), 0 failed`. */
export function orderOutcomes(
  c: OrderCounts,
  words: 'long' | 'short' = 'long',
  n: (x: number) => string = String,
): string {
  return `${n(c.placed)} placed, ${refusedText(c, words, n)}, ${n(c.failed)} failed`;
}

/** The counts for machines (`--json`, `--report`): the refusals totalled and by reason, under names that say them. */
export function orderCountsJson(c: OrderCounts): {
  placed: number;
  refused: number;
  refusedFor: { insufficientStock: number; unavailable: number; invalid: number };
  failed: number;
} {
  return {
    placed: c.placed,
    refused: refusedCount(c),
    refusedFor: { insufficientStock: c.rejected, unavailable: c.unavailable, invalid: c.invalid },
    failed: c.failed,
  };
}
