import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioArb } from '../../src/check/arbitraries.js';
import { scenarioToYaml } from '../../src/check/counterexample.js';
import { formatScenarioErrors, parseScenario } from '../../src/scenarios/loadScenario.js';

// A counterexample is only useful if `cqrs-testbed run` loads it: every generated scenario must survive the trip
// through the YAML file format and the loader unchanged.
describe('generated scenarios as YAML', () => {
  it('round-trip through the scenario loader unchanged', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const parsed = parseScenario(scenarioToYaml(scenario, ['generated']), 'cx.yaml');
        if (!parsed.ok) throw new Error(formatScenarioErrors(parsed.error));
        expect({ ...parsed.value, file: scenario.file }).toEqual(scenario);
      }),
      { numRuns: 150 },
    );
  });
});
