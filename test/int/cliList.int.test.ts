/**
 * `cqrs-testbed list` as a user runs it (the real CLI, real files): aligned columns whatever the names' lengths,
 * and a directory with one invalid file still lists the valid ones, reports the bad one, and exits 2.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTestbed } from '../helpers/cliProcess.js';
import { SCENARIOS_DIR } from '../helpers/scenarioHarness.js';

describe('cqrs-testbed list', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cqrs-list-'));
    copyFileSync(join(SCENARIOS_DIR, 'slow-consumer.yaml'), join(dir, 'a-slow.yaml'));
    copyFileSync(join(SCENARIOS_DIR, 'schema.json'), join(dir, 'schema.json'));
    const flagship = join(SCENARIOS_DIR, 'flagship-summary-outage.yaml');
    const long = 'a-scenario-whose-name-is-much-longer-than-thirty-four-characters';
    writeFileSync(join(dir, 'b-long.yaml'), readFileSync(flagship, 'utf8').replace(/^name: .*$/m, `name: ${long}`));
    writeFileSync(
      join(dir, 'c-broken.yaml'),
      'name: broken\ndescription: x\nteaches: x\nworkload: {durationMs: 1000, ordersPerSecond: 1}\nfaults:\n  - {kind: consumerOutge, target: products, atMs: 1, durationMs: 1}\nexpect: [{property: converges}]\n',
    );
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the valid scenarios in aligned columns, reports the invalid file on stderr, and exits 2', async () => {
    const r = await runTestbed(['list', dir]);
    expect(r.code).toBe(2);
    const lines = r.stdout.trimEnd().split('\n');
    const rows = lines.filter((l) => !l.startsWith(' '));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual([
      'slow-consumer',
      'a-scenario-whose-name-is-much-longer-than-thirty-four-characters',
    ]);
    // The file column starts at the same place on every row, however long a name is.
    const fileColumn = rows.map((l) => l.indexOf(dir));
    expect(new Set(fileColumn).size).toBe(1);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(120);
    expect(r.stderr).toContain(join(dir, 'c-broken.yaml'));
    expect(r.stderr).toMatch(/did you mean "consumerOutage"/);
    expect(r.stderr).toContain('1 of 3 scenario files invalid; the valid ones are listed');
  });

  it('exits 0 for the shipped scenarios, and 2 for a directory without any', async () => {
    expect((await runTestbed(['list'])).code).toBe(0);
    const empty = mkdtempSync(join(tmpdir(), 'cqrs-list-empty-'));
    try {
      const r = await runTestbed(['list', empty]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no scenario files');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
