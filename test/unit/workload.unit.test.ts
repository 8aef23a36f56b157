import { describe, expect, it } from 'vitest';
import type { WorkloadSpec } from '../../src/scenarios/scenario.js';
import {
  phaseTicks,
  renamedName,
  workloadCatalog,
  workloadOps,
  type WorkloadOp,
} from '../../src/scenarios/workload.js';
import { parseScenario } from '../../src/scenarios/loadScenario.js';

// The workload is a pure function of (spec, seed): replayable, evenly paced, and within every bound of the spec.

const spec = (over: Partial<WorkloadSpec> = {}): WorkloadSpec => ({
  durationMs: 2_000,
  ordersPerSecond: 3,
  concurrency: 4,
  customers: 50,
  products: 8,
  hotProductSkew: 1,
  initialStock: { min: 10, max: 20 },
  itemsPerOrder: { min: 1, max: 3 },
  quantityPerItem: { min: 2, max: 4 },
  stockAdjustmentsPerSecond: 2,
  repeatedLineShare: 0,
  stockAdjustmentDelta: { min: 1, max: 20 },
  renamesPerSecond: 1,
  repricesPerSecond: 0.5,
  ...over,
});

const opsOf = (s: WorkloadSpec, seed = 1) => [...workloadOps(s, seed)];
type Kind = WorkloadOp['kind'];
const ofKind = <K extends Kind>(ops: readonly WorkloadOp[], kind: K) =>
  ops.filter((o): o is Extract<WorkloadOp, { kind: K }> => o.kind === kind);

/** Ticks of a stream at (k + offset) / rate seconds, k = 0, 1, …, strictly before the end: counted in exact arithmetic. */
function expectedCount(perSecond: number, durationMs: number, offset: number): number {
  let n = 0;
  while ((n + offset) * 1_000 < durationMs * perSecond) n++;
  return n;
}

