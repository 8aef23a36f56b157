import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { loadScenarioFile } from '../../src/scenarios/loadScenario.js';
import { InfrastructureError } from '../../src/scenarios/runTypes.js';
import { runScenarioSim } from '../../src/scenarios/simRig.js';
import { explain, SCENARIOS_DIR } from '../helpers/scenarioHarness.js';
import { join } from 'node:path';

// Every shipped scenario on the simulation: the verdict must be the one its file expects, as on real NATS; and the
// same seed must replay the same run byte for byte.
const files = readdirSync(SCENARIOS_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

async function load(file: string) {
  const loaded = await loadScenarioFile(join(SCENARIOS_DIR, file));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

describe('shipped scenarios on the simulation', () => {
  it('ships at least ten scenarios', () => expect(files.length).toBeGreaterThanOrEqual(10));

  for (const file of files) {
    it(`${file} gets the verdict its file expects`, { timeout: 60_000 }, async () => {
      const scenario = await load(file);
      if ((scenario.system.topology?.brokers ?? 1) > 1 || scenario.system.topology?.processes === true) {
        // A broker cluster or service processes are real only (test/int/scenariosCluster.int.test.ts and
        // scenariosProcesses.int.test.ts run them): refused here.
        await expect(runScenarioSim(scenario, { log: silentLogger() })).rejects.toThrow(InfrastructureError);
        return;
      }
      const report = await runScenarioSim(scenario, { log: silentLogger() });
      expect(report.verdict, explain(report)).toBe('pass');
    });
  }

  it('replays byte for byte from the same seed, and differs with another seed', { timeout: 60_000 }, async () => {
    const scenario = await load('crash-before-ack.yaml');
    const a = JSON.stringify(await runScenarioSim(scenario, { log: silentLogger() }));
    const b = JSON.stringify(await runScenarioSim(scenario, { log: silentLogger() }));
    const c = JSON.stringify(await runScenarioSim(scenario, { log: silentLogger(), seed: scenario.seed + 1 }));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(JSON.parse(a)).toMatchObject({ scenario: 'crash-before-ack', verdict: 'pass' });
  });
});
