import { describe, expect, it } from 'vitest';
import { compareMaps } from '../../src/scenarios/divergence.js';
import { fieldDiffs, fieldDiffText, FIELD_DIFFS_MAX } from '../../src/scenarios/fieldDiff.js';

// A wrong value shown as the fields that differ, not as two whole objects to compare by eye.
describe('fieldDiffs', () => {
  const row = (name: string | null, quantity = 3) => ({
    orderId: 'ord_1',
    totalCents: 1200,
    items: [
      { productId: 'p0', productName: name, quantity },
      { productId: 'p7', productName: 'Seven', quantity: 2 },
    ],
  });

  it('names only the differing fields, by path', () => {
    expect(fieldDiffs(row('Product 0'), row(null))).toEqual([
      { path: 'items[0].productName', expected: 'Product 0', actual: null },
    ]);
    expect(fieldDiffs(row('A', 3), row('B', 4))).toEqual([
      { path: 'items[0].productName', expected: 'A', actual: 'B' },
      { path: 'items[0].quantity', expected: 3, actual: 4 },
    ]);
  });

  it('reports a value that is not an object whole, and an element one side lacks as absent', () => {
    expect(fieldDiffs(5, 7)).toEqual([{ path: '', expected: 5, actual: 7 }]);
    expect(fieldDiffs({ items: [1] }, { items: [1, 2] })).toEqual([
      { path: 'items[1]', expected: undefined, actual: 2 },
    ]);
    expect(fieldDiffText({ path: 'items[1]', expected: undefined, actual: 2 })).toBe(
      'items[1]: expected absent, actual 2',
    );
    expect(fieldDiffs(row('x'), row('x'))).toEqual([]);
  });

  it('is bounded', () => {
    const wide = (v: number) => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, v]));
    expect(fieldDiffs(wide(1), wide(2))).toHaveLength(FIELD_DIFFS_MAX);
  });

  it('rides along with every divergence example that has both sides', () => {
    const d = compareMaps(
      new Map([
        ['ord_1', row('Product 0')],
        ['ord_2', row('Two')],
      ]),
      new Map([
        ['ord_1', row(null)],
        ['ord_3', row('Three')],
      ]),
    );
    expect(d.examples.map((e) => [e.key, e.bucket, e.diff])).toEqual([
      ['ord_1', 'wrong', [{ path: 'items[0].productName', expected: 'Product 0', actual: null }]],
      ['ord_2', 'missing', undefined],
      ['ord_3', 'unexpected', undefined],
    ]);
  });
});
