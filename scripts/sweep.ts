/**
 * The random-seed sweep the project runs before it calls a change to the system, the simulation or the checker
 * done: the property suite with fresh random seeds (not the fixed CI ones) on the simulation, for the built-in read
 * models and for every shipped correct plug-in fixture (each must pass every case), and for every shipped broken
 * fixture (each must be caught). Every seed is printed; a failure is shrunk and written as a scenario file.
 *
 *   npm run sweep -- [--seeds 20] [--runs 200] [--only NAME[,NAME…]] [--out DIR]
 *
 * Exit 0 when every verdict was the expected one, 1 otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scenarioToYaml } from '../src/check/counterexample.js';
import { checkProperties, type CheckResult } from '../src/check/propertySuite.js';
import { silentLogger } from '../src/log/logger.js';
import { loadProjectionPlugin } from '../src/plugins/loadProjectionPlugin.js';
import { type RunOptions } from '../src/scenarios/runTypes.js';

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'projections');

interface Subject {
  readonly name: string;
  readonly expect: 'pass' | 'caught';
  readonly plugin?: { readonly target: string; readonly fixture: string };
}

const SUBJECTS: readonly Subject[] = [
  { name: 'built-ins', expect: 'pass' },
  {
    name: 'correctInventorySelfManaged',
    expect: 'pass',
    plugin: { target: 'product-inventory', fixture: 'correctInventorySelfManaged.ts' },
  },
  {
    name: 'correctSummaryManaged',
    expect: 'pass',
    plugin: { target: 'customer-order-summary', fixture: 'correctSummaryManaged.ts' },
  },
  {
    name: 'correctSummarySelfManaged',
    expect: 'pass',
    plugin: { target: 'customer-order-summary', fixture: 'correctSummarySelfManaged.ts' },
  },
  {
    name: 'nonIdempotentInventory',
    expect: 'caught',
    plugin: { target: 'product-inventory', fixture: 'nonIdempotentInventory.ts' },
  },
  {
    name: 'swallowedErrorSummary',
    expect: 'caught',
    plugin: { target: 'customer-order-summary', fixture: 'swallowedErrorSummary.ts' },
  },
  {
    name: 'replayUnsafeSummary',
    expect: 'caught',
    plugin: { target: 'customer-order-summary', fixture: 'replayUnsafeSummary.ts' },
  },
  {
    name: 'partialUpdateSummary',
    expect: 'caught',
    plugin: { target: 'customer-order-summary', fixture: 'partialUpdateSummary.ts' },
  },
  {
    name: 'inMemoryDedupeInventory',
    expect: 'caught',
    plugin: { target: 'product-inventory', fixture: 'inMemoryDedupeInventory.ts' },
  },
  {
    name: 'restockOnlyInventory',
    expect: 'caught',
    plugin: { target: 'product-inventory', fixture: 'restockOnlyInventory.ts' },
  },
  { name: 'lastArrivalProducts', expect: 'caught', plugin: { target: 'products', fixture: 'lastArrivalProducts.ts' } },
  {
    name: 'greatestNameProducts',
    expect: 'caught',
    plugin: { target: 'products', fixture: 'greatestNameProducts.ts' },
  },
  {
    name: 'linesByProductSummary',
    expect: 'caught',
    plugin: { target: 'customer-order-summary', fixture: 'linesByProductSummary.ts' },
  },
];

async function runOptionsFor(subject: Subject): Promise<Partial<RunOptions>> {
  if (!subject.plugin) return {};
  const loaded = await loadProjectionPlugin(`${subject.plugin.target}=${join(FIXTURES, subject.plugin.fixture)}`);
  return { plugins: { [loaded.target]: loaded.plugin } };
}

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    runs: { type: 'string', default: '200' },
    only: { type: 'string' },
    out: { type: 'string', default: 'reports/sweep' },
  },
});
const seeds = Number(values.seeds);
const runs = Number(values.runs);
if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('usage: npm run sweep -- [--seeds N] [--runs N] [--only NAME[,NAME…]] [--out DIR]\n');
  process.exit(2);
}
const only = values.only?.split(',');
mkdirSync(values.out, { recursive: true });
const subjects = SUBJECTS.filter((s) => only === undefined || only.includes(s.name));
let unexpected = 0;
for (const subject of subjects) {
  const runOptions = await runOptionsFor(subject);
  const outcomes: string[] = [];
  let cases = 0,
    ms = 0,
    wrong = 0;
  for (let i = 0; i < seeds; i++) {
    const seed = Math.floor(Math.random() * 0x1_0000_0000);
    // The last case started is on disk, so a run that never ends (or a crash) still says which case it was.
    const result: CheckResult = await checkProperties({
      runs,
      seed,
      transport: 'sim',
      log: silentLogger(),
      counterexampleDir: join(values.out, subject.name),
      runOptions,
      shrink: subject.expect === 'pass',
      onCase: (scenario) =>
        writeFileSync(
          join(values.out, 'last-case.yaml'),
          scenarioToYaml(scenario, [`sweep ${subject.name}, fast-check seed ${seed}`]),
        ),
    });
    cases += result.runs;
    ms += result.durationMs;
    const caught = !result.ok;
    if (caught !== (subject.expect === 'caught')) {
      wrong++;
      const why = result.failure
        ? `${result.failure.message}\n      counterexample: ${result.failure.counterexample.file}`
        : `not caught in ${result.runs} cases`;
      process.stdout.write(`  ${subject.name}: UNEXPECTED with seed ${seed}: ${why}\n`);
    }
    outcomes.push(caught ? `${result.runs}` : 'ok');
  }
  unexpected += wrong;
  const detail =
    subject.expect === 'caught'
      ? `caught after ${outcomes.join(', ')} case(s)`
      : `${outcomes.filter((o) => o === 'ok').length}/${seeds} seeds passed`;
  process.stdout.write(
    `${wrong === 0 ? 'ok  ' : 'FAIL'} ${subject.name.padEnd(28)} ${seeds} seeds × ${runs} runs, ${cases} cases in ${(ms / 1000).toFixed(0)} s: ${detail}\n`,
  );
}
process.exit(unexpected === 0 ? 0 : 1);
