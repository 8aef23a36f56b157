import { describe, expect, it } from 'vitest';
import type { ReadModelName } from '../../src/domain/readModels.js';
import type { Divergence } from '../../src/scenarios/divergence.js';
import type { ExpectationSpec, PropertyName } from '../../src/scenarios/scenario.js';
import { evaluate, needsRebuildComparison, type RunFacts } from '../../src/scenarios/verdict.js';
import type { WriteModelCheck } from '../../src/scenarios/writeModelCheck.js';

// Every property, judged on facts that make it hold and facts that make it fail; `violation:` is the exact inverse.

const clean: Divergence = { ok: 10, missing: 0, unexpected: 0, wrong: 0, duplicated: 0, examples: [] };
const cleanWriteModel: WriteModelCheck = { accepted: 10, unpublished: 0, publishedTwice: 0, phantom: 0, examples: [] };
const perModel = <T>(v: T): Record<ReadModelName, T> => ({
  'product-inventory': v,
  products: v,
  'customer-order-summary': v,
});

function facts(
  over: {
    readonly divergence?: Partial<Record<ReadModelName, Partial<Divergence>>>;
    readonly convergedAfterMs?: number | null;
    readonly writeModel?: Partial<WriteModelCheck>;
    readonly deadLetters?: Partial<Record<ReadModelName, number>>;
    readonly firstNegative?: RunFacts['firstNegative'];
    readonly rebuildMismatches?: RunFacts['rebuildMismatches'];
    readonly reservations?: Partial<RunFacts['reservations']>;
    readonly caughtUp?: RunFacts['caughtUpDivergence'];
    readonly latency?: RunFacts['latency'];
  } = {},
): RunFacts {
  const d = over.divergence ?? {};
  return {
    finalDivergence: {
      'product-inventory': { ...clean, ...d['product-inventory'] },
      products: { ...clean, ...d.products },
      'customer-order-summary': { ...clean, ...d['customer-order-summary'] },
    },
    convergedAfterMs: over.convergedAfterMs === undefined ? 100 : over.convergedAfterMs,
    writeModel: { ...cleanWriteModel, ...over.writeModel },
    reservations: { mode: 'reserve', strandedOrders: 0, mismatches: [], ...over.reservations },
    caughtUpDivergence: over.caughtUp ?? {},
    deadLetters: { ...perModel(0), ...over.deadLetters },
    firstNegative: over.firstNegative,
    rebuildMismatches: 'rebuildMismatches' in over ? over.rebuildMismatches : perModel({ keysDiffer: 0 }),
    latency: over.latency ?? {},
  };
}

const one = (e: ExpectationSpec, f: RunFacts) => {
  const [r, ...rest] = evaluate([e], f);
  expect(rest).toEqual([]);
  if (!r) throw new Error('no result');
  return r;
};

interface Case {
  readonly title: string;
  readonly expectation: ExpectationSpec;
  readonly facts: RunFacts;
  readonly holds: boolean;
  /** Something the detail must say (why it failed, or the numbers it judged). */
  readonly detail: RegExp;
}

