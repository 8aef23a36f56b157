import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPidFile } from '../process/pidFile.js';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/**
 * Claims `dir` for this process through `dir/cqrs-testbed.pid`. Two testbeds on one data dir would share SQLite
 * files and, worse, the second would stop the first one's broker as an "orphan". A file naming a dead process, or a
 * live one that is not a cqrs-testbed (pids are reused), is stale and taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const file = join(dir, 'cqrs-testbed.pid');
  const holder = readPidFile(file);
  if (holder !== undefined && holder !== process.pid && isTestbed(holder)) {
    throw new DataDirInUseError(
      `data dir ${dir} is in use by cqrs-testbed pid ${holder}; stop it first (or remove ${file} if that is wrong)`,
    );
  }
  rmSync(file, { force: true });
  try {
    // 'wx': if another testbed won the race between our check and now, we find out here.
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new DataDirInUseError(`data dir ${dir} was claimed by another cqrs-testbed just now`, { cause: err });
    throw err;
  }
  return {
    file,
    release: () => {
      if (readPidFile(file) === process.pid) rmSync(file, { force: true });
    },
  };
}

/** Alive and running cqrs-testbed. Without /proc to look at its command line, a live pid counts (the safe side). */
function isTestbed(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return !hasProc();
    throw err;
  }
  return argv.some((a) => /(^|\/)cqrs-testbed$/.test(a));
}

function hasProc(): boolean {
  try {
    readFileSync('/proc/self/cmdline');
    return true;
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
