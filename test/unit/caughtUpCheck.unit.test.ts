import { describe, expect, it } from 'vitest';
import type { ReadModelName } from '../../src/domain/readModels.js';
import { CaughtUpCheck } from '../../src/scenarios/caughtUpCheck.js';
import { divergent, type Divergence } from '../../src/scenarios/divergence.js';

// A sample where every model applied exactly the log the oracle read is a check like the end of the run — except
// for models a bug (or a replay out of order) left wrong until their rebuild, and what reads from them.

const clean: Divergence = { ok: 3, missing: 0, unexpected: 0, wrong: 0, duplicated: 0, examples: [] };
const wrong: Divergence = { ...clean, wrong: 1 };
const all = <T>(v: T): Record<ReadModelName, T> => ({
  'product-inventory': v,
  products: v,
  'customer-order-summary': v,
});

function sample(
  check: CaughtUpCheck,
  over: {
    atMs?: number;
    head?: number;
    checkpoints?: Partial<Record<ReadModelName, number>>;
    divergence?: Partial<Record<ReadModelName, Divergence>>;
    rebuilds?: Partial<Record<ReadModelName, number>>;
    rebuilding?: ReadModelName[];
  } = {},
) {
  const head = over.head ?? 10;
  check.observe({
    atMs: over.atMs ?? 100,
    headSeq: head,
    divergent,
    checkpoints: { ...all(head), ...over.checkpoints },
    divergence: { ...all(clean), ...over.divergence },
    rebuilding: (m) => (over.rebuilding ?? []).includes(m),
    rebuilds: (m) => over.rebuilds?.[m] ?? 0,
  });
}

describe('CaughtUpCheck', () => {
  it('forgets findings at heads the broker rewrote (compared with a history that is gone), keeps earlier ones', () => {
    const check = new CaughtUpCheck();
    sample(check, { head: 10, divergence: { products: wrong } });
    sample(check, { head: 20, divergence: { 'customer-order-summary': wrong } });
    check.forgetFrom(15);
    expect(check.findings()).toEqual({ products: { atMs: 100, headSeq: 10, divergence: wrong } });
  });

  it('keeps the first divergence of a model while every model is at the head', () => {
    const check = new CaughtUpCheck();
    sample(check, { atMs: 100, divergence: { products: wrong } });
    sample(check, { atMs: 200, divergence: { products: { ...clean, wrong: 5 } } });
    expect(check.findings()).toEqual({ products: { atMs: 100, headSeq: 10, divergence: wrong } });
  });

  it('says nothing while any model lags: equal values there may only mean "not yet"', () => {
    const check = new CaughtUpCheck();
    sample(check, {
      checkpoints: { 'product-inventory': 9 },
      divergence: { products: wrong, 'customer-order-summary': wrong },
    });
    expect(check.findings()).toEqual({});
  });

  it('skips a model that is rebuilding', () => {
    const check = new CaughtUpCheck();
    sample(check, { divergence: { products: wrong }, rebuilding: ['products'] });
    expect(check.findings()).toEqual({});
  });

  it('skips a bugged model and what reads from it until each is rebuilt, upstream first', () => {
    const check = new CaughtUpCheck();
    check.taint('products', () => 0);
    sample(check, { divergence: { products: wrong, 'customer-order-summary': wrong } });
    expect(check.findings()).toEqual({});
    sample(check, {
      atMs: 300,
      divergence: { products: wrong, 'customer-order-summary': wrong },
      rebuilds: { products: 1 },
    });
    expect(Object.keys(check.findings())).toEqual(['products']); // rebuilt, and still wrong: that is a finding
    const later = new CaughtUpCheck();
    later.taint('products', () => 0);
    sample(later, { divergence: { 'customer-order-summary': wrong }, rebuilds: { 'customer-order-summary': 1 } }); // products still tainted
    expect(later.findings()).toEqual({});
  });

  it('does not taint models that do not read from the bugged one', () => {
    const check = new CaughtUpCheck();
    check.taint('customer-order-summary', () => 0);
    sample(check, { divergence: { products: wrong, 'customer-order-summary': wrong } });
    expect(Object.keys(check.findings())).toEqual(['products']);
  });
});
