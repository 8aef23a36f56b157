/**
 * The start-up sweep of temp dirs left by dead runs, on a private root: it removes a dir only when its owner file
 * names a process that is no longer running (pid gone, or the pid reused by a process that started later), stops a
 * real nats-server still serving such a dir first, and leaves everything else alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { brokerPidFileOf, brokerStoreOf, OWNER_FILE } from '../../src/process/ownedTempDir.js';
import { selfIdentity } from '../../src/process/processIdentity.js';
import { sweepStaleTempDirs } from '../../src/process/staleTempDirs.js';
import { startNatsCluster } from '../../src/transport/natsCluster.js';
import { startNatsServer, type NatsServerProcess } from '../../src/transport/natsServerProcess.js';
import { eventually } from '../helpers/eventually.js';
import { isAlive } from '../helpers/cliProcess.js';

describe('sweeping the temp dirs of dead runs', () => {
  // Not under the real temp dir's cqrs-* names: a sweep by a concurrently running CLI must not see these.
  const root = mkdtempSync(join(tmpdir(), 'sweep-test-'));
  const servers: NatsServerProcess[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const runDir = (name: string, owner?: unknown): string => {
    const dir = join(root, name);
    mkdirSync(brokerStoreOf(dir), { recursive: true });
    writeFileSync(join(dir, 'orders.db'), 'data');
    if (owner !== undefined)
      writeFileSync(join(dir, OWNER_FILE), typeof owner === 'string' ? owner : JSON.stringify(owner));
    return dir;
  };
  /** A pid that has certainly exited: a child we waited for. */
  const deadPid = (): number => {
    const r = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
    return Number(r.stdout.trim());
  };

  it('removes only the dirs whose owner is dead or whose pid now belongs to a later process', async () => {
    const me = selfIdentity();
    const dead = runDir('cqrs-scenario-dead-aaaaaa', {
      pid: deadPid(),
      startTime: '12345',
      command: 'cqrs-testbed run x.yaml',
    });
    const reused = runDir('cqrs-bench-reused-bbbbbb', {
      pid: me.pid,
      startTime: `${Number(me.startTime) - 1}`,
      command: 'cqrs-testbed bench',
    });
    const live = runDir('cqrs-scenario-live-cccccc', { ...me, command: 'cqrs-testbed run live.yaml' });
    const noOwner = runDir('cqrs-testbed-unowned-dddddd');
    const garbled = runDir('cqrs-scenario-garbled-eeeeee', '{"pid":');
    const notOurs = runDir('other-tool-ffffff', { pid: deadPid(), startTime: '1', command: 'x' });

    const removed = await sweepStaleTempDirs(silentLogger(), root);

    expect(removed.sort()).toEqual([reused, dead].sort());
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(reused)).toBe(false);
    for (const kept of [live, noOwner, garbled, notOurs]) expect(existsSync(kept), kept).toBe(true);
  });

  it('stops a nats-server still serving a dead run’s dir (guard gone too) before removing the dir', async () => {
    const dir = runDir('cqrs-scenario-orphan-gggggg', {
      pid: deadPid(),
      startTime: '1',
      command: 'cqrs-testbed run orphan.yaml',
    });
    const server = await startNatsServer({ storeDir: brokerStoreOf(dir), pidFile: brokerPidFileOf(dir) });
    servers.push(server);
    expect(isAlive(server.pid)).toBe(true);

    expect(await sweepStaleTempDirs(silentLogger(), root)).toEqual([dir]);

    await eventually(() => !isAlive(server.pid), {
      what: 'the orphaned nats-server is stopped',
      timeoutMs: 10_000,
      intervalMs: 50,
      retryOnError: true,
    });
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it('stops every node of a dead run’s broker cluster still serving its dir (each names itself in nats/n<i>.pid)', async () => {
    const dir = runDir('cqrs-scenario-cluster-orphan-hhhhhh', {
      pid: deadPid(),
      startTime: '1',
      command: 'cqrs-testbed run cluster.yaml',
    });
    const cluster = await startNatsCluster({ size: 3, storeDir: brokerStoreOf(dir), pidFileDir: brokerStoreOf(dir) });
    servers.push(...cluster.nodes);
    const pids = cluster.nodes.map((n) => n.pid);
    expect(pids.every(isAlive)).toBe(true);

    expect(await sweepStaleTempDirs(silentLogger(), root)).toEqual([dir]);

    await eventually(() => pids.every((pid) => !isAlive(pid)), {
      what: 'every node of the orphaned cluster is stopped',
      timeoutMs: 15_000,
      intervalMs: 50,
      retryOnError: true,
    });
    expect(existsSync(dir)).toBe(false);
  }, 60_000);
});
