/**
 * `run` and `dashboard` on every kind of terminal: in a real one (tmux), with stdin from /dev/null (a `</dev/null`
 * redirection, or `docker run -t` without `-i`), and piped. The verdict and the exit code never depend on whether
 * the dashboard can be shown; `--ui` where it cannot work is a clear error, exit 2, with nothing started.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTestbed } from '../helpers/cliProcess.js';
import { openTerminal, type Terminal } from '../helpers/tmuxTerminal.js';

const failing = 'test/fixtures/scenarios/expects-a-dead-letter.yaml';
const RUN_BUDGET_MS = 30_000;

describe('cqrs-testbed run and dashboard, whatever stdin and stdout are', () => {
  let term: Terminal;
  /** A stand-in nats-server that only records that someone tried to start it: "nothing started" is checkable. */
  let fakeNats = '';
  let fakeNatsStarted = '';

  beforeAll(() => {
    term = openTerminal('terminal');
    fakeNats = join(term.dir, 'fake-nats-server');
    fakeNatsStarted = join(term.dir, 'fake-nats-server.started');
    writeFileSync(fakeNats, `#!/bin/sh\ntouch ${fakeNatsStarted}\nexit 1\n`);
    chmodSync(fakeNats, 0o755);
  });
  afterAll(() => term.close());

  const stderrOf = (name: string) => readFileSync(join(term.dir, name), 'utf8');

  it(
    'a failing scenario with stdin from /dev/null in a terminal prints progress lines and FAIL, and exits 1',
    async () => {
      const { status, screen } = await term.run(
        `node bin/cqrs-testbed run ${failing} </dev/null 2>${join(term.dir, 'devnull.err')}`,
        RUN_BUDGET_MS,
      );
      expect(status, screen).toBe('1');
      expect(screen).toMatch(/^\[expects-a-dead-letter\] +\d+\.\d s +workload/m);
      expect(screen).toMatch(/^FAIL expects-a-dead-letter \(seed 1, /m);
      expect(screen).toMatch(/✗ deadLetters:products: products has 0 dead letter\(s\) left; expected 1/);
      expect(screen).toMatch(/^expects-a-dead-letter +FAIL /m);
      const stderr = stderrOf('devnull.err');
      expect(stderr).not.toMatch(/Raw mode/);
      expect(stderr).not.toMatch(/same key/);
    },
    RUN_BUDGET_MS + 10_000,
  );

  it(
    'the same scenario with the dashboard up prints FAIL after its last frame, and exits 1',
    async () => {
      const log = join(term.dir, 'dashboard.log');
      const { status, screen } = await term.run(
        `node bin/cqrs-testbed run ${failing} --log-file ${log} 2>${join(term.dir, 'dashboard.err')}`,
        RUN_BUDGET_MS,
      );
      expect(status, screen).toBe('1');
      expect(screen).toMatch(/verdict {5}FAIL/); // the dashboard's last frame
      expect(screen).toMatch(/^FAIL expects-a-dead-letter \(seed 1, /m); // the report after it
      expect(stderrOf('dashboard.err')).not.toMatch(/same key|Raw mode/);
    },
    RUN_BUDGET_MS + 10_000,
  );

  it(
    '--ui with stdin from /dev/null in a terminal: exit 2, says why, starts nothing',
    async () => {
      const { status, screen, elapsedMs } = await term.run(
        `NATS_SERVER_BIN=${fakeNats} node bin/cqrs-testbed run ${failing} --ui </dev/null`,
        RUN_BUDGET_MS,
      );
      expect(status, screen).toBe('2');
      expect(screen).toMatch(
        /cqrs-testbed run: --ui: the dashboard needs a terminal for its screen and its keys, and here stdin is not a terminal/,
      );
      expect(screen).not.toMatch(/Raw mode|\[expects-a-dead-letter\]/);
      expect(existsSync(fakeNatsStarted)).toBe(false);
      expect(elapsedMs).toBeLessThan(10_000);
    },
    RUN_BUDGET_MS + 10_000,
  );

  it('dashboard with stdin from /dev/null in a terminal: exit 2 at once, no hang', async () => {
    const { status, screen } = await term.run(
      'node bin/cqrs-testbed dashboard --nats-url nats://127.0.0.1:4222 </dev/null',
      15_000,
    );
    expect(status, screen).toBe('2');
    expect(screen).toMatch(/cqrs-testbed dashboard: the dashboard needs a terminal .* stdin is not a terminal/);
  }, 25_000);

  it('piped, --ui is an error (exit 2, nothing started); without it the failing run exits 1 with its verdict', async () => {
    const env = { NATS_SERVER_BIN: fakeNats };
    const forced = await runTestbed(['run', failing, '--ui'], env);
    expect(forced.code, forced.stderr).toBe(2);
    expect(forced.stderr).toMatch(
      /--ui: the dashboard needs a terminal .* neither stdin nor stdout is a terminal; without --ui the run prints progress lines/,
    );
    expect(forced.stdout).toBe('');
    expect(existsSync(fakeNatsStarted)).toBe(false);

    const plain = await runTestbed(['run', failing]);
    expect(plain.code, plain.stderr).toBe(1);
    expect(plain.stdout).toMatch(/^FAIL expects-a-dead-letter/m);
  }, 40_000);

  it('--ui with --json is an error too, and dashboard without a terminal exits 2 at once', async () => {
    const both = await runTestbed(['run', failing, '--ui', '--json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--ui and --json exclude each other/);
    const dashboard = await runTestbed(['dashboard', '--nats-url', 'nats://127.0.0.1:4222'], {}, 10_000);
    expect(dashboard.code).toBe(2);
    expect(dashboard.stderr).toMatch(/neither stdin nor stdout is a terminal/);
  });
});
