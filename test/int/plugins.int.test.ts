import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRunOptions } from '../../src/cli/pluginFlags.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadProjectionPlugin } from '../../src/plugins/loadProjectionPlugin.js';
import { formatScenarioErrors, parseScenario } from '../../src/scenarios/loadScenario.js';
import { runScenario } from '../../src/scenarios/natsRig.js';
import { type CrashPointSpec, type ScenarioReport } from '../../src/scenarios/runTypes.js';
import type { Scenario } from '../../src/scenarios/scenario.js';
import { runTestbed } from '../helpers/cliProcess.js';
import { explain } from '../helpers/scenarioHarness.js';

// The checker checks itself: each deliberately broken plug-in in test/fixtures/projections/ runs under the fault
// that exposes its bug and must fail the run with the property its bug violates (and only that kind of damage);
// the correct plug-ins run the very same scenarios and pass. Real nats-server, real SQLite files.

const FIXTURES = 'test/fixtures/projections';

function scenario(yaml: string): Scenario {
  const parsed = parseScenario(yaml, 'inline.yaml');
  if (!parsed.ok) throw new Error(formatScenarioErrors(parsed.error));
  return parsed.value;
}

const EXPECT_ALL = `
expect:
  - {property: converges, withinMs: 5000}
  - property: nothingLost
  - property: noDuplicatedEffect
  - property: noWrongValues`;

/** The inventory consumer crashes twice after committing a batch and before acking it: the batch comes back. */
const CRASH_BEFORE_ACK = scenario(`
name: plugin-inventory-crash-before-ack
description: The product-inventory consumer crashes after commit, before ack, twice.
teaches: A self-managed projection sees the crashed batch again and must not apply it twice.
seed: 3
system: {consumer: {ackWaitMs: 1000}}
workload: {durationMs: 3000, ordersPerSecond: 20, products: 30, hotProductSkew: 0, initialStock: {min: 2000, max: 2000}}
faults:
  - {kind: crashMidBatch, target: product-inventory, atMs: 800, times: 2}
${EXPECT_ALL}`);

/** Products is down for 2 s while orders and renames keep coming; the summary depends on it. */
const DEPENDENCY_LAG = scenario(`
name: plugin-summary-dependency-lag
description: Products is down for 2 s while products are renamed and ordered.
teaches: A summary that reads Products must wait for it, and must not drop what it cannot do yet.
seed: 8
workload: {durationMs: 4000, ordersPerSecond: 20, products: 8, renamesPerSecond: 4, initialStock: {min: 2000, max: 2000}}
faults:
  - {kind: dependencyLag, atMs: 800, durationMs: 2000}
${EXPECT_ALL}
  - property: rebuildEqualsIncremental`);

/** The summary consumer crashes twice at the plug-in's crash point "between-writes" (armed from the start). */
const CRASH_BETWEEN_WRITES = scenario(`
name: plugin-summary-crash-between-writes
description: The summary consumer crashes twice between the order row and its lines.
teaches: Two writes that must go together go in one transaction; dedupe on a half-written row never repairs it.
seed: 5
system: {consumer: {ackWaitMs: 1000}}
workload: {durationMs: 3000, ordersPerSecond: 20, products: 8, renamesPerSecond: 1, initialStock: {min: 2000, max: 2000}}
${EXPECT_ALL}`);
const BETWEEN_WRITES: CrashPointSpec[] = [{ target: 'customer-order-summary', point: 'between-writes', times: 2 }];

async function withPlugin(spec: string, s: Scenario, crashPoints?: readonly CrashPointSpec[]): Promise<ScenarioReport> {
  const { target, plugin } = await loadProjectionPlugin(spec);
  return runScenario(s, {
    log: silentLogger(),
    plugins: { [target]: plugin },
    ...(crashPoints ? { crashPoints } : {}),
  });
}

const property = (r: ScenarioReport, name: string) => {
  const p = r.properties.find((x) => x.name === name);
  if (!p) throw new Error(`no property ${name} in ${explain(r)}`);
  return p;
};

