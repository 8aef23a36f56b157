/**
 * `check --projection` runs the whole property suite with a plug-in in place: a correct one passes, a broken one
 * fails with the property its bug violates, and both replay commands it prints reproduce the failure as pasted: the
 * suite's carries the plug-in and the crash points, and the shrunk scenario's file records them (`projections:`,
 * `crashPoints:`), so `run <file>` alone reproduces it (a replay without them would test the built-in and pass).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTestbed, shellLine } from '../helpers/cliProcess.js';

const FIXTURES = 'test/fixtures/projections';

describe('check --projection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-projection-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes a correct self-managed plug-in (its declared crash point armed by the suite)', async () => {
    const r = await runTestbed(
      [
        'check',
        '--projection',
        `customer-order-summary=${FIXTURES}/correctSummarySelfManaged.ts`,
        '--runs',
        '40',
        '--seed',
        '424242',
        '--counterexamples',
        dir,
      ],
      {},
      120_000,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('projection customer-order-summary: self-managed plug-in');
    expect(r.stdout).toContain('all properties held: 40 runs');
    // Whether the generated runs reached the plug-in's crash point at all: a pass says only as much.
    expect(r.stdout).toMatch(/^crash point customer-order-summary:between-writes hit in [1-9]\d* of 40 runs/m);
  }, 150_000);

  it('fails a broken one with its property; the printed replays and the file alone reproduce the failure', async () => {
    const r = await runTestbed(
      [
        'check',
        '--projection',
        `customer-order-summary=${FIXTURES}/partialUpdateSummary.ts`,
        '--crash-point',
        'customer-order-summary:between-writes:2',
        '--runs',
        '100',
        '--seed',
        '424242',
        '--counterexamples',
        dir,
      ],
      {},
      120_000,
    );
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/customer-order-summary \(plug-in\): .*noWrongValues/s);
    const suite = /replay the suite: +(.*)$/m.exec(r.stdout)?.[1] ?? '';
    const scenario = /replay the scenario: +(.*?) {3}\(or on real NATS/m.exec(r.stdout)?.[1] ?? '';
    expect(suite).toContain(
      `--projection customer-order-summary=${FIXTURES}/partialUpdateSummary.ts --crash-point customer-order-summary:between-writes:2`,
    );
    // The file carries both; a flag repeated here would arm the crash twice.
    expect(scenario).not.toContain('--projection');
    expect(scenario).not.toContain('--crash-point');

    const replayed = shellLine(`${scenario} --no-ui`);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(1);
    expect(replayed.stdout).toMatch(/FAIL .*\n.*failed: .*noWrongValues/);

    const file = /shrunk counterexample: (\S+)/.exec(r.stdout)?.[1] ?? '';
    const yaml = readFileSync(file, 'utf8');
    expect(yaml).toMatch(/^projections:\n {2}customer-order-summary: .*partialUpdateSummary\.ts$/m);
    expect(yaml).toMatch(
      /^crashPoints:\n {2}- target: customer-order-summary\n {4}point: between-writes\n {4}times: 2$/m,
    );
    const alone = await runTestbed(['run', file, '--transport', 'sim', '--no-ui'], {}, 60_000);
    expect(alone.code, alone.stdout + alone.stderr).toBe(1);

    const suiteAgain = shellLine(suite);
    expect(suiteAgain.code).toBe(1);
    expect(suiteAgain.stdout).toContain(`shrunk counterexample: `);
  }, 300_000);

  it('refuses a bad --projection or a --crash-point without a self-managed plug-in: exit 2, nothing runs', async () => {
    const unknown = await runTestbed(['check', '--projection', 'nope=x.ts', '--runs', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown read model "nope"');
    expect(unknown.stdout).toBe('');
    const crash = await runTestbed(['check', '--crash-point', 'customer-order-summary:between-writes', '--runs', '3']);
    expect(crash.code).toBe(2);
    expect(crash.stderr).toContain('crash points belong to self-managed plug-ins');
  });
});
