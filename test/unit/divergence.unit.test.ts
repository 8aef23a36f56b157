import { describe, expect, it } from 'vitest';
import type { SummaryRow } from '../../src/domain/projections/customerOrderSummary.js';
import { foldLog } from '../../src/domain/projections/oracle.js';
import type { ProductRow } from '../../src/domain/projections/products.js';
import {
  compareMaps,
  divergenceOf,
  divergent,
  EXAMPLES_MAX,
  explainedByReappliedRange,
  type ModelStates,
} from '../../src/scenarios/divergence.js';
import { logOf, orderPlaced, productAdded, stockAdjusted } from './fixtures.js';

// The set-checker buckets: each key of the oracle lands in exactly one, and "duplicated" is told apart from "wrong".

describe('compareMaps', () => {
  it('puts each key in ok, missing, unexpected or wrong, with the values in the examples', () => {
    const oracle = new Map([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
      ['c', { n: 3 }],
      ['d', { n: 4 }],
    ]);
    const model = new Map([
      ['a', { n: 1 }],
      ['b', { n: 20 }],
      ['d', { n: 4 }],
      ['e', { n: 5 }],
    ]);
    const d = compareMaps(oracle, model);
    expect(d).toMatchObject({ ok: 2, missing: 1, unexpected: 1, wrong: 1, duplicated: 0 });
    expect(divergent(d)).toBe(3);
    expect(d.examples).toEqual([
      {
        key: 'b',
        bucket: 'wrong',
        expected: { n: 2 },
        actual: { n: 20 },
        diff: [{ path: 'n', expected: 2, actual: 20 }],
      },
      { key: 'c', bucket: 'missing', expected: { n: 3 }, actual: undefined },
      { key: 'e', bucket: 'unexpected', expected: undefined, actual: { n: 5 } },
    ]);
  });

  it('compares values structurally, not by identity', () => {
    const d = compareMaps(new Map([['k', { items: [{ q: 1 }] }]]), new Map([['k', { items: [{ q: 1 }] }]]));
    expect(d).toMatchObject({ ok: 1, missing: 0, unexpected: 0, wrong: 0, duplicated: 0, examples: [] });
  });

  it('counts every divergent key but keeps at most EXAMPLES_MAX examples', () => {
    const oracle = new Map(Array.from({ length: 12 }, (_, i) => [`k${i}`, i] as const));
    const model = new Map(Array.from({ length: 8 }, (_, i) => [`x${i}`, i] as const));
    const d = compareMaps(oracle, model);
    expect(d).toMatchObject({ ok: 0, missing: 12, unexpected: 8 });
    expect(divergent(d)).toBe(20);
    expect(d.examples).toHaveLength(EXAMPLES_MAX);
  });

  it('asks the classifier only about keys whose values differ, and counts what it answers', () => {
    const asked: string[] = [];
    const d = compareMaps(
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]),
      new Map([
        ['a', 1],
        ['b', 4],
        ['c', 5],
      ]),
      (key, expected, actual) => {
        asked.push(`${key}:${expected}->${actual}`);
        return key === 'b' ? 'duplicated' : 'wrong';
      },
    );
    expect(asked).toEqual(['b:2->4', 'c:3->5']);
    expect(d).toMatchObject({ ok: 1, wrong: 1, duplicated: 1 });
  });
});

