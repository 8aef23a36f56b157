/**
 * The supervisor of the multi-process topology, on real child processes (tiny Node scripts): a process is started
 * once it prints `ready`, one that dies is restarted with backoff, one that keeps dying is given up after the bound,
 * a process that never says ready fails the start, and stopping drains with SIGTERM and kills what ignores it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { superviseProcesses, type ProcessSupervisorSettings } from '../../src/topology/supervisor.js';
import { isAlive } from '../helpers/cliProcess.js';
import { eventually } from '../helpers/eventually.js';

const fast: ProcessSupervisorSettings = {
  readyTimeoutMs: 3_000,
  stopGraceMs: 500,
  backoffMsMin: 20,
  backoffMsMax: 80,
  stableMs: 10_000,
  maxConsecutiveRestarts: 3,
};
const script = (code: string) => ({ name: 'p', args: ['-e', code] });
const node = process.execPath;

describe('the process supervisor', () => {
  it('restarts a process that dies, with a new pid, and gives up on one that keeps dying', async () => {
    const supervisor = await superviseProcesses(
      node,
      [script("console.log('ready p hello'); setTimeout(() => process.exit(3), 100)")],
      silentLogger(),
      fast,
    );
    const [p] = supervisor.processes;
    expect(p?.readyDetail).toBe('hello');
    const first = p?.pid;
    await eventually(() => (p?.restarts ?? 0) >= 1 && (p?.pid ?? -1) > 0 && p?.pid !== first, {
      what: 'a restart with a new pid',
      intervalMs: 5,
      timeoutMs: 5_000,
    });
    await eventually(() => p?.gaveUp, { what: 'the supervisor to give up', intervalMs: 20, timeoutMs: 10_000 });
    expect(p?.restarts).toBe(3);
    await supervisor.stop();
  });

  it('retries a restart that dies before it is ready (its broker still electing, say), and gets it up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    const counter = join(dir, 'starts');
    // First start: ready, then dies. The next two die before ready. The fourth comes up and stays.
    const code = `const fs = require('node:fs'); let n = 0; try { n = Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')); } catch {}
      fs.writeFileSync(${JSON.stringify(counter)}, String(n + 1));
      if (n === 0) { console.log('ready p first'); setTimeout(() => process.exit(3), 100); }
      else if (n < 3) process.exit(1);
      else { console.log('ready p up'); setInterval(() => {}, 1000); }`;
    const supervisor = await superviseProcesses(node, [script(code)], silentLogger(), fast);
    const [p] = supervisor.processes;
    try {
      await eventually(() => p?.readyDetail === 'up' && (p.pid ?? -1) > 0, {
        what: 'the fourth start up',
        intervalMs: 10,
        timeoutMs: 10_000,
      });
      expect(p?.restarts).toBe(3);
      expect(p?.gaveUp).toBe(false);
    } finally {
      await supervisor.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a fault: signal kills the current process, and holdNextRestart keeps it down at least that long', async () => {
    const supervisor = await superviseProcesses(
      node,
      [script("console.log('ready p'); setInterval(() => {}, 1000)")],
      silentLogger(),
      fast,
    );
    const [p] = supervisor.processes;
    const first = p?.pid ?? -1;
    supervisor.holdNextRestart('p', 400);
    const killedAt = Date.now();
    expect(supervisor.signal('p', 'SIGKILL')).toBe(first);
    await eventually(() => (p?.pid ?? -1) > 0 && p?.pid !== first, {
      what: 'the restart',
      intervalMs: 5,
      timeoutMs: 5_000,
    });
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(400);
    expect(isAlive(first)).toBe(false);
    await supervisor.stop();
  });

  it('fails the start of a process that never says ready, and of one that exits first', async () => {
    await expect(
      superviseProcesses(node, [script('setTimeout(() => {}, 10_000)')], silentLogger(), fast),
    ).rejects.toThrow(/not ready within 3000 ms/);
    await expect(superviseProcesses(node, [script('process.exit(4)')], silentLogger(), fast)).rejects.toThrow(
      /exited \(4\) before it was ready/,
    );
  });

  it('stops with SIGTERM, and kills a process that ignores it after the grace', async () => {
    const supervisor = await superviseProcesses(
      node,
      [
        { name: 'polite', args: ['-e', "console.log('ready polite'); setInterval(() => {}, 1000)"] },
        {
          name: 'stubborn',
          args: ['-e', "process.on('SIGTERM', () => {}); console.log('ready stubborn'); setInterval(() => {}, 1000)"],
        },
      ],
      silentLogger(),
      fast,
    );
    const pids = supervisor.processes.map((p) => p.pid);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    const started = Date.now();
    await supervisor.stop();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(fast.stopGraceMs - 50);
    expect(supervisor.processes.every((p) => !p.gaveUp && p.restarts === 0)).toBe(true);
  });
});