describe('workloadOps', () => {
  it('gives deep-equal operations for the same (spec, seed) and different ones for another seed', () => {
    expect(opsOf(spec(), 42)).toEqual(opsOf(spec(), 42));
    expect(opsOf(spec(), 43)).not.toEqual(opsOf(spec(), 42));
  });

  it('emits operations in non-decreasing time, all inside [0, durationMs)', () => {
    const s = spec({
      durationMs: 10_000,
      ordersPerSecond: 7,
      stockAdjustmentsPerSecond: 3,
      renamesPerSecond: 2,
      repricesPerSecond: 2,
    });
    const ops = opsOf(s);
    expect(ops.length).toBeGreaterThan(100);
    const outOfOrder = ops.filter(
      (op, i) => op.atMs < (i === 0 ? 0 : (ops[i - 1]?.atMs ?? 0)) || op.atMs >= s.durationMs,
    );
    expect(outOfOrder).toEqual([]);
  });

  it('places the ticks of each stream evenly, offset by a quarter step per stream', () => {
    const ops = opsOf(
      spec({
        durationMs: 1_000,
        ordersPerSecond: 4,
        stockAdjustmentsPerSecond: 2,
        renamesPerSecond: 1,
        repricesPerSecond: 1,
      }),
    );
    expect(ofKind(ops, 'placeOrder').map((o) => o.atMs)).toEqual([0, 250, 500, 750]);
    expect(ofKind(ops, 'adjustStock').map((o) => o.atMs)).toEqual([125, 625]);
    expect(ofKind(ops, 'rename').map((o) => o.atMs)).toEqual([500]);
    expect(ofKind(ops, 'reprice').map((o) => o.atMs)).toEqual([750]);
  });

  // 3/s over 2 s is the regression: adding a step of 333.33… ms six times lands just below 2000 and gave a 7th order.
  it.each([
    [3, 2_000],
    [7, 3_000],
    [9, 1_000],
    [6, 60_000],
    [0.5, 5_000],
    [50, 10_000],
  ])('emits exactly rate × duration operations per kind (%d/s over %d ms)', (rate, durationMs) => {
    const s = spec({
      durationMs,
      ordersPerSecond: rate,
      stockAdjustmentsPerSecond: rate,
      renamesPerSecond: rate,
      repricesPerSecond: rate,
    });
    const ops = opsOf(s);
    const offsets: Record<Kind, number> = { placeOrder: 0, adjustStock: 0.25, rename: 0.5, reprice: 0.75 };
    for (const [kind, offset] of Object.entries(offsets) as [Kind, number][]) {
      expect({ kind, n: ofKind(ops, kind).length }).toEqual({ kind, n: expectedCount(rate, durationMs, offset) });
    }
  });

  it('emits nothing for a stream whose rate is 0', () => {
    const ops = opsOf(spec({ stockAdjustmentsPerSecond: 0, renamesPerSecond: 0, repricesPerSecond: 0 }));
    expect(new Set(ops.map((o) => o.kind))).toEqual(new Set(['placeOrder']));
  });

  it('gives every order between itemsPerOrder.min and min(max, products) distinct products, quantities in range', () => {
    for (const s of [
      spec(),
      spec({ products: 3, itemsPerOrder: { min: 2, max: 5 } }),
      spec({ itemsPerOrder: { min: 4, max: 4 } }),
    ]) {
      const orders = ofKind(opsOf(spec({ ...s, durationMs: 20_000, ordersPerSecond: 20 }), 5), 'placeOrder');
      expect(orders.length).toBe(400);
      const most = Math.min(s.itemsPerOrder.max, s.products);
      const index = (id: string, prefix: string) => Number(id.slice(prefix.length));
      const bad = orders.filter((o) => {
        const ids = o.items.map((i) => i.productId);
        return (
          new Set(ids).size !== ids.length ||
          ids.length < Math.min(s.itemsPerOrder.min, most) ||
          ids.length > most ||
          o.items.some(
            (i) =>
              index(i.productId, 'prod_') >= s.products ||
              i.quantity < s.quantityPerItem.min ||
              i.quantity > s.quantityPerItem.max,
          ) ||
          index(o.customerId, 'cust_') >= s.customers
        );
      });
      expect(bad).toEqual([]);
      const sizes = new Set(orders.map((o) => o.items.length));
      expect(Math.max(...sizes)).toBe(most); // the cap is reached, not just respected
    }
  });

  // Regression: with min above the catalogue no number of draws found `min` distinct products and this never returned.
  it('caps itemsPerOrder.min at the catalogue too (1 product, min 2: one line per order, and it terminates)', () => {
    const orders = ofKind(opsOf(spec({ products: 1, itemsPerOrder: { min: 2, max: 3 } })), 'placeOrder');
    expect(orders.length).toBe(6);
    for (const o of orders) expect(o.items.map((i) => i.productId)).toEqual(['prod_0000']);
  });

  it('gives the most popular product a larger share of order lines at skew 2 than at skew 0', () => {
    const share = (hotProductSkew: number) => {
      const s = spec({
        durationMs: 60_000,
        ordersPerSecond: 50,
        products: 20,
        hotProductSkew,
        itemsPerOrder: { min: 1, max: 1 },
      });
      const lines = ofKind(opsOf(s, 9), 'placeOrder').flatMap((o) => o.items);
      expect(lines.length).toBe(3_000);
      return lines.filter((l) => l.productId === 'prod_0000').length / lines.length;
    };
    const uniform = share(0);
    const skewed = share(2);
    expect(uniform).toBeLessThan(0.1); // 1/20 expected
    expect(skewed).toBeGreaterThan(0.5); // 1/ζ₂₀(2) ≈ 0.63 expected
  });

  it('renames with a per-product version that counts up, reprices and restocks within bounds', () => {
    const s = spec({ durationMs: 30_000, renamesPerSecond: 5, repricesPerSecond: 5, stockAdjustmentsPerSecond: 5 });
    const ops = opsOf(s, 3);
    const versions = new Map<string, number>();
    const names = new Map<string, string[]>();
    for (const r of ofKind(ops, 'rename')) {
      const v = (versions.get(r.productId) ?? 0) + 1;
      versions.set(r.productId, v);
      const k = Number(r.productId.slice('prod_'.length));
      expect(r.name).toBe(renamedName(3, k, v));
      expect(r.name).toMatch(new RegExp(`^[A-Z][a-z]+ ${k} v${v}$`));
      names.set(r.productId, [...(names.get(r.productId) ?? []), r.name]);
    }
    // Names do not sort in the order they were given: a projection keeping the greatest name is not the latest's.
    const outOfOrder = [...names.values()].some((list) => list.some((name, i) => i > 0 && name < (list[i - 1] ?? '')));
    expect(outOfOrder).toBe(true);
    for (const r of ofKind(ops, 'reprice')) {
      expect(r.priceCents).toBeGreaterThanOrEqual(100);
      expect(r.priceCents).toBeLessThanOrEqual(10_000);
    }
    for (const a of ofKind(ops, 'adjustStock')) {
      expect(a.delta).toBeGreaterThanOrEqual(1);
      expect(a.delta).toBeLessThanOrEqual(20);
    }
  });
});

