/**
 * The temp dirs a command creates for a broker store and SQLite files (`cqrs-scenario-*`, `cqrs-bench-*`,
 * `cqrs-testbed-*`). Each holds an owner file naming the process that made it, so a later start can remove the dirs
 * of runs that died without cleaning up (SIGKILL, a closed terminal) and never touch a live run's dir
 * (./staleTempDirs.ts). A dir is removed by its owner when done, or at the latest when the owner exits
 * (`process.exit` included), after the private nats-server writing into it has been killed.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killNatsServerNow } from './natsServerOrphans.js';
import { selfIdentity, type ProcessIdentity } from './processIdentity.js';

/** Every owned dir starts with this, in the system temp dir. */
export const TEMP_DIR_PREFIX = 'cqrs-';
export const OWNER_FILE = 'cqrs-owner.json';

export interface OwnerRecord extends ProcessIdentity {
  /** For a person looking at /tmp: what made the dir. */
  readonly command: string;
}

/** Where a run's private broker keeps its store, and the pid file that names the broker. */
export const brokerStoreOf = (dir: string): string => join(dir, 'nats');
export const brokerPidFileOf = (dir: string): string => join(brokerStoreOf(dir), 'nats-server.pid');

const owned = new Set<string>();
process.once('exit', () => {
  for (const dir of owned) removeNow(dir);
});

/** A fresh `<tmp>/<prefix>XXXXXX` with its owner file written before anything else goes in. */
export function createOwnedTempDir(prefix: string): string {
  if (!prefix.startsWith(TEMP_DIR_PREFIX)) throw new Error(`owned temp dirs start with ${TEMP_DIR_PREFIX}: ${prefix}`);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const record: OwnerRecord = { ...selfIdentity(), command: process.argv.slice(1).join(' ') };
  // Written whole or not at all: a sweep reading it half-written would skip the dir anyway, but needs not to.
  writeFileSync(join(dir, `${OWNER_FILE}.tmp`), `${JSON.stringify(record)}\n`);
  renameSync(join(dir, `${OWNER_FILE}.tmp`), join(dir, OWNER_FILE));
  owned.add(dir);
  return dir;
}

/** Removes an owned dir (its broker already stopped) and forgets it. */
export function removeOwnedTempDir(dir: string): void {
  owned.delete(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}

/** The owner file's record, or undefined when there is none or it cannot be read as one. */
export function readOwner(dir: string): OwnerRecord | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, OWNER_FILE), 'utf8');
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return undefined;
    throw err;
  }
  try {
    const r = JSON.parse(text) as Partial<OwnerRecord>;
    if (typeof r.pid !== 'number' || !Number.isInteger(r.pid) || r.pid <= 0) return undefined;
    return {
      pid: r.pid,
      startTime: typeof r.startTime === 'string' ? r.startTime : null,
      command: typeof r.command === 'string' ? r.command : '',
    };
  } catch {
    return undefined; // not ours to judge: left alone
  }
}

/** At exit: the broker first (a live one would write into the dir again), then the dir. Best effort, synchronous. */
function removeNow(dir: string): void {
  try {
    killNatsServerNow(brokerPidFileOf(dir), brokerStoreOf(dir));
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  } catch (err: unknown) {
    process.stderr.write(
      `cqrs-testbed: could not remove ${dir} on exit (${err instanceof Error ? err.message : String(err)}); the next run removes it\n`,
    );
  }
}
