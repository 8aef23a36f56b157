import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { loadProjectionPlugin } from '../../src/plugins/loadProjectionPlugin.js';
import { formatScenarioErrors, loadScenarioFile } from '../../src/scenarios/loadScenario.js';
import { runScenario } from '../../src/scenarios/natsRig.js';
import { scenarioPlugins } from '../../src/scenarios/scenarioPlugins.js';
import { explain, runShipped, SCENARIOS_DIR } from '../helpers/scenarioHarness.js';

// The fault kinds that close the property suite's blind spots, on a real nats-server and SQLite files: each shipped
// scenario gets the verdict its file expects, and the fault visibly did something.

describe('new fault kinds on real NATS', { timeout: 120_000 }, () => {
  it('reservations-released-after-order-crash: five orders die between reserve and commit; none of their stock stays held', async () => {
    const r = await runShipped('reservations-released-after-order-crash');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.properties.find((p) => p.name === 'noStrandedReservations')?.detail).toMatch(
      /every reserved unit belongs to a placed order/,
    );
    expect(r.workload.unavailable).toBeGreaterThanOrEqual(5); // the five lost orders got errors
  });

  it('ack-loss-late-redelivery: lost acks bring applied events back, and the checkpoint makes them no-ops', async () => {
    const r = await runShipped('ack-loss-late-redelivery');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.models['customer-order-summary'].redeliveries).toBeGreaterThan(0);
  });

  it('process-restart-forgets-memory: the inventory consumer process dies twice under load and comes back from disk', async () => {
    const r = await runShipped('process-restart-forgets-memory');
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.timeline.filter((t) => /process killed/.test(t.label))).toHaveLength(2);
  });

  it('crash-point-between-writes: passes with the transactional plug-in, fails with the one that writes twice', async () => {
    const loaded = await loadScenarioFile(join(SCENARIOS_DIR, 'plugins', 'crash-point-between-writes.yaml'));
    if (!loaded.ok) throw new Error(formatScenarioErrors(loaded.error));
    const own = await scenarioPlugins(loaded.value);
    if (!own.ok) throw new Error(own.error);
    const good = await runScenario(loaded.value, { log: silentLogger(), plugins: own.plugins });
    expect(good.verdict, explain(good)).toBe('pass');
    const broken = await loadProjectionPlugin(
      `customer-order-summary=${join(import.meta.dirname, '..', 'fixtures', 'projections', 'partialUpdateSummary.ts')}`,
    );
    const bad = await runScenario(loaded.value, { log: silentLogger(), plugins: { [broken.target]: broken.plugin } });
    expect(bad.verdict).toBe('fail');
    expect(bad.attribution.find((a) => a.model === 'customer-order-summary')).toMatchObject({ plugin: true });
  });
});
