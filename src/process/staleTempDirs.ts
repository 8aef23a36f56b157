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
      await stopOrphanedNatsServer(brokerPidFileOf(dir), brokerStoreOf(dir), log);
      removeOwnedTempDir(dir);
      removed.push(dir);
      log.warn({ dir, ownerPid: owner.pid, command: owner.command }, 'removed a temp dir left by a run that died');
    } catch (err: unknown) {
      log.warn({ err, dir }, 'could not remove a temp dir left by a dead run');
    }
  }
  return removed;
}
