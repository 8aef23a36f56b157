/**
 * Keeping a private nats-server from outliving its owner. When the owner is killed with SIGKILL its nats-server
 * child lives on, still using the store dir, and two servers on one store corrupt it. Two defences:
 * - a guard process that stops the server as soon as the owner is gone (cheap, immediate, but can itself be killed);
 * - a pid file: each start first stops a server the file names, but only after checking (via its command line) that
 *   the pid is a nats-server on this very store dir: pids are reused, and a stale file must never kill an unrelated
 *   process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { readPidFile } from './pidFile.js';

const orphanStopGraceMs = 5_000;
const orphanKillWaitMs = 2_000;
const pollMs = 50;

/**
 * A tiny shell that blocks reading a pipe from us. Whatever way we die, the kernel closes that pipe; the shell then
 * stops the server (if the pid is still a nats-server on our store: pids are reused). Cheaper and more portable than
 * PR_SET_PDEATHSIG, which Node cannot set; the pid file covers the case where even the guard was killed.
 */
const guardScript = `
while read -r _; do :; done
if [ -r "/proc/$1/cmdline" ] && ! tr '\\0' '\\n' < "/proc/$1/cmdline" | grep -qxF -e "$2"; then exit 0; fi
kill -TERM "$1" 2>/dev/null || exit 0
kill -CONT "$1" 2>/dev/null
i=0
while [ $i -lt 50 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
kill -KILL "$1" 2>/dev/null
exit 0
`;

export function spawnGuard(pid: number, storeDir: string, log: Logger | undefined): ChildProcess {
  const guard = spawn('/bin/sh', ['-c', guardScript, 'nats-server-guard', String(pid), storeDir], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  guard.once('error', (err) =>
    log?.warn(
      { err },
      'could not start the nats-server guard; an orphaned server is stopped on the next start instead',
    ),
  );
  // The pipe end that tells the guard we are gone must not keep our event loop alive, nor the guard process.
  guard.unref();
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return guard;
}

export function writePidFile(pidFile: string, pid: number): void {
  // The file sits in the store dir, which the server itself may not have created yet.
  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${pid}\n`);
}

/** Removes the file if it still names `pid` (a newer process may have replaced it). */
export function removePidFile(pidFile: string, pid: number): void {
  if (readPidFile(pidFile) === pid) rmSync(pidFile, { force: true });
}

/**
 * Stops the nats-server named by `pidFile` if it is alive and serves `storeDir`: SIGTERM, then SIGKILL after a
 * bound. Returns the pid it stopped, or undefined when there was nothing to stop (no file, dead pid, or a pid that
 * is now some other process: a stale file, ignored).
 */
export async function stopOrphanedNatsServer(
  pidFile: string,
  storeDir: string,
  log?: Logger,
): Promise<number | undefined> {
  const pid = readPidFile(pidFile);
  if (pid === undefined || pid === process.pid) return undefined;
  const argv = commandLineOf(pid);
  if (argv === undefined || !isNatsServerOn(argv, storeDir)) {
    log?.debug({ pidFile, pid }, 'stale nats-server pid file ignored');
    return undefined;
  }
  log?.warn({ pid, storeDir }, 'a nats-server left over from a previous run still uses the store; stopping it');
  signal(pid, 'SIGTERM');
  if (!(await exitsWithin(pid, orphanStopGraceMs))) {
    log?.warn({ pid }, 'left-over nats-server ignored SIGTERM; sending SIGKILL');
    signal(pid, 'SIGKILL');
    if (!(await exitsWithin(pid, orphanKillWaitMs)))
      throw new Error(`could not stop the left-over nats-server pid ${pid} on ${storeDir}`);
  }
  return pid;
}

/**
 * The synchronous, last-moment version for an exit hook (no awaiting there): SIGKILL the nats-server the pid file
 * names if it serves `storeDir`, and wait, at most `orphanKillWaitMs`, until it is gone, so it cannot write into a
 * dir about to be removed. A process killed but not yet reaped counts as gone.
 */
export function killNatsServerNow(pidFile: string, storeDir: string): void {
  const pid = readPidFile(pidFile);
  if (pid === undefined || pid === process.pid) return;
  const argv = commandLineOf(pid);
  if (argv === undefined || !isNatsServerOn(argv, storeDir)) return;
  signal(pid, 'SIGKILL');
  const deadline = Date.now() + orphanKillWaitMs;
  const tick = new Int32Array(new SharedArrayBuffer(4));
  while (isAlive(pid) && Date.now() < deadline) Atomics.wait(tick, 0, 0, 10);
}

/** True if `argv` is a nats-server started with `-sd storeDir`. */
export function isNatsServerOn(argv: readonly string[], storeDir: string): boolean {
  const exe = argv[0] ?? '';
  if (!/(^|\/)nats-server$/.test(exe)) return false;
  const i = argv.findIndex((a) => a === '-sd' || a === '--store_dir');
  const dir = i >= 0 ? argv[i + 1] : undefined;
  return dir !== undefined && resolve(dir) === resolve(storeDir);
}

/** The process's argv from /proc (Linux); undefined when it is gone or there is no /proc to ask. */
function commandLineOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const argv = raw.split('\0').filter((a) => a !== '');
    // A zombie has an empty cmdline: it is dead already, nothing to stop.
    return argv.length > 0 ? argv : undefined;
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES') return undefined;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  // A zombie still answers kill(0) but has no cmdline any more; either way it holds nothing.
  if (commandLineOf(pid) === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
    // SIGCONT too: a SIGSTOPped server cannot act on SIGTERM.
    if (sig === 'SIGTERM') process.kill(pid, 'SIGCONT');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return !isAlive(pid);
}
