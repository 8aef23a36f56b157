/**
 * The refactoring guard: runs every shipped scenario (scenarios/, plugins/, regressions/) and a fixed set of
 * generated ones (built-ins and four plug-in fixtures, fast-check seed 777) on the simulation and writes each report
 * as JSON into DIR. Run it before and after a change that must not change behaviour, then `diff -r before after`:
 * the simulation is deterministic, so any difference is a change of behaviour (or of the schedule: on the
 * simulation the depth of an await chain decides which of two things due at the same moment runs first).
 *
 *   npm run sim-reports -- DIR
 */
import fc from 'fast-check';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenarioArbFor } from '../src/check/arbitraries.js';
import { declaredCrashPoints } from '../src/check/propertySuite.js';
import { silentLogger } from '../src/log/logger.js';
import { loadProjectionPlugin } from '../src/plugins/loadProjectionPlugin.js';
import type { ProjectionPlugins } from '../src/plugins/projectionPlugin.js';
import { formatScenarioErrors, loadScenarioFile } from '../src/scenarios/loadScenario.js';
import { scenarioPlugins } from '../src/scenarios/scenarioPlugins.js';
import { runScenarioSim } from '../src/scenarios/simRig.js';

const out = process.argv[2];
if (out === undefined) {
  process.stderr.write('usage: npm run sim-reports -- DIR\n');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const root = join(import.meta.dirname, '..');
const write = (name: string, report: unknown) =>
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(report, null, 1)}\n`);
let written = 0;

for (const dir of ['scenarios', 'scenarios/plugins', 'scenarios/regressions']) {
  for (const file of readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const loaded = await loadScenarioFile(join(root, dir, file));
    if (!loaded.ok) throw new Error(formatScenarioErrors(loaded.error));
    // A broker cluster or service processes are real only: the simulation refuses them (its runs are in the integration tests).
    if ((loaded.value.system.topology?.brokers ?? 1) > 1 || loaded.value.system.topology?.processes) continue;
    const plugins = await scenarioPlugins(loaded.value);
    if (!plugins.ok) throw new Error(plugins.error);
    write(
      `${dir.replace('/', '_')}_${file}`,
      await runScenarioSim(loaded.value, { log: silentLogger(), plugins: plugins.plugins }),
    );
    written++;
  }
}

const subjects: readonly [string, string | undefined][] = [
  ['built-ins', undefined],
  ['product-inventory', 'correctInventorySelfManaged.ts'],
  ['customer-order-summary', 'correctSummarySelfManaged.ts'],
  ['customer-order-summary', 'partialUpdateSummary.ts'],
  ['products', 'lastArrivalProducts.ts'],
];
for (const [target, fixture] of subjects) {
  let plugins: ProjectionPlugins = {};
  if (fixture) {
    const loaded = await loadProjectionPlugin(`${target}=${join(root, 'test', 'fixtures', 'projections', fixture)}`);
    plugins = { [loaded.target]: loaded.plugin };
  }
  const focus = {
    targets: fixture ? [target as keyof ProjectionPlugins] : [],
    crashPoints: declaredCrashPoints(plugins),
  };
  const cases = fc.sample(scenarioArbFor(focus), { seed: 777, numRuns: 25 });
  for (const [i, scenario] of cases.entries()) {
    write(`generated_${fixture ?? 'built-ins'}_${i}`, await runScenarioSim(scenario, { log: silentLogger(), plugins }));
    written++;
  }
}
process.stdout.write(`wrote ${written} simulated reports to ${out}\n`);
