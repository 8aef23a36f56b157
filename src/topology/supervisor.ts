/**
 * Starts the service processes of the multi-process topology, one after another (each once it says `ready`), and
 * restarts one that dies on its own, with backoff — as a deployment's supervisor (systemd, Kubernetes) would. A
 * restart that does not stay up is retried at most `maxConsecutiveRestarts` times in a row, then given up and
 * reported. Stopping asks each process to drain (SIGTERM), newest first, and kills what does not exit in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

export interface ProcessSpec {
  readonly name: string;
  readonly args: readonly string[];
}

export interface SupervisedProcess {
  readonly name: string;
  /** The current pid (changes on restart); -1 while none runs. */
  readonly pid: number;
  readonly restarts: number;
  /** What it printed after `ready` (e.g. the HTTP process's URL). */
  readonly readyDetail: string;
  /** It kept dying: no more restarts. */
  readonly gaveUp: boolean;
}

export interface Supervisor {
  readonly processes: readonly SupervisedProcess[];
  /** Sends a signal to a process's current pid (a fault: SIGKILL, SIGSTOP, SIGCONT); its pid, or -1 if none runs. */
  signal(name: string, signal: NodeJS.Signals): number;
  /** The next restart of this process waits at least `ms` after its death (a fault that keeps it down a while). */
  holdNextRestart(name: string, ms: number): void;
  stop(): Promise<void>;
}

/** Every bound of the supervisor. */
export interface ProcessSupervisorSettings {
  readonly readyTimeoutMs: number;
  /** How long a process may drain after SIGTERM before it is killed. */
  readonly stopGraceMs: number;
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
  /** A process up this long counts as stable: its next death starts the restart count afresh. */
  readonly stableMs: number;
  readonly maxConsecutiveRestarts: number;
}

export const DEFAULT_PROCESS_SUPERVISOR_SETTINGS: ProcessSupervisorSettings = {
  readyTimeoutMs: 60_000,
  stopGraceMs: 10_000,
  backoffMsMin: 200,
  backoffMsMax: 5_000,
  stableMs: 30_000,
  maxConsecutiveRestarts: 20,
};

interface Slot {
  readonly spec: ProcessSpec;
  /** The least wait before the next restart, once (holdNextRestart). */
  hold: number;
  child: ChildProcess | undefined;
  restarts: number;
  consecutive: number;
  startedAt: number;
  readyDetail: string;
  gaveUp: boolean;
}

export async function superviseProcesses(
  command: string,
  specs: readonly ProcessSpec[],
  log: Logger,
  settings: ProcessSupervisorSettings = DEFAULT_PROCESS_SUPERVISOR_SETTINGS,
): Promise<Supervisor> {
  let stopping = false;
  const slots: Slot[] = [];
  const start = async (slot: Slot): Promise<void> => {
    const child = spawn(command, slot.spec.args, { stdio: ['ignore', 'pipe', 'inherit'] });
    slot.child = child;
    slot.startedAt = Date.now();
    slot.readyDetail = await readyLine(child, slot.spec.name, settings.readyTimeoutMs);
    log.info({ process: slot.spec.name, pid: child.pid }, 'service process ready');
    child.once('exit', (code, signal) => {
      slot.child = undefined;
      if (stopping) return;
      log.warn({ process: slot.spec.name, code, signal }, 'service process died; restarting');
      restartLater(slot);
    });
  };
  /**
   * Starts it again after a backoff — a restart that dies before it is ready (its broker still electing a leader,
   * say) counts as one more death in a row, so it is retried too, up to the bound, then given up.
   */
  const restartLater = (slot: Slot): void => {
    slot.child = undefined;
    slot.consecutive = Date.now() - slot.startedAt > settings.stableMs ? 1 : slot.consecutive + 1;
    if (slot.consecutive > settings.maxConsecutiveRestarts) {
      log.error({ process: slot.spec.name }, `gave up after ${settings.maxConsecutiveRestarts} restarts in a row`);
      slot.gaveUp = true;
      return;
    }
    const backoff = Math.min(settings.backoffMsMax, settings.backoffMsMin * 2 ** (slot.consecutive - 1));
    const delay = Math.max(backoff, slot.hold);
    slot.hold = 0;
    setTimeout(() => {
      if (stopping) return;
      slot.restarts++;
      start(slot).catch((err: unknown) => {
        log.warn({ err, process: slot.spec.name }, 'restart failed; trying again');
        if (!stopping) restartLater(slot);
      });
    }, delay);
  };
  const stop = async () => {
    stopping = true;
    for (const slot of [...slots].reverse()) await stopChild(slot.child, settings.stopGraceMs);
  };
  try {
    for (const spec of specs) {
      const slot: Slot = {
        spec,
        hold: 0,
        child: undefined,
        restarts: 0,
        consecutive: 0,
        startedAt: 0,
        readyDetail: '',
        gaveUp: false,
      };
      slots.push(slot);
      await start(slot);
    }
  } catch (err: unknown) {
    await stop();
    throw err;
  }
  return {
    processes: slots.map((slot) => ({
      name: slot.spec.name,
      get pid() {
        return slot.child?.pid ?? -1;
      },
      get restarts() {
        return slot.restarts;
      },
      get readyDetail() {
        return slot.readyDetail;
      },
      get gaveUp() {
        return slot.gaveUp;
      },
    })),
    signal: (name, signal) => {
      const child = slotNamed(slots, name).child;
      if (!child?.pid) return -1;
      child.kill(signal);
      return child.pid;
    },
    holdNextRestart: (name, ms) => {
      slotNamed(slots, name).hold = ms;
    },
    stop,
  };
}

function slotNamed(slots: readonly Slot[], name: string): Slot {
  const slot = slots.find((s) => s.spec.name === name);
  if (!slot) throw new Error(`no supervised process named ${name}`);
  return slot;
}

/** Resolves with what follows `ready <name>` on the child's stdout; rejects if it exits or stays silent too long. */
function readyLine(child: ChildProcess, name: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service process ${name} not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`service process ${name} exited (${code}) before it was ready`));
    };
    child.once('exit', onExit);
    lines.on('line', (line) => {
      const match = /^ready (\S+)\s*(.*)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(match[2] ?? '');
    });
  });
}

async function stopChild(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  child.kill('SIGCONT'); // a frozen (SIGSTOPped) process acts on SIGTERM only once continued
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
