import { describe, expect, it } from 'vitest';
import type { ReadModelName } from '../../src/domain/readModels.js';
import { attribute, attributionLines, type AttributionInput } from '../../src/scenarios/attribution.js';
import type { Divergence } from '../../src/scenarios/divergence.js';

// A failing run says which read model broke and how: a stalled consumer, its own divergence, or names copied from
// a Products that diverged; plug-ins first, built-ins marked as such.

const clean: Divergence = { ok: 4, missing: 0, unexpected: 0, wrong: 0, duplicated: 0, examples: [] };
const row = (name: string) => ({
  orderId: 'o1',
  customerId: 'c',
  orderDate: 'd',
  totalCents: 1,
  items: [{ productId: 'p1', productName: name, quantity: 1 }],
});

function input(
  over: {
    models?: Partial<Record<ReadModelName, Partial<AttributionInput['models'][ReadModelName]>>>;
    plugins?: ReadModelName[];
    caughtUp?: AttributionInput['caughtUp'];
  } = {},
): AttributionInput {
  const m = (name: ReadModelName) => ({
    divergence: clean,
    checkpoint: 40,
    state: 'idle' as const,
    lastProblem: null,
    ...over.models?.[name],
  });
  return {
    headSeq: 40,
    plugins: new Set(over.plugins ?? []),
    caughtUp: over.caughtUp ?? {},
    models: {
      'product-inventory': m('product-inventory'),
      products: m('products'),
      'customer-order-summary': m('customer-order-summary'),
    },
  };
}

describe('attribute', () => {
  it('calls every model ok when nothing diverged and every consumer reached the head', () => {
    expect(attribute(input()).map((a) => a.verdict)).toEqual(['ok', 'ok', 'ok']);
    expect(attributionLines(attribute(input()))).toEqual([]);
  });

  it('calls a consumer short of the head stalled, with its last problem', () => {
    const a = attribute(
      input({
        plugins: ['customer-order-summary'],
        models: {
          'customer-order-summary': {
            checkpoint: 4,
            state: 'backingOff',
            lastProblem: 'seq 6 arrived before 5; waiting for it',
          },
        },
      }),
    );
    expect(a[2]).toEqual({
      model: 'customer-order-summary',
      plugin: true,
      verdict: 'stalled',
      detail: 'stalled at seq 4 of 40 (backingOff): seq 6 arrived before 5; waiting for it',
    });
  });

  it('calls its own divergence diverged, at the end or while caught up', () => {
    const a = attribute(
      input({
        models: { 'product-inventory': { divergence: { ...clean, duplicated: 2 } } },
        caughtUp: { products: { atMs: 750, headSeq: 12, divergence: { ...clean, wrong: 1 } } },
      }),
    );
    expect(a.map((x) => [x.verdict, x.detail])).toEqual([
      ['diverged', '2 duplicated at the end'],
      ['diverged', '1 wrong at 750 ms (every model at seq 12), covered up later'],
      ['ok', 'equal to the oracle'],
    ]);
  });

  it('calls a model equal to the oracle when judged but not to its rebuild diverged (a late redelivery applied again)', () => {
    const a = attribute({
      ...input({ plugins: ['product-inventory'] }),
      rebuildKeysDiffer: { 'product-inventory': 1, products: 0 },
    });
    expect(a.map((x) => [x.verdict, x.detail])).toEqual([
      ['diverged', 'equal to the oracle when judged, but 1 key(s) differ from a rebuild from seq 1 afterwards'],
      ['ok', 'equal to the oracle'],
      ['ok', 'equal to the oracle'],
    ]);
  });

  it('says the summary follows Products when it differs only in names and Products diverged; otherwise its own', () => {
    const names = {
      ...clean,
      wrong: 1,
      examples: [{ key: 'o1', bucket: 'wrong' as const, expected: row('New'), actual: row('Old') }],
    };
    const products = { ...clean, wrong: 1 };
    const follows = attribute(
      input({ models: { products: { divergence: products }, 'customer-order-summary': { divergence: names } } }),
    );
    expect(follows[2]?.verdict).toBe('followsUpstream');
    const alone = attribute(input({ models: { 'customer-order-summary': { divergence: names } } }));
    expect(alone[2]?.verdict).toBe('diverged');
    const quantity = {
      ...clean,
      wrong: 1,
      examples: [
        {
          key: 'o1',
          bucket: 'wrong' as const,
          expected: row('A'),
          actual: { ...row('A'), items: [{ productId: 'p1', productName: 'A', quantity: 2 }] },
        },
      ],
    };
    expect(
      attribute(
        input({ models: { products: { divergence: products }, 'customer-order-summary': { divergence: quantity } } }),
      )[2]?.verdict,
    ).toBe('diverged');
  });

  it('lists the plug-ins first and names built-ins as built-in', () => {
    const lines = attributionLines(
      attribute(
        input({
          plugins: ['customer-order-summary'],
          models: {
            products: { divergence: { ...clean, missing: 1 } },
            'customer-order-summary': { checkpoint: 39, state: 'failed', lastProblem: 'boom' },
          },
        }),
      ),
    );
    expect(lines).toEqual([
      'customer-order-summary (plug-in): stalled at seq 39 of 40 (failed): boom',
      'products (built-in): 1 missing at the end',
    ]);
  });
});
