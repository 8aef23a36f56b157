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
}

export interface Supervisor {
  readonly processes: readonly SupervisedProcess[];
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 5_000;
const STABLE_MS = 30_000;
const MAX_CONSECUTIVE_RESTARTS = 20;

interface Slot {
  readonly spec: ProcessSpec;
  child: ChildProcess | undefined;
  restarts: number;
  consecutive: number;
  startedAt: number;
  readyDetail: string;
}

export async function superviseProcesses(
  command: string,
  specs: readonly ProcessSpec[],
  log: Logger,
): Promise<Supervisor> {
  let stopping = false;
  const slots: Slot[] = [];
  const start = async (slot: Slot): Promise<void> => {
    const child = spawn(command, slot.spec.args, { stdio: ['ignore', 'pipe', 'inherit'] });
    slot.child = child;
    slot.startedAt = Date.now();
    slot.readyDetail = await readyLine(child, slot.spec.name);
    log.info({ process: slot.spec.name, pid: child.pid }, 'service process ready');
    child.once('exit', (code, signal) => {
      slot.child = undefined;
      if (stopping) return;
      log.warn({ process: slot.spec.name, code, signal }, 'service process died; restarting');
      slot.consecutive = Date.now() - slot.startedAt > STABLE_MS ? 1 : slot.consecutive + 1;
      if (slot.consecutive > MAX_CONSECUTIVE_RESTARTS) {
        log.error({ process: slot.spec.name }, `gave up after ${MAX_CONSECUTIVE_RESTARTS} restarts in a row`);
        return;
      }
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (slot.consecutive - 1));
      setTimeout(() => {
        if (stopping) return;
        slot.restarts++;
        start(slot).catch((err: unknown) => log.error({ err, process: slot.spec.name }, 'restart failed'));
      }, delay);
    });
  };
  const stop = async () => {
    stopping = true;
    for (const slot of [...slots].reverse()) await stopChild(slot.child);
  };
  try {
    for (const spec of specs) {
      const slot: Slot = { spec, child: undefined, restarts: 0, consecutive: 0, startedAt: 0, readyDetail: '' };
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
    })),
    stop,
  };
}

/** Resolves with what follows `ready <name>` on the child's stdout; rejects if it exits or stays silent too long. */
function readyLine(child: ChildProcess, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service process ${name} not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
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

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
