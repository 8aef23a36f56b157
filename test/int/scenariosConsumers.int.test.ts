import { describe, expect, it } from 'vitest';
import { explain, runShipped } from '../helpers/scenarioHarness.js';

// Shipped scenarios for the consumer-side fault kinds, run against a real nats-server each. Every verdict must be
// what the file says; the extra assertions check that the fault really happened (a scenario that passes because
// its fault never fired would teach nothing).
describe('shipped scenarios: consumer faults', { timeout: 120_000 }, () => {
  it('flagship-summary-outage: the summary lags while down, then converges', async () => {
    const r = await runShipped('flagship-summary-outage');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.models['customer-order-summary'].maxLagEvents).toBeGreaterThan(20);
    expect(
      r.samples.some(
        (s) =>
          s.models['customer-order-summary'].state === 'stopped' && s.models['customer-order-summary'].divergent > 0,
      ),
    ).toBe(true);
    expect(r.models['customer-order-summary'].divergence.ok).toBe(r.workload.placed);
    // The history has every order; the 3 s outage shows in the summary's convergence latency, not the inventory's.
    const orders = r.history.filter((op) => op.type === 'place-order');
    expect(orders.filter((op) => op.outcome === 'ok')).toHaveLength(r.workload.placed);
    expect(orders.every((op) => op.completeMs >= op.invokeMs)).toBe(true);
    const summary = r.latency['customer-order-summary'];
    const inventory = r.latency['product-inventory'];
    expect(summary?.orders).toBe(r.workload.placed);
    expect(summary?.neverVisible).toBe(0);
    expect(summary?.maxMs).toBeGreaterThan(2_000); // orders placed at the start of the outage waited it out
    expect(inventory?.p99Ms).toBeLessThan(summary?.p99Ms ?? 0);
  });

  it('crash-before-ack: batches are redelivered after the crashes and change nothing twice', async () => {
    const r = await runShipped('crash-before-ack');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.models['product-inventory'].redeliveries).toBeGreaterThan(0);
    expect(r.models['product-inventory'].divergence.duplicated).toBe(0);
  });

  it('handler-bug-retried: the products consumer backs off, then applies every rename in order', async () => {
    const r = await runShipped('handler-bug-retried');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.samples.some((s) => s.models.products.state === 'backingOff')).toBe(true);
  });

  it('poison-to-dead-letters-and-back: events are parked, replayed after the fix, and the model converges', async () => {
    const r = await runShipped('poison-to-dead-letters-and-back');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.timeline.map((t) => t.label)).toContain('replayDeadLetters customer-order-summary');
    expect(r.samples.some((s) => s.models['customer-order-summary'].divergent > 0)).toBe(true);
  });

  it('undecodable-events: three undecodable messages are parked by every consumer', async () => {
    const r = await runShipped('undecodable-events');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.events.undecodable).toBe(3);
  });

  it('slow-consumer: lag grows under added latency and drains after', async () => {
    const r = await runShipped('slow-consumer');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.models['customer-order-summary'].maxLagEvents).toBeGreaterThan(r.models.products.maxLagEvents);
  });
});
