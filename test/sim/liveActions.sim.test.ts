import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { loadScenarioFile } from '../../src/scenarios/loadScenario.js';
import { jsonLine, scenarioDetail, summaryTable } from '../../src/scenarios/reports.js';
import { runScenarioSim } from '../../src/scenarios/simRig.js';
import type { LiveControl } from '../../src/scenarios/telemetry.js';
import { SCENARIOS_DIR } from '../helpers/scenarioHarness.js';

// A key pressed on the dashboard changes the run; the report must say so, or a FAIL points at nothing the seed
// can replay. The flagship on the simulation, with the products consumer stopped "from the dashboard" at 1 s.

async function flagship() {
  const loaded = await loadScenarioFile(join(SCENARIOS_DIR, 'flagship-summary-outage.yaml'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

describe('live actions in the reports', () => {
  it(
    'a run failed by a key press says so in its timeline, text, JSON and verdict line; the seed alone passes',
    { timeout: 60_000 },
    async () => {
      const scenario = await flagship();
      let control: LiveControl | undefined;
      let pressed = false;
      const report = await runScenarioSim(scenario, {
        log: silentLogger(),
        onControl: (c) => (control = c),
        onTelemetry: (t) => {
          if (pressed || t.elapsedMs < 1_000 || !control) return;
          pressed = true;
          void control.send({ kind: 'stopConsumer', target: 'products' });
        },
      });
      expect(pressed).toBe(true);
      expect(report.verdict).toBe('fail');
      expect(report.liveActions).toBe(1);
      const live = report.timeline.filter((t) => t.live);
      expect(live).toEqual([
        {
          atMs: expect.any(Number) as unknown,
          label: 'products consumer stopped (live)',
          phase: 'fault-start',
          live: true,
          key: 'live:stop:products',
        },
      ]);
      expect(live[0]?.atMs).toBeGreaterThanOrEqual(1_000);
      expect(report.timeline.filter((t) => !t.live).map((t) => t.label)).toEqual([
        'customer-order-summary consumer down',
        'customer-order-summary consumer back',
      ]);

      const text = scenarioDetail(report);
      expect(text.split('\n')[0]).toMatch(
        /^FAIL flagship-summary-outage \(seed 1, [\d.]+ s, \d+ events\) — not reproducible by seed alone \(1 live action\)$/,
      );
      expect(text).toMatch(/\n {4} +\d+\.\d s {2}products consumer stopped \(live\)/);
      expect(JSON.parse(jsonLine(report))).toMatchObject({
        verdict: 'fail',
        liveActions: 1,
        timeline: expect.arrayContaining([expect.objectContaining({ live: true })]) as unknown,
      });
      expect(summaryTable([report])).toMatch(
        /\nflagship-summary-outage\s+FAIL\*[\s\S]*\n\* not reproducible by seed alone/,
      );

      // The same seed without the key press: the scenario as written passes, and its report says nothing of live actions.
      const replay = await runScenarioSim(scenario, { log: silentLogger() });
      expect(replay.verdict).toBe('pass');
      expect(replay.liveActions).toBe(0);
      expect(scenarioDetail(replay)).not.toContain('not reproducible');
    },
  );
});
