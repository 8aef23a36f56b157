import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { stopOrphanedNatsServer } from './natsServerOrphans.js';
import { brokerPidFileOf, brokerStoreOf, readOwner, removeOwnedTempDir, TEMP_DIR_PREFIX } from './ownedTempDir.js';
import { isRunning } from './processIdentity.js';

/**
 * Removes the temp dirs of runs that died without cleaning up: only dirs with an owner file (./ownedTempDir.ts)
 * whose owner is no longer running — a live run's dir, or a dir without an owner file (not ours, or an older
 * version's), is never touched. A nats-server still serving such a dir (its guard was killed too) is stopped first.
 * Returns the dirs removed.
 */
export async function sweepStaleTempDirs(log: Logger, root: string = tmpdir()): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(TEMP_DIR_PREFIX));
  } catch (err: unknown) {
    log.warn({ err, root }, 'cannot list the temp dir; stale run dirs not swept');
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const owner = readOwner(dir);
    if (owner === undefined || isRunning(owner)) continue;
    try {
      for (const { pidFile, storeDir } of brokerPidFilesOf(dir)) await stopOrphanedNatsServer(pidFile, storeDir, log);
      removeOwnedTempDir(dir);
      removed.push(dir);
      log.warn({ dir, ownerPid: owner.pid, command: owner.command }, 'removed a temp dir left by a run that died');
    } catch (err: unknown) {
      log.warn({ err, dir }, 'could not remove a temp dir left by a dead run');
    }
  }
  return removed;
}

/**
 * Every broker pid file of a run's dir, with the store its server serves: the single broker's (`nats/nats-server.pid`
 * for `nats/`), and a cluster's, one per node (`nats/n<i>.pid` for `nats/n<i>`).
 */
function brokerPidFilesOf(dir: string): { pidFile: string; storeDir: string }[] {
  const store = brokerStoreOf(dir);
  let nodes: string[] = [];
  try {
    nodes = readdirSync(store).filter((n) => /^n\d+\.pid$/.test(n));
  } catch {
    // no broker store: nothing to stop
  }
  return [
    { pidFile: brokerPidFileOf(dir), storeDir: store },
    ...nodes.map((n) => ({ pidFile: join(store, n), storeDir: join(store, n.replace(/\.pid$/, '')) })),
  ];
}
