/**
 * The process table as the leak checks need it: which nats-servers a process started, and which temp dir each one
 * serves. Linux /proc only (the integration tests run there).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ChildBroker {
  readonly pid: number;
  /** The `-sd` store dir; its parent is the run's temp dir. */
  readonly storeDir: string;
  readonly runDir: string;
}

function stat(pid: number): { comm: string; ppid: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
    const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
    return { comm, ppid };
  } catch {
    return undefined; // gone meanwhile: not a child of anyone
  }
}

/** The live nats-server children of `parentPid`, with the store dir each serves. */
export function natsServersOf(parentPid: number): ChildBroker[] {
  const found: ChildBroker[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s?.comm !== 'nats-server' || s.ppid !== parentPid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const storeDir = argv[argv.indexOf('-sd') + 1];
    if (argv.includes('-sd') && storeDir) found.push({ pid, storeDir, runDir: dirname(storeDir) });
  }
  return found;
}

/** Live `cqrs-testbed service <kind>` processes that name `parentPid` as their supervisor's. */
export function serviceProcessesOf(parentPid: number): { pid: number; kind: string }[] {
  const found: { pid: number; kind: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    const kind = argv[argv.indexOf('service') + 1];
    if (argv.includes('service') && kind && argv[argv.indexOf('--parent-pid') + 1] === String(parentPid))
      found.push({ pid, kind });
  }
  return found;
}