describe('divergenceOf', () => {
  // p1: restocked +10, then an order takes 3 → 7. p2: restocked +5, the same order takes 1 → 4.
  const log = logOf(
    productAdded('p1', 'One', 100),
    productAdded('p2', 'Two', 200),
    stockAdjusted('p1', 10),
    stockAdjusted('p2', 5),
    orderPlaced('o1', [
      ['p1', 3],
      ['p2', 1],
    ]),
  );
  const oracle = foldLog(log);
  const models = (over: Partial<ModelStates>): ModelStates => ({
    'product-inventory': new Map(oracle.inventory),
    products: new Map(oracle.products),
    'customer-order-summary': new Map(oracle.summaries),
    ...over,
  });

  it('finds nothing when every model equals the oracle', () => {
    const d = divergenceOf(oracle, models({}), log);
    expect(d['product-inventory']).toMatchObject({ ok: 2, missing: 0, unexpected: 0, wrong: 0, duplicated: 0 });
    expect(d.products).toMatchObject({ ok: 2 });
    expect(d['customer-order-summary']).toMatchObject({ ok: 1 });
  });

  it('calls an inventory value off by exactly one event’s effect duplicated, and any other offset wrong', () => {
    expect(oracle.inventory).toEqual(
      new Map([
        ['p1', 7],
        ['p2', 4],
      ]),
    );
    const cases: [number, 'duplicated' | 'wrong'][] = [
      [4, 'duplicated'], // the order's −3 applied twice
      [17, 'duplicated'], // the +10 restock applied twice
      [14, 'duplicated'], // the restock and the order after it applied twice (a redelivered batch)
      [8, 'wrong'], // +1: no event did that
      [10, 'wrong'], // +3 is the order *missing*, not doubled
      [-3, 'wrong'],
    ];
    for (const [actual, bucket] of cases) {
      const d = divergenceOf(
        oracle,
        models({
          'product-inventory': new Map([
            ['p1', actual],
            ['p2', 4],
          ]),
        }),
        log,
      )['product-inventory'];
      expect({ actual, wrong: d.wrong, duplicated: d.duplicated, ok: d.ok }).toEqual({
        actual,
        wrong: bucket === 'wrong' ? 1 : 0,
        duplicated: bucket === 'duplicated' ? 1 : 0,
        ok: 1,
      });
      expect(d.examples).toEqual([
        { key: 'p1', bucket, expected: 7, actual, diff: [{ path: '', expected: 7, actual }] },
      ]);
    }
  });

  it('explains an offset by one stretch of consecutive effects applied again, and nothing else', () => {
    const effects = [5, -2, -1, 7];
    for (const diff of [5, -2, 3, 2, 9, -3, 6, 4, 7])
      expect({ diff, dup: explainedByReappliedRange(effects, diff) }).toEqual({ diff, dup: true });
    // 12 = 5 + 7 is two stretches with a gap; 1 and -4 no stretch sums to; 0 is not an offset.
    for (const diff of [12, 1, -4, 0])
      expect({ diff, dup: explainedByReappliedRange(effects, diff) }).toEqual({ diff, dup: false });
  });

  it('does not borrow another product’s effect: p2 off by p1’s +10 is wrong', () => {
    const d = divergenceOf(
      oracle,
      models({
        'product-inventory': new Map([
          ['p1', 7],
          ['p2', 14],
        ]),
      }),
      log,
    )['product-inventory'];
    expect(d).toMatchObject({ wrong: 1, duplicated: 0 });
  });

  it('calls a summary whose items are the expected items repeated twice duplicated, and other differences wrong', () => {
    const expected = oracle.summaries.get('o1') as SummaryRow;
    expect(expected.items).toHaveLength(2);
    const twice: SummaryRow = { ...expected, items: [...expected.items, ...expected.items] };
    const off: SummaryRow = {
      ...expected,
      items: expected.items.map((i, k) => (k === 0 ? { ...i, quantity: i.quantity + 1 } : i)),
    };
    const twiceButRenamed: SummaryRow = {
      ...twice,
      items: twice.items.map((i, k) => (k === 3 ? { ...i, productName: 'Other' } : i)),
    };
    const summary = (row: SummaryRow) =>
      divergenceOf(oracle, models({ 'customer-order-summary': new Map([['o1', row]]) }), log)['customer-order-summary'];
    expect(summary(twice)).toMatchObject({ duplicated: 1, wrong: 0 });
    expect(summary(off)).toMatchObject({ duplicated: 0, wrong: 1 });
    expect(summary(twiceButRenamed)).toMatchObject({ duplicated: 0, wrong: 1 });
  });

  it('buckets products by plain comparison: a wrong name is wrong, an extra product unexpected, a lost one missing', () => {
    const products = new Map<string, ProductRow>([
      ['p1', { name: 'One (corrupt)', priceCents: 100 }],
      ['p9', { name: 'Nine', priceCents: 1 }],
    ]);
    expect(divergenceOf(oracle, models({ products }), log).products).toMatchObject({
      ok: 0,
      wrong: 1,
      unexpected: 1,
      missing: 1,
      duplicated: 0,
    });
  });
});
