import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failuresOf } from '../../src/check/propertySuite.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadProjectionPlugin } from '../../src/plugins/loadProjectionPlugin.js';
import { formatScenarioErrors, loadScenarioFile } from '../../src/scenarios/loadScenario.js';
import type { RunOptions } from '../../src/scenarios/runner.js';
import { runScenarioSim } from '../../src/scenarios/simRig.js';
import { explain, SCENARIOS_DIR } from '../helpers/scenarioHarness.js';

// Every counterexample the property suite (or a user) ever found becomes a file in scenarios/regressions/, and must
// pass from then on — judged as the suite judges it (every expectation, monotonic checkpoints, reserve mode never
// oversold). Each file's header says what was wrong. Files that need a plug-in or crash points say so in their
// `Replay:` line; the table below gives the test the same options.
const DIR = join(SCENARIOS_DIR, 'regressions');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'projections');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

const needs: Record<string, { readonly target: string; readonly fixture: string; readonly crashPoint?: string }> = {
  'self-managed-ack-floor-stall.yaml': { target: 'customer-order-summary', fixture: 'correctSummarySelfManaged.ts', crashPoint: 'between-writes' },
};

async function optionsFor(file: string): Promise<Partial<RunOptions>> {
  const need = needs[file];
  if (!need) return {};
  const loaded = await loadProjectionPlugin(`${need.target}=${join(FIXTURES, need.fixture)}`);
  return {
    plugins: { [loaded.target]: loaded.plugin },
    ...(need.crashPoint ? { crashPoints: [{ target: loaded.target, point: need.crashPoint, times: 2 }] } : {}),
  };
}

describe('regression scenarios (scenarios/regressions/) on the simulation', () => {
  it('has the regressions found so far', () => expect(files.length).toBeGreaterThanOrEqual(2));

  for (const file of files) {
    it(`${file} passes as the property suite judges it`, { timeout: 60_000 }, async () => {
      const loaded = await loadScenarioFile(join(DIR, file));
      if (!loaded.ok) throw new Error(formatScenarioErrors(loaded.error));
      const report = await runScenarioSim(loaded.value, { log: silentLogger(), ...(await optionsFor(file)) });
      expect(failuresOf(report, loaded.value), explain(report)).toEqual([]);
      expect(report.verdict).toBe('pass');
    });
  }
});