describe('workloadOps: the untidy inputs', () => {
  it('repeats a product within an order when repeatedLineShare > 0 (and never when it is 0), within the line bounds', () => {
    const orders = (share: number) =>
      ofKind(
        opsOf(
          spec({
            durationMs: 20_000,
            ordersPerSecond: 10,
            products: 3,
            itemsPerOrder: { min: 2, max: 4 },
            repeatedLineShare: share,
          }),
          5,
        ),
        'placeOrder',
      );
    const repeats = (os: ReturnType<typeof orders>) =>
      os.filter((o) => new Set(o.items.map((i) => i.productId)).size < o.items.length).length;
    expect(repeats(orders(0))).toBe(0);
    const withRepeats = orders(0.5);
    expect(repeats(withRepeats)).toBeGreaterThan(20);
    for (const o of withRepeats) {
      expect(o.items.length).toBeGreaterThanOrEqual(2);
      expect(o.items.length).toBeLessThanOrEqual(4);
    }
  });

  it('draws stock adjustments from stockAdjustmentDelta, negative ones included, never 0', () => {
    const deltas = ofKind(
      opsOf(spec({ durationMs: 20_000, stockAdjustmentsPerSecond: 10, stockAdjustmentDelta: { min: -3, max: 2 } }), 8),
      'adjustStock',
    ).map((a) => a.delta);
    expect(deltas.length).toBe(200);
    expect(deltas.some((d) => d < 0)).toBe(true);
    expect(deltas.every((d) => d !== 0 && d >= -3 && d <= 2)).toBe(true);
  });
});

describe('workloadCatalog', () => {
  it('is deterministic per seed, numbers products from prod_0000, and keeps stock within initialStock', () => {
    const s = spec({ products: 50, initialStock: { min: 5, max: 9 } });
    const catalog = workloadCatalog(s, 11);
    expect(catalog).toEqual(workloadCatalog(s, 11));
    expect(catalog).not.toEqual(workloadCatalog(s, 12));
    expect(catalog.map((c) => c.productId)).toEqual(
      Array.from({ length: 50 }, (_, k) => `prod_${String(k).padStart(4, '0')}`),
    );
    for (const c of catalog) {
      expect(c.stock).toBeGreaterThanOrEqual(5);
      expect(c.stock).toBeLessThanOrEqual(9);
      expect(c.priceCents).toBeGreaterThanOrEqual(100);
      expect(c.priceCents).toBeLessThanOrEqual(10_000);
    }
    expect(new Set(catalog.map((c) => c.stock)).size).toBeGreaterThan(1);
  });
});

describe('workload phases', () => {
  it('steady and spike are constant rates; a ramp integrates its rate; after the phases, ordersPerSecond', () => {
    const times = [
      ...phaseTicks(
        [
          { shape: 'steady', durationMs: 1_000, ordersPerSecond: 10 },
          { shape: 'ramp', durationMs: 2_000, from: 0, to: 20 },
          { shape: 'spike', durationMs: 500, ordersPerSecond: 100 },
        ],
        4,
        4_500,
      ),
    ];
    const inWindow = (from: number, to: number) => times.filter((t) => t >= from && t < to).length;
    expect(inWindow(0, 1_000)).toBe(10); // steady 10/s for 1 s
    expect(inWindow(1_000, 3_000)).toBe(20); // ramp 0→20/s over 2 s: 20 orders, denser towards the end
    expect(inWindow(1_000, 2_000)).toBeLessThan(inWindow(2_000, 3_000));
    expect(inWindow(3_000, 3_500)).toBe(50); // spike 100/s for 0.5 s
    expect(inWindow(3_500, 4_500)).toBe(4); // then ordersPerSecond to the end
    expect([...times].sort((a, b) => a - b)).toEqual(times); // in time order
  });

  it('a falling ramp ends when its orders are placed, and a scenario with phases loads and plays them', () => {
    expect([...phaseTicks([{ shape: 'ramp', durationMs: 4_000, from: 40, to: 10 }], 0, 4_000)]).toHaveLength(100);
    const parsed = parseScenario(
      `name: shaped\ndescription: d\nteaches: t\nworkload:\n  durationMs: 2000\n  ordersPerSecond: 0\n  phases:\n    - {shape: spike, durationMs: 1000, ordersPerSecond: 30}\nexpect: [{property: nothingLost}]\n`,
      'shaped.yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    const orders = [...workloadOps(parsed.value.workload, 1)].filter((op) => op.kind === 'placeOrder');
    expect(orders).toHaveLength(30);
    expect(orders.every((op) => op.atMs < 1_000)).toBe(true);
    const tooLong = parseScenario(
      `name: shaped\ndescription: d\nteaches: t\nworkload:\n  durationMs: 2000\n  ordersPerSecond: 0\n  phases:\n    - {shape: steady, durationMs: 3000, ordersPerSecond: 30}\nexpect: [{property: nothingLost}]\n`,
      'shaped.yaml',
    );
    expect(tooLong.ok).toBe(false);
    if (!tooLong.ok) expect(tooLong.error[0]?.message).toContain('longer than workload.durationMs (2000)');
  });
});
