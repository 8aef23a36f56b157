/**
 * `check` prints one seed, unsigned, everywhere (header, final line, JUnit, counterexample file name and header),
 * and every replay command it prints works pasted as printed. fast-check hands seeds above 2^31 back as negative
 * numbers: 3567148851 came back as -727818445, which --seed refused.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProperties } from '../../src/check/propertySuite.js';
import { selfCommand } from '../../src/cli/selfCommand.js';
import { silentLogger } from '../../src/log/logger.js';
import { loadProjectionPlugin } from '../../src/plugins/loadProjectionPlugin.js';
import { loadScenarioFile } from '../../src/scenarios/loadScenario.js';
import { runTestbed, shellLine } from '../helpers/cliProcess.js';
import { repoRoot } from '../helpers/tmuxTerminal.js';

const SEED = 3_567_148_851; // above 2^31: fast-check's signed form is -727818445
const SIGNED = '-727818445';

/** The run lines without their wall-clock column: what a replay must reproduce. */
const runLines = (stdout: string): string[] =>
  [...stdout.matchAll(/^ {2}run +(\d+) +[\d.]+ s +(last: .*)$/gm)].map((m) => `${m[1]} ${m[2]}`);

describe('check: one seed, printed unsigned, replayable as printed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-seed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the same unsigned seed in the header, the replay command, the final line and the JUnit report', async () => {
    const junit = join(dir, 'check.xml');
    const first = await runTestbed(['check', '--runs', '20', '--seed', String(SEED), '--junit', junit], {}, 120_000);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^property suite on sim: 20 runs, seed ${SEED}$`, 'm'));
    expect(first.stdout).toMatch(new RegExp(`^all properties held: 20 runs in [\\d.]+ s \\(seed ${SEED}\\)$`, 'm'));
    expect(first.stdout).not.toContain(SIGNED);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(`<property name="seed" value="${SEED}"/>`);
    expect(xml).not.toContain(SIGNED);
    expect(runLines(first.stdout)).toHaveLength(2);

    // The replay command, pasted as printed: the same generated runs, run for run.
    const replay = /^ {2}replay: (.+)$/m.exec(first.stdout)?.[1];
    expect(replay).toBe(`npx cqrs-testbed check --seed ${SEED} --runs 20 --transport sim`);
    const again = shellLine(replay ?? 'false');
    expect(again.code, again.stderr).toBe(0);
    expect(runLines(again.stdout)).toEqual(runLines(first.stdout));
    expect(again.stdout).toContain(`(seed ${SEED})`);

    // The signed spelling earlier versions printed is the same seed, taken and printed unsigned.
    const signed = await runTestbed(['check', '--runs', '20', '--seed', SIGNED], {}, 120_000);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toContain(`seed ${SEED}`);
    expect(runLines(signed.stdout)).toEqual(runLines(first.stdout));
  }, 300_000);

  it('names the counterexample by the unsigned seed, loadably, with a header replay command that runs it as printed', async () => {
    // A deliberately broken plug-in makes the suite fail at once.
    const loaded = await loadProjectionPlugin(
      `customer-order-summary=${join(repoRoot, 'test/fixtures/projections/partialUpdateSummary.ts')}`,
    );
    const cli = selfCommand({ env: {}, cwd: repoRoot });
    const result = await checkProperties({
      runs: 50,
      seed: SEED,
      transport: 'sim',
      log: silentLogger(),
      counterexampleDir: join(dir, 'counterexamples'),
      shrink: false,
      runOptions: {
        plugins: { [loaded.target]: loaded.plugin },
        crashPoints: [{ target: loaded.target, point: 'between-writes', times: 2 }],
      },
      runCommand: (file) => `${cli} run ${file}`,
      pluginPaths: { [loaded.target]: loaded.path },
    });
    expect(result.ok, 'the broken plug-in was not caught').toBe(false);
    expect(result.seed).toBe(SEED);
    const file = result.failure?.counterexample.file ?? '';
    expect(basename(file)).toMatch(new RegExp(`^counterexample-${SEED}-[0-9a-f]{8}\\.yaml$`));
    const yaml = readFileSync(file, 'utf8');
    expect(yaml).toContain(`fast-check seed ${SEED},`);
    expect(yaml).not.toContain(SIGNED);
    // A negative seed made the name "counterexample--727818445-…", which the scenario schema refuses.
    const scenario = await loadScenarioFile(file);
    expect(scenario.ok, scenario.ok ? '' : JSON.stringify(scenario.error)).toBe(true);

    const replay = /^# Replay: (.+?) {3}\(or without/m.exec(yaml)?.[1];
    expect(replay).toBe(`npx cqrs-testbed run ${file} --transport sim`);
    const ran = shellLine(replay ?? 'false');
    expect(ran.stderr).not.toMatch(/error|cannot/i);
    // The file names the plug-in and its crash points (`projections:`, `crashPoints:`): the replay fails again.
    expect(ran.code, ran.stdout).toBe(1);
    expect(ran.stdout).toMatch(new RegExp(`^(PASS|FAIL) ${basename(file, '.yaml')} `, 'm'));
  }, 300_000);
});