const cases: Case[] = [
  {
    title: 'converges within the bound',
    expectation: { property: 'converges', withinMs: 1_000 },
    facts: facts({ convergedAfterMs: 400 }),
    holds: true,
    detail: /converged 400 ms.*bound 1000 ms/,
  },
  {
    title: 'converges exactly at the bound',
    expectation: { property: 'converges', withinMs: 1_000 },
    facts: facts({ convergedAfterMs: 1_000 }),
    holds: true,
    detail: /1000 ms/,
  },
  {
    title: 'converges over the bound',
    expectation: { property: 'converges', withinMs: 1_000 },
    facts: facts({ convergedAfterMs: 1_001 }),
    holds: false,
    detail: /converged 1001 ms/,
  },
  {
    title: 'never converges',
    expectation: { property: 'converges', withinMs: 1_000 },
    facts: facts({ convergedAfterMs: null }),
    holds: false,
    detail: /did not converge/,
  },

  {
    title: 'nothing lost',
    expectation: { property: 'nothingLost' },
    facts: facts(),
    holds: true,
    detail: /lost: none/,
  },
  {
    title: 'a model misses keys',
    expectation: { property: 'nothingLost' },
    facts: facts({ divergence: { 'customer-order-summary': { missing: 2 } } }),
    holds: false,
    detail: /customer-order-summary: 2 missing/,
  },
  {
    title: 'the write model has unpublished orders',
    expectation: { property: 'nothingLost' },
    facts: facts({ writeModel: { unpublished: 3 } }),
    holds: false,
    detail: /write model: 3 accepted orders never published/,
  },
  {
    title: 'wrong values are not losses',
    expectation: { property: 'nothingLost' },
    facts: facts({ divergence: { products: { wrong: 4, unexpected: 1 } } }),
    holds: true,
    detail: /none/,
  },

  {
    title: 'no duplicated effect',
    expectation: { property: 'noDuplicatedEffect' },
    facts: facts(),
    holds: true,
    detail: /none/,
  },
  {
    title: 'a model shows a duplicated effect',
    expectation: { property: 'noDuplicatedEffect' },
    facts: facts({ divergence: { 'product-inventory': { duplicated: 1 } } }),
    holds: false,
    detail: /product-inventory: 1 duplicated/,
  },
  {
    title: 'an order is published twice',
    expectation: { property: 'noDuplicatedEffect' },
    facts: facts({ writeModel: { publishedTwice: 2 } }),
    holds: false,
    detail: /write model: 2 orders published twice/,
  },

  {
    title: 'a wrong value while caught up, covered up by the end',
    expectation: { property: 'noWrongValues' },
    facts: facts({ caughtUp: { products: { atMs: 1_250, headSeq: 40, divergence: { ...clean, wrong: 1 } } } }),
    holds: false,
    detail: /products: 1 wrong, 0 unexpected at 1250 ms, every model at seq 40 \(covered up later\)/,
  },
  {
    title: 'a key lost while caught up',
    expectation: { property: 'nothingLost' },
    facts: facts({
      caughtUp: { 'customer-order-summary': { atMs: 500, headSeq: 9, divergence: { ...clean, missing: 2 } } },
    }),
    holds: false,
    detail: /customer-order-summary: 2 missing at 500 ms/,
  },
  {
    title: 'a duplicate while caught up',
    expectation: { property: 'noDuplicatedEffect' },
    facts: facts({
      caughtUp: { 'product-inventory': { atMs: 500, headSeq: 9, divergence: { ...clean, duplicated: 1 } } },
    }),
    holds: false,
    detail: /product-inventory: 1 duplicated at 500 ms/,
  },
  {
    title: 'the end is reported, not the earlier caught-up sample, when both are wrong',
    expectation: { property: 'noWrongValues' },
    facts: facts({
      divergence: { products: { wrong: 3 } },
      caughtUp: { products: { atMs: 500, headSeq: 9, divergence: { ...clean, wrong: 1 } } },
    }),
    holds: false,
    detail: /wrong values: products: 3 wrong, 0 unexpected$/,
  },
  {
    title: 'no wrong values',
    expectation: { property: 'noWrongValues' },
    facts: facts({ divergence: { products: { missing: 5, duplicated: 1 } } }),
    holds: true,
    detail: /none/,
  },
  {
    title: 'a wrong value',
    expectation: { property: 'noWrongValues' },
    facts: facts({ divergence: { products: { wrong: 2 } } }),
    holds: false,
    detail: /products: 2 wrong, 0 unexpected/,
  },
  {
    title: 'an unexpected key',
    expectation: { property: 'noWrongValues' },
    facts: facts({ divergence: { 'product-inventory': { unexpected: 1 } } }),
    holds: false,
    detail: /product-inventory: 0 wrong, 1 unexpected/,
  },

  {
    title: 'the dead letters expected',
    expectation: { property: 'deadLetters', target: 'products', count: 2 },
    facts: facts({ deadLetters: { products: 2 } }),
    holds: true,
    detail: /products has 2 .*expected 2/,
  },
  {
    title: 'more dead letters than expected',
    expectation: { property: 'deadLetters', target: 'products', count: 2 },
    facts: facts({ deadLetters: { products: 3 } }),
    holds: false,
    detail: /products has 3 .*expected 2/,
  },
  {
    title: 'dead letters on another model do not count',
    expectation: { property: 'deadLetters', target: 'products', count: 0 },
    facts: facts({ deadLetters: { 'customer-order-summary': 4 } }),
    holds: true,
    detail: /products has 0/,
  },

  {
    title: 'inventory never negative',
    expectation: { property: 'inventoryNeverNegative' },
    facts: facts(),
    holds: true,
    detail: /no product/,
  },
  {
    title: 'an oversell',
    expectation: { property: 'inventoryNeverNegative' },
    facts: facts({ firstNegative: { seq: 12, productId: 'prod_0003', quantity: -2 } }),
    holds: false,
    detail: /prod_0003 went to -2 at stream seq 12/,
  },

  {
    title: 'rebuild equals incremental',
    expectation: { property: 'rebuildEqualsIncremental' },
    facts: facts(),
    holds: true,
    detail: /none/,
  },
  {
    title: 'rebuild differs',
    expectation: { property: 'rebuildEqualsIncremental' },
    facts: facts({ rebuildMismatches: { ...perModel({ keysDiffer: 0 }), products: { keysDiffer: 3 } } }),
    holds: false,
    detail: /products: 3 keys differ/,
  },
  {
    title: 'rebuild not comparable (incremental stalled)',
    expectation: { property: 'rebuildEqualsIncremental' },
    facts: facts({
      rebuildMismatches: {
        ...perModel({ keysDiffer: 0 }),
        products: { notComparedBecause: 'its incremental view stopped at seq 4, the rebuild reached 36' },
      },
    }),
    holds: true,
    detail: /products not compared: .*seq 4/,
  },
  {
    title: 'no rebuild comparison was run',
    expectation: { property: 'rebuildEqualsIncremental' },
    facts: facts({ rebuildMismatches: undefined }),
    holds: false,
    detail: /no rebuild comparison/,
  },

  {
    title: 'every order published once',
    expectation: { property: 'writeModelPublishedOnce' },
    facts: facts(),
    holds: true,
    detail: /10 accepted orders; 0 unpublished, 0 published twice, 0 phantom$/,
  },
  {
    title: 'an unpublished order',
    expectation: { property: 'writeModelPublishedOnce' },
    facts: facts({ writeModel: { unpublished: 1, examples: ['o1 published 0×'] } }),
    holds: false,
    detail: /1 unpublished.*\(o1 published 0×\)/,
  },
  {
    title: 'an order published twice',
    expectation: { property: 'writeModelPublishedOnce' },
    facts: facts({ writeModel: { publishedTwice: 1 } }),
    holds: false,
    detail: /1 published twice/,
  },
  {
    title: 'a phantom order',
    expectation: { property: 'writeModelPublishedOnce' },
    facts: facts({ writeModel: { phantom: 1 } }),
    holds: false,
    detail: /1 phantom/,
  },

  {
    title: 'reservations balance',
    expectation: { property: 'noStrandedReservations' },
    facts: facts(),
    holds: true,
    detail: /every reserved unit belongs to a placed order/,
  },
  {
    title: 'check mode has no reservations',
    expectation: { property: 'noStrandedReservations' },
    facts: facts({ reservations: { mode: 'check', strandedOrders: 3 } }),
    holds: true,
    detail: /check mode/,
  },
  {
    title: 'stock held for an order never placed',
    expectation: { property: 'noStrandedReservations' },
    facts: facts({ reservations: { strandedOrders: 1, mismatches: ['prod_0001: 3 reserved, 1 in placed orders'] } }),
    holds: false,
    detail: /1 order\(s\) not placed still hold stock; prod_0001: 3 reserved, 1 in placed orders/,
  },
];

