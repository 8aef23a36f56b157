/**
 * Which process owns something, robust to pid reuse: a pid plus the process's start time (Linux: clock ticks since
 * boot, from /proc). A recorded owner is running only if a process with that pid exists *and* started at that time;
 * a new process that got the pid later is someone else.
 */
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  readonly pid: number;
  /** /proc/<pid>/stat's starttime; null where there is no /proc (then the pid alone decides, on the safe side). */
  readonly startTime: string | null;
}

type ProcState = { readonly state: string; readonly startTime: string } | 'gone' | 'no-proc';

function procState(pid: number): ProcState {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return hasProc() ? 'gone' : 'no-proc';
    throw err;
  }
  // Fields after "pid (comm) ": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

let procAvailable: boolean | undefined;
function hasProc(): boolean {
  if (procAvailable === undefined) {
    try {
      readFileSync('/proc/self/stat');
      procAvailable = true;
    } catch {
      procAvailable = false;
    }
  }
  return procAvailable;
}

export function identityOf(pid: number): ProcessIdentity {
  const s = procState(pid);
  return { pid, startTime: typeof s === 'object' ? s.startTime : null };
}

/** This process, as a later process should recognise it. */
export const selfIdentity = (): ProcessIdentity => identityOf(process.pid);

/** True while the recorded owner is running: same pid, same start time, not a zombie. */
export function isRunning(owner: ProcessIdentity): boolean {
  const s = procState(owner.pid);
  if (s === 'gone') return false;
  if (s === 'no-proc') return signalZeroFinds(owner.pid);
  if (s.state === 'Z') return false; // dead, not yet reaped: holds nothing
  return owner.startTime === null || owner.startTime === s.startTime;
}

function signalZeroFinds(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
