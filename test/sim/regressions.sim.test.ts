import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failuresOf } from '../../src/check/propertySuite.js';
import { silentLogger } from '../../src/log/logger.js';
import { formatScenarioErrors, loadScenarioFile } from '../../src/scenarios/loadScenario.js';
import { scenarioPlugins } from '../../src/scenarios/scenarioPlugins.js';
import { runScenarioSim } from '../../src/scenarios/simRig.js';
import { explain, SCENARIOS_DIR } from '../helpers/scenarioHarness.js';

// Every counterexample the property suite (or a user) ever found becomes a file in scenarios/regressions/, and must
// pass from then on — judged as the suite judges it (every expectation, monotonic checkpoints, reserve mode never
// oversold). Each file's header says what was wrong; a file that needs a plug-in names it (`projections:`), so
// `cqrs-testbed run <file> --transport sim` replays it as it is.
const DIR = join(SCENARIOS_DIR, 'regressions');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('regression scenarios (scenarios/regressions/) on the simulation', () => {
  it('has the regressions found so far', () => expect(files.length).toBeGreaterThanOrEqual(2));

  for (const file of files) {
    it(`${file} passes as the property suite judges it`, { timeout: 60_000 }, async () => {
      const loaded = await loadScenarioFile(join(DIR, file));
      if (!loaded.ok) throw new Error(formatScenarioErrors(loaded.error));
      const plugins = await scenarioPlugins(loaded.value);
      if (!plugins.ok) throw new Error(plugins.error);
      const report = await runScenarioSim(loaded.value, { log: silentLogger(), plugins: plugins.plugins });
      expect(failuresOf(report, loaded.value), explain(report)).toEqual([]);
      expect(report.verdict).toBe('pass');
    });
  }
});