const propertyOf = (e: ExpectationSpec): PropertyName => ('violation' in e ? e.violation : e.property);

describe('evaluate', () => {
  it.each(cases)('$title: holds is $holds', ({ expectation, facts: f, holds, detail }) => {
    const r = one(expectation, f);
    expect(r.holds).toBe(holds);
    expect(r.detail).toMatch(detail);
  });

  it.each(cases)(
    'violation of "$title" holds exactly when the property does not',
    ({ expectation, facts: f, holds, detail }) => {
      const { property: _property, ...bounds } = expectation as ExpectationSpec & { property: PropertyName };
      const r = one({ violation: propertyOf(expectation), ...bounds }, f);
      expect(r.name).toBe(`violation:${propertyOf(expectation)}`);
      expect(r.holds).toBe(!holds);
      expect(r.detail).toMatch(
        holds ? /^expected a violation but the property held: / : /^violation found as expected: /,
      );
      expect(r.detail).toMatch(detail);
    },
  );

  it('names a property after itself, and deadLetters after its target', () => {
    const names = evaluate(
      [
        { property: 'converges', withinMs: 5 },
        { property: 'nothingLost' },
        { property: 'deadLetters', target: 'customer-order-summary', count: 0 },
      ],
      facts(),
    ).map((r) => r.name);
    expect(names).toEqual(['converges', 'nothingLost', 'deadLetters:customer-order-summary']);
  });

  it('judges `violation: deadLetters` without a count as "some were parked" on its target', () => {
    const parked = one(
      { violation: 'deadLetters', target: 'customer-order-summary' },
      facts({ deadLetters: { 'customer-order-summary': 1 } }),
    );
    expect(parked).toMatchObject({ name: 'violation:deadLetters', holds: true });
    expect(
      one({ violation: 'deadLetters', target: 'customer-order-summary' }, facts({ deadLetters: { products: 1 } }))
        .holds,
    ).toBe(false);
  });

  it('judges `violation: converges` without a bound as "never converged"', () => {
    expect(one({ violation: 'converges' }, facts({ convergedAfterMs: null })).holds).toBe(true);
    expect(one({ violation: 'converges' }, facts({ convergedAfterMs: 1_000_000 })).holds).toBe(false);
  });

  it('keeps one result per expectation, in order', () => {
    const results = evaluate(
      [{ property: 'nothingLost' }, { violation: 'nothingLost' }],
      facts({ writeModel: { unpublished: 1 } }),
    );
    expect(results.map((r) => [r.name, r.holds])).toEqual([
      ['nothingLost', false],
      ['violation:nothingLost', true],
    ]);
  });
});

