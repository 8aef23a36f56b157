/**
 * A private network namespace for a run that cuts broker nodes off from each other (a `partition` fault): the
 * command runs itself again under `unshare -n`, with only a loopback interface of its own, so the packet-filter
 * rules it installs cannot touch the machine's traffic and disappear with it. Linux, root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { constants } from 'node:os';

/** Set in the re-run command: it must not try again, whatever it finds. */
const RERUN_MARK = 'CQRS_TESTBED_PRIVATE_NETWORK';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * True when this process runs in a network namespace made for it: it is the re-run (rerunInPrivateNetwork), and
 * its namespace is not the one of the command that re-ran it. (Comparing with PID 1 would not do: sandboxes and
 * containers often give every command a namespace of its own, shared by everything else that command starts.)
 */
export function inPrivateNetworkNamespace(): boolean {
  const outer = outerCommandPid();
  if (outer === undefined) return false;
  try {
    return readlinkSync('/proc/self/ns/net') !== readlinkSync(`/proc/${outer}/ns/net`);
  } catch {
    return false; // not Linux, the outer command gone, or not allowed to look
  }
}

/** This command was already re-run in a private namespace (by rerunInPrivateNetwork). */
export function isPrivateNetworkRerun(): boolean {
  return process.env[RERUN_MARK] === '1';
}

/**
 * Why a private network namespace cannot be made here, or undefined when it can: tried for real, once
 * (`unshare -n` bringing its loopback up), so what fails is what the re-run would meet.
 */
export function privateNetworkUnavailableBecause(): string | undefined {
  if (process.platform !== 'linux') return `a private network namespace needs Linux (this is ${process.platform})`;
  const probe = spawnSync('unshare', ['-n', '--', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (probe.error) return `cannot run unshare (util-linux) to make a private network namespace: ${probe.error.message}`;
  if (probe.status !== 0)
    return `cannot make a private network namespace (unshare -n, as root, and ip from iproute2): ${probe.stderr.trim()}`;
  return undefined;
}

/**
 * Runs this very command again (same Node, flags and arguments) in a new network namespace with its loopback up;
 * resolves with its exit code. Signals sent to this process are passed on, so Ctrl-C stops the run inside as it
 * would this one. Rejects when the namespace cannot be made (not root, no `unshare` or `ip`), saying so.
 */
export function rerunInPrivateNetwork(): Promise<number> {
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  // `unshare -n` execs the shell in the new namespace; the shell brings loopback up and execs Node: one process.
  const script = 'ip link set lo up && exec "$@"';
  const child = spawn('unshare', ['-n', '--', 'sh', '-c', script, 'sh', ...command], {
    stdio: 'inherit',
    env: { ...process.env, [RERUN_MARK]: '1', CQRS_TESTBED_OUTER_PID: String(process.pid) },
  });
  // On a terminal, Ctrl-C (SIGINT) and a hang-up (SIGHUP) reach the whole foreground group, the re-run included:
  // passing them on too would make them count twice (a second signal means "exit at once"). SIGTERM is ours alone.
  const fromTerminal = (signal: NodeJS.Signals) => process.stdin.isTTY && signal !== 'SIGTERM';
  const forward = (signal: NodeJS.Signals) => () => {
    if (!fromTerminal(signal)) child.kill(signal);
  };
  const handlers = SIGNALS.map((s) => [s, forward(s)] as const);
  for (const [s, handler] of handlers) process.on(s, handler);
  return new Promise<number>((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot create a private network namespace (unshare -n): ${error.message}`, { cause: error })),
    );
    child.once('exit', (code, signal) => {
      for (const [s, handler] of handlers) process.off(s, handler);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 1));
    });
  });
}

/**
 * The pid of the command that re-ran this one, while it is waiting for it (so the inner run can stop when the
 * outer one is killed outright); undefined outside a re-run.
 */
export function outerCommandPid(): number | undefined {
  const pid = Number(process.env.CQRS_TESTBED_OUTER_PID);
  return isPrivateNetworkRerun() && Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
