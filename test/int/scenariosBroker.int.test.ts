import { describe, expect, it } from 'vitest';
import { explain, runShipped } from '../helpers/scenarioHarness.js';

// Shipped scenarios for broker and outbox faults: a hung broker, a restarted broker, a stopped relay.
describe('shipped scenarios: broker and outbox faults', { timeout: 120_000 }, () => {
  it('broker-pause: after SIGCONT everything drains and converges, nothing published twice', async () => {
    const r = await runShipped('broker-pause');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.timeline.map((t) => t.label)).toEqual(['broker paused (SIGSTOP)', 'broker resumed (SIGCONT)']);
  });

  it('broker-restart: orders accepted while the broker is down are published exactly once afterwards', async () => {
    const r = await runShipped('broker-restart');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.writeModel.accepted).toBe(r.workload.placed);
    expect(r.writeModel.unpublished + r.writeModel.publishedTwice).toBe(0);
  });

  it('outbox-relay-outage: the backlog waits in the outbox and drains exactly once', async () => {
    const r = await runShipped('outbox-relay-outage');
    expect(r.verdict, explain(r)).toBe('pass');
    // The stream (and so the oracle) does not see the orders either while the relay is down: the backlog is the sign.
    expect(Math.max(...r.samples.map((s) => s.outboxBacklog.orders))).toBeGreaterThan(30);
  });
});