describe('needsRebuildComparison', () => {
  it('is asked for by the property or its violation, and by nothing else', () => {
    expect(needsRebuildComparison([{ property: 'nothingLost' }, { property: 'rebuildEqualsIncremental' }])).toBe(true);
    expect(needsRebuildComparison([{ violation: 'rebuildEqualsIncremental' }])).toBe(true);
    expect(needsRebuildComparison([{ property: 'nothingLost' }, { violation: 'noWrongValues' }])).toBe(false);
  });
});

describe('convergenceLatency', () => {
  const summary = (p99Ms: number, neverVisible = 0) => ({
    orders: 100,
    neverVisible,
    p50Ms: 10,
    p95Ms: 20,
    p99Ms,
    maxMs: p99Ms + 5,
  });
  const spec = { property: 'convergenceLatency', target: 'customer-order-summary', p99Ms: 500 } as const;

  it('holds when the target’s p99 is within the bound and every accepted order became visible', () => {
    const [r] = evaluate([spec], facts({ latency: { 'customer-order-summary': summary(400) } }));
    expect(r).toEqual({
      name: 'convergenceLatency:customer-order-summary',
      holds: true,
      detail: 'customer-order-summary: p99 400 ms over 100 orders (bound 500 ms)',
    });
  });

  it('fails past the bound, or when an accepted order never became visible', () => {
    expect(evaluate([spec], facts({ latency: { 'customer-order-summary': summary(900) } }))[0]?.holds).toBe(false);
    const [never] = evaluate([spec], facts({ latency: { 'customer-order-summary': summary(100, 2) } }));
    expect(never?.holds).toBe(false);
    expect(never?.detail).toContain('2 accepted order(s) never became visible');
    const [violation] = evaluate(
      [{ violation: 'convergenceLatency', target: 'customer-order-summary', p99Ms: 100 }],
      facts({ latency: { 'customer-order-summary': summary(900) } }),
    );
    expect(violation?.holds).toBe(true);
  });
});