describe('the property suite catches broken plug-in projections', { timeout: 120_000 }, () => {
  it('non-idempotent inventory under crash-before-ack: noDuplicatedEffect violated; the idempotent one passes', async () => {
    const broken = await withPlugin(`product-inventory=${FIXTURES}/nonIdempotentInventory.ts`, CRASH_BEFORE_ACK);
    expect(broken.verdict, explain(broken)).toBe('fail');
    expect(property(broken, 'noDuplicatedEffect').holds, explain(broken)).toBe(false);
    expect(broken.models['product-inventory'].divergence.duplicated).toBeGreaterThan(0);
    expect(property(broken, 'nothingLost').holds, explain(broken)).toBe(true);
    expect(broken.models['product-inventory'].redeliveries).toBeGreaterThan(0);

    const correct = await withPlugin(`product-inventory=${FIXTURES}/correctInventorySelfManaged.ts`, CRASH_BEFORE_ACK);
    expect(correct.verdict, explain(correct)).toBe('pass');
    expect(correct.models['product-inventory'].redeliveries).toBeGreaterThan(0); // the crashes happened
  });

  it('swallowed error under dependency lag: nothingLost violated (missing orders), nothing else', async () => {
    const r = await withPlugin(`customer-order-summary=${FIXTURES}/swallowedErrorSummary.ts`, DEPENDENCY_LAG);
    expect(r.verdict, explain(r)).toBe('fail');
    expect(property(r, 'nothingLost').holds, explain(r)).toBe(false);
    expect(r.models['customer-order-summary'].divergence.missing).toBeGreaterThan(0);
    expect(property(r, 'noWrongValues').holds, explain(r)).toBe(true);
    expect(property(r, 'noDuplicatedEffect').holds, explain(r)).toBe(true);
  });

  it('replay-unsafe summary under dependency lag: noWrongValues and rebuildEqualsIncremental violated', async () => {
    const r = await withPlugin(`customer-order-summary=${FIXTURES}/replayUnsafeSummary.ts`, DEPENDENCY_LAG);
    expect(r.verdict, explain(r)).toBe('fail');
    expect(property(r, 'noWrongValues').holds, explain(r)).toBe(false);
    expect(property(r, 'rebuildEqualsIncremental').holds, explain(r)).toBe(false);
    expect(property(r, 'nothingLost').holds, explain(r)).toBe(true);
    const example = r.models['customer-order-summary'].divergence.examples.find((e) => e.bucket === 'wrong');
    expect(example?.expected).not.toEqual(example?.actual);
  });

  it('the managed built-in summary, plugged in, passes the dependency-lag scenario', async () => {
    const r = await withPlugin(`customer-order-summary=${FIXTURES}/correctSummaryManaged.ts`, DEPENDENCY_LAG);
    expect(r.verdict, explain(r)).toBe('pass');
    expect(r.samples.some((s) => s.models['customer-order-summary'].state === 'waitingForDependency')).toBe(true);
  });

  it('partial update with a crash between two writes: noWrongValues violated (orders without lines); the transactional one passes', async () => {
    const broken = await withPlugin(
      `customer-order-summary=${FIXTURES}/partialUpdateSummary.ts`,
      CRASH_BETWEEN_WRITES,
      BETWEEN_WRITES,
    );
    expect(broken.verdict, explain(broken)).toBe('fail');
    expect(property(broken, 'noWrongValues').holds, explain(broken)).toBe(false);
    expect(property(broken, 'nothingLost').holds, explain(broken)).toBe(true);
    const halfWritten = broken.models['customer-order-summary'].divergence.examples.filter(
      (e) => (e.actual as { items?: unknown[] } | undefined)?.items?.length === 0,
    );
    expect(halfWritten.length).toBeGreaterThan(0);
    expect(broken.timeline.map((t) => t.label)).toContain(
      'customer-order-summary crashes at crash point "between-writes" (×2)',
    );

    const correct = await withPlugin(
      `customer-order-summary=${FIXTURES}/correctSummarySelfManaged.ts`,
      CRASH_BETWEEN_WRITES,
      BETWEEN_WRITES,
    );
    expect(correct.verdict, explain(correct)).toBe('pass');
    expect(correct.models['customer-order-summary'].redeliveries).toBeGreaterThan(0); // the crashes happened
  });

  it('the CLI loads a .ts plug-in and arms its crash point: --projection and --crash-point', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cqrs-plugin-cli-'));
    try {
      const file = join(dir, 'crash.yaml');
      await writeFile(
        file,
        `name: cli-crash-between-writes\ndescription: d\nteaches: t\nworkload: {durationMs: 2000, ordersPerSecond: 20}\nsystem: {consumer: {ackWaitMs: 1000}}\n${EXPECT_ALL}\n`,
      );
      const r = await runTestbed(
        [
          'run',
          file,
          '--json',
          '--projection',
          `customer-order-summary=${FIXTURES}/partialUpdateSummary.ts`,
          '--crash-point',
          'customer-order-summary:between-writes:2',
        ],
        {},
        60_000,
      );
      expect(r.code, r.stderr).toBe(1);
      const report = JSON.parse(r.stdout.trim()) as ScenarioReport;
      expect(report.properties.find((p) => p.name === 'noWrongValues')?.holds, r.stdout).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loadProjectionPlugin and the run options: clear errors before anything runs', () => {
  let dir: string;
  const write = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cqrs-plugin-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a default export, or an export named projection, and checks it is for the named read model', async () => {
    const managed = await loadProjectionPlugin(`customer-order-summary=./${FIXTURES}/correctSummaryManaged.ts`);
    expect(managed.plugin.mode).toBe('managed');
    const named = await write(
      'named.mjs',
      "export const projection = { target: 'products', mode: 'self-managed', setup() {}, reset() {}, handle() {}, readState: () => new Map() };",
    );
    expect((await loadProjectionPlugin(`products=${named}`)).plugin.mode).toBe('self-managed');
  });

  it.each([
    ['customer-order-summary', /expected <read model>=<module path>/],
    ['=./x.ts', /expected <read model>=<module path>/],
    ['summary=./x.ts', /unknown read model "summary"; one of product-inventory, products, customer-order-summary/],
    ['products=./does/not/exist.ts', /no such file: .*does\/not\/exist\.ts/],
    [`products=${FIXTURES}/correctSummaryManaged.ts`, /is a plug-in for "customer-order-summary", not "products"/],
  ])('rejects %s', async (spec, message) => {
    await expect(loadProjectionPlugin(spec)).rejects.toThrow(message);
  });

  it('rejects a module without the export, one that does not load, and wrong shapes, naming each problem', async () => {
    const none = await write('none.mjs', 'export const something = 1;');
    await expect(loadProjectionPlugin(`products=${none}`)).rejects.toThrow(
      /neither a default export nor an export named "projection"/,
    );
    const broken = await write('broken.mjs', 'export default {');
    await expect(loadProjectionPlugin(`products=${broken}`)).rejects.toThrow(/cannot load .*broken\.mjs/);
    const selfManaged = await write(
      'self.mjs',
      "export default { target: 'products', mode: 'self-managed', readState: () => new Map(), handle() {} };",
    );
    await expect(loadProjectionPlugin(`products=${selfManaged}`)).rejects.toThrow(/needs setup\(\) .*needs reset\(\)/);
    const managed = await write(
      'managed.mjs',
      "export default { target: 'products', mode: 'managed', readState: () => new Map(), view: { name: 'p', tables: [] } };",
    );
    await expect(loadProjectionPlugin(`products=${managed}`)).rejects.toThrow(
      /view\.tables must be a non-empty array.*view\.bind must be a function/,
    );
    const mode = await write(
      'mode.mjs',
      "export default { target: 'products', mode: 'auto', readState: () => new Map() };",
    );
    await expect(loadProjectionPlugin(`products=${mode}`)).rejects.toThrow(
      /mode must be "managed" or "self-managed" \(got "auto"\)/,
    );
  });

  it('run options: one plug-in per read model, crash points only for self-managed plug-ins, nats transport only', async () => {
    const summary = `customer-order-summary=${FIXTURES}/correctSummaryManaged.ts`;
    expect(await pluginRunOptions({ projections: [summary, summary] })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/already replaced/) as unknown,
    });
    expect(
      await pluginRunOptions({ projections: [summary], crashPoints: ['customer-order-summary:between-writes'] }),
    ).toMatchObject({
      ok: false,
      error: expect.stringMatching(/crash points belong to self-managed plug-ins/) as unknown,
    });
    expect(await pluginRunOptions({ crashPoints: ['summary:x'] })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/unknown read model "summary"/) as unknown,
    });
    // Plug-ins run on the simulation as well as on real NATS.
    expect(await pluginRunOptions({ projections: [summary], transport: 'sim' })).toMatchObject({ ok: true });
    const ok = await pluginRunOptions({
      projections: [`customer-order-summary=${FIXTURES}/partialUpdateSummary.ts`],
      crashPoints: ['customer-order-summary:between-writes:3'],
    });
    expect(ok).toMatchObject({
      ok: true,
      crashPoints: [{ target: 'customer-order-summary', point: 'between-writes', times: 3 }],
    });
  });

  it('the CLI exits 2 on a bad --projection, before starting anything', async () => {
    const r = await runTestbed(['run', 'scenarios/flagship-summary-outage.yaml', '--projection', 'summary=./nope.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--projection summary=\.\/nope\.ts: unknown read model "summary"/);
  });
});
