import { describe, expect, it } from 'vitest';
import { explain, runShipped } from '../helpers/scenarioHarness.js';

// Shipped scenarios about what read models contain: silent corruption, dependency lag, the oversell race.
describe('shipped scenarios: wrong values and anomalies', { timeout: 120_000 }, () => {
  it('silent-corruption-repaired-by-rebuild: wrong values appear, the rebuild repairs them', async () => {
    const r = await runShipped('silent-corruption-repaired-by-rebuild');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.samples.some((s) => s.models['product-inventory'].divergent > 0)).toBe(true);
    expect(r.timeline.map((t) => t.label)).toContain('rebuild product-inventory');
  });

  it('silent-corruption-fix-only: without a rebuild the wrong values stay (violation expected and found)', async () => {
    const r = await runShipped('silent-corruption-fix-only');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.models['product-inventory'].divergence.wrong).toBeGreaterThan(0);
  });

  it('dependency-lag-waits: the summary waits for Products and ends with the right names', async () => {
    const r = await runShipped('dependency-lag-waits');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.samples.some((s) => s.models['customer-order-summary'].state === 'waitingForDependency')).toBe(true);
    expect(r.models['customer-order-summary'].divergence.wrong).toBe(0);
  });

  it('stale-names-naive: a naive look-up writes stale names that never heal (violation expected and found)', async () => {
    const r = await runShipped('stale-names-naive');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.models['customer-order-summary'].divergence.wrong).toBeGreaterThan(0);
  });

  it('oversell-race-check oversells; oversell-race-reserve, the same workload, does not', async () => {
    const check = await runShipped('oversell-race-check');
    expect(check.verdict, explain(check)).toBe('pass');
    expect(check.properties.find((p) => p.name === 'violation:inventoryNeverNegative')?.detail).toMatch(/oversold/);
    const reserve = await runShipped('oversell-race-reserve');
    expect(reserve.verdict, explain(reserve)).toBe('pass');
    expect(reserve.workload.rejected).toBeGreaterThan(0);
  });
});
