/**
 * Commands that start brokers leave nothing behind however they end: a real `run` on nats-server stopped with
 * SIGTERM, SIGHUP (terminal closed) or SIGINT abandons the run, stops its broker and removes its temp dir; after a
 * SIGKILL the guard stops the broker at once and the next start removes the dead run's dir (never a live one's).
 * `check --transport nats` and `bench` end at once on a signal, their broker and dir with them. Checked against the
 * process table and the temp dir, not the commands' own word.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';
import { isAlive, runTestbed, spawnTestbed, type Testbed } from '../helpers/cliProcess.js';
import { natsServersOf, type ChildBroker } from '../helpers/processTable.js';

const flagship = 'scenarios/flagship-summary-outage.yaml';
const failingFast = 'test/fixtures/scenarios/expects-a-dead-letter.yaml';

describe('brokers and temp dirs do not outlive the command', () => {
  const started: Testbed[] = [];
  const brokers: ChildBroker[] = [];
  afterAll(() => {
    for (const t of started) t.destroy();
    // A failed assertion must not leave a broker behind either.
    for (const b of brokers) if (isAlive(b.pid)) process.kill(b.pid, 'SIGKILL');
  });

  /** Starts the command and waits until it has its private nats-server (so there is something to leak). */
  const startWithBroker = async (
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ): Promise<{ t: Testbed; broker: ChildBroker }> => {
    const t = spawnTestbed(args, env);
    started.push(t);
    const broker = await eventually(() => natsServersOf(t.pid)[0], {
      what: `${args.join(' ')} has a nats-server child`,
      timeoutMs: 20_000,
      intervalMs: 50,
      retryOnError: true,
    });
    brokers.push(broker);
    expect(existsSync(join(broker.runDir, 'cqrs-owner.json'))).toBe(true);
    return { t, broker };
  };

  const expectGone = async (broker: ChildBroker, dirToo: boolean) => {
    await eventually(() => !isAlive(broker.pid), {
      what: 'the nats-server is gone',
      timeoutMs: 10_000,
      intervalMs: 50,
      retryOnError: true,
    });
    if (dirToo) expect(existsSync(broker.runDir), broker.runDir).toBe(false);
  };

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const)(
    'run on nats, %s: abandons the run, exit %i, its broker stopped and its temp dir removed',
    async (signal, code) => {
      const { t, broker } = await startWithBroker(['run', flagship]);
      await eventually(() => /workload\s+orders/.test(t.stdout()) || undefined, {
        what: 'the workload runs',
        timeoutMs: 20_000,
        intervalMs: 50,
        retryOnError: true,
      });
      const exit = await t.stop(signal);
      expect(exit, t.stderr().slice(-2_000)).toEqual({ code, signal: null });
      expect(t.stdout()).toContain(`interrupted (${signal}): flagship-summary-outage abandoned, no verdict`);
      expect(t.stdout()).not.toMatch(/^(PASS|FAIL) /m);
      await expectGone(broker, true);
    },
    60_000,
  );

  it('run on nats, SIGKILL: the guard stops the broker at once; the next start removes the dead run’s dir, not a live run’s', async () => {
    // A temp root of their own: any other cqrs-testbed starting meanwhile (other test files run in parallel) would
    // sweep the dead run's dir from the shared one first, and `next` would have nothing to say.
    const env = { TMPDIR: mkdtempSync(join(tmpdir(), 'cqrs-signals-')) };
    const killed = await startWithBroker(['run', flagship], env);
    const live = await startWithBroker(['run', flagship], env);
    expect(await killed.t.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await expectGone(killed.broker, false);
    expect(existsSync(killed.broker.runDir)).toBe(true); // nobody was left to remove it

    const next = await runTestbed(['run', failingFast, '--transport', 'sim'], env);
    expect(next.code, next.stderr).toBe(1);
    expect(existsSync(killed.broker.runDir), 'the dead run’s dir').toBe(false);
    expect(next.stderr).toContain(killed.broker.runDir);
    expect(existsSync(live.broker.runDir), 'the live run’s dir').toBe(true);
    expect(isAlive(live.broker.pid)).toBe(true);
    expect(await live.t.stop('SIGTERM')).toEqual({ code: 143, signal: null });
    await expectGone(live.broker, true);
    rmSync(env.TMPDIR, { recursive: true, force: true });
  }, 90_000);

  it('check --transport nats, SIGTERM: ends at once (143), its broker and temp dir with it', async () => {
    const { t, broker } = await startWithBroker(['check', '--transport', 'nats', '--runs', '5']);
    const exit = await t.stop('SIGTERM');
    expect(exit, t.stderr().slice(-2_000)).toEqual({ code: 143, signal: null });
    expect(t.stderr()).toMatch(/cqrs-testbed check: SIGTERM: stopped after \d+ run\(s\), no verdict/);
    await expectGone(broker, true);
  }, 60_000);

  it('bench, SIGINT (Ctrl-C): ends at once (130), writes nothing, its broker and temp dir with it', async () => {
    const out = join(process.cwd(), 'reports', `bench-interrupted-${process.pid}.json`);
    const { t, broker } = await startWithBroker(['bench', '--quick', '--out', out]);
    const exit = await t.stop('SIGINT');
    expect(exit, t.stderr().slice(-2_000)).toEqual({ code: 130, signal: null });
    expect(t.stderr()).toContain('bench: SIGINT: interrupted, nothing written');
    expect(existsSync(out)).toBe(false);
    await expectGone(broker, true);
  }, 60_000);

  it('the owner file names the run’s process', async () => {
    const { t, broker } = await startWithBroker(['run', failingFast]);
    const owner = JSON.parse(readFileSync(join(broker.runDir, 'cqrs-owner.json'), 'utf8')) as {
      pid: number;
      command: string;
    };
    expect(owner.pid).toBe(t.pid);
    expect(owner.command).toContain(`run ${failingFast}`);
    expect((await t.exited).code).toBe(1);
    await expectGone(broker, true);
  }, 60_000);
});
