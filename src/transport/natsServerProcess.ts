/**
 * Runs a local `nats-server -js` as a child process: the broker for integration tests and for `up`, and the thing
 * fault injection stops, kills, pauses and restarts. It is not part of the port; only composition roots use it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, constants as fsConstants, readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Logger } from 'pino';
import { removePidFile, spawnGuard, stopOrphanedNatsServer, writePidFile } from '../process/natsServerOrphans.js';
import { settlesWithin } from './settlesWithin.js';

/** How to get the binary; part of every "not found" message. */
export const NATS_SERVER_INSTALL_HINT = [
  'install nats-server (v2.9 or later) with one of:',
  '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y nats-server',
  '  macOS:          brew install nats-server',
  '  Go:             go install github.com/nats-io/nats-server/v2@latest',
  '  binaries:       https://github.com/nats-io/nats-server/releases',
  'or point NATS_SERVER_BIN at the binary, or set NATS_URL to use a running server (started with -js).',
].join('\n');

export class NatsServerNotFoundError extends Error {
  override readonly name = 'NatsServerNotFoundError';
}

export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  /** Pid of the current process (changes on restart). */
  readonly pid: number;
  /** The current process has not exited (a paused one is running). */
  readonly running: boolean;
  /** SIGTERM, wait for exit, SIGKILL if it takes longer than a bound. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, no clean shutdown of the store. */
  kill9(): Promise<void>;
  /** SIGSTOP: the socket stays open but nothing answers (a hung broker). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Stops it if running, then starts it again on the same port and store dir. */
  restart(): Promise<void>;
  /** Called each time the current process exits, however it ended. Returns the unsubscribe function. */
  onExit(listener: (exit: NatsServerExit) => void): () => void;
}

export interface NatsServerExit {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when `stop`, `kill9` or `restart` ended it; false when it died on its own or someone else killed it. */
  readonly requested: boolean;
}

export interface StartNatsServerOptions {
  readonly storeDir: string;
  readonly port?: number;
  readonly log?: Logger;
  /**
   * Each process's pid is written here (and removed when it exits). On start, a live nats-server named by the file
   * that serves the same store dir (an orphan of an owner killed with SIGKILL) is stopped first.
   */
  readonly pidFile?: string;
  /**
   * For a long-running owner (the CLI): the server gets its own process group and session, so a terminal's Ctrl-C
   * reaches only the owner, which drains before stopping it; and a guard process stops it if the owner dies without
   * doing so (SIGKILL, crash). Tests leave this off so the server dies with the test's process group.
   */
  readonly detach?: boolean;
  /** A node of a cluster (see natsCluster.ts): its server name, and the cluster it routes to. */
  readonly clusterNode?: ClusterNodeOptions;
  /**
   * Run as this user and group (the caller must be root): a partitionable cluster's nodes each have their own, so
   * packet filters can tell their connections apart (networkPartition.ts). The store dir is handed to that user.
   */
  readonly runAs?: { readonly uid: number; readonly gid: number };
}

export interface ClusterNodeOptions {
  /** Unique per node: JetStream's replicas are placed by server name. */
  readonly serverName: string;
  readonly clusterName: string;
  /** Where this node listens for routes from the others. */
  readonly clusterPort: number;
  /** Every node's route URL (its own included is fine: nats-server skips itself). */
  readonly routes: readonly string[];
  /** Where this node serves its HTTP monitoring (`/jsz`: its own copy of each stream, as it holds it). */
  readonly monitorPort?: number;
}

const HOST = '127.0.0.1';
const readyTimeoutMs = 10_000;
const stopGraceMs = 5_000;
const signalSettleMs = 1_000;
const stderrTailLines = 30;
const extraSearchDirs = ['/usr/sbin', '/usr/local/bin', '/usr/bin'];

/** Every child we started and have not seen exit: killed if the test process exits without stopping them. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export async function startNatsServer(options: StartNatsServerOptions): Promise<NatsServerProcess> {
  const bin = await findNatsServerBinary();
  const port = options.port ?? (await freePort());
  const args = ['-js', '-a', HOST, '-p', String(port), '-sd', options.storeDir, ...clusterArgs(options.clusterNode)];
  if (options.runAs) chownSync(options.storeDir, options.runAs.uid, options.runAs.gid);
  const log = options.log?.child({ component: 'nats-server', port });
  const listeners = new Set<(exit: NatsServerExit) => void>();
  const launchOptions: LaunchOptions = {
    bin,
    args,
    port,
    log,
    pidFile: options.pidFile,
    storeDir: options.storeDir,
    detach: options.detach ?? false,
    listeners,
    runAs: options.runAs,
  };
  if (options.pidFile) await stopOrphanedNatsServer(options.pidFile, options.storeDir, log);
  let running = await launch(launchOptions);

  const stopWith = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const current = running;
    if (current.exited) return;
    current.requested = true;
    current.child.kill(signal);
    // A paused (SIGSTOPped) process cannot act on SIGTERM until it is continued.
    if (signal === 'SIGTERM') current.child.kill('SIGCONT');
    const exited = await settlesWithin(current.exit, stopGraceMs);
    if (!exited) {
      log?.warn({ pid: current.child.pid }, 'nats-server ignored SIGTERM; sending SIGKILL');
      current.child.kill('SIGKILL');
      await current.exit;
    }
  };

  return {
    url: `nats://${HOST}:${port}`,
    port,
    get pid() {
      return running.child.pid ?? -1;
    },
    get running() {
      return !running.exited;
    },
    stop: () => stopWith('SIGTERM'),
    kill9: () => stopWith('SIGKILL'),
    pause: () => {
      running.child.kill('SIGSTOP');
      awaitStoppedState(running.child.pid, true, log);
    },
    resume: () => {
      running.child.kill('SIGCONT');
      awaitStoppedState(running.child.pid, false, log);
    },
    restart: async () => {
      await stopWith('SIGTERM');
      running = await launch(launchOptions);
    },
    onExit: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

interface Running {
  readonly child: ChildProcess;
  readonly exit: Promise<void>;
  exited: boolean;
  /** Set before we signal it, so the exit is reported as asked for. */
  requested: boolean;
}

interface LaunchOptions {
  readonly bin: string;
  readonly args: readonly string[];
  readonly port: number;
  readonly log: Logger | undefined;
  readonly pidFile: string | undefined;
  readonly storeDir: string;
  readonly detach: boolean;
  readonly listeners: ReadonlySet<(exit: NatsServerExit) => void>;
  readonly runAs: StartNatsServerOptions['runAs'];
}

async function launch(options: LaunchOptions): Promise<Running> {
  const { bin, args, port, log, pidFile } = options;
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detach, ...options.runAs });
  liveChildren.add(child);
  const pid = child.pid;
  if (pidFile && pid !== undefined) writePidFile(pidFile, pid);
  const guard = options.detach && pid !== undefined ? spawnGuard(pid, options.storeDir, log) : undefined;
  const tail: string[] = [];
  const remember = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > stderrTailLines) tail.shift();
      log?.debug({ line }, 'nats-server output');
    }
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  let spawnError: Error | undefined;
  const ended = (): void => {
    running.exited = true;
    liveChildren.delete(child);
    guard?.kill('SIGKILL');
    if (pidFile && pid !== undefined) removePidFile(pidFile, pid);
  };
  const running: Running = {
    child,
    exited: false,
    requested: false,
    exit: new Promise<void>((resolve) => {
      child.once('error', (err) => {
        spawnError = err;
        ended();
        resolve();
      });
      child.once('exit', (code, signal) => {
        ended();
        if (running.requested) log?.debug({ code, signal }, 'nats-server exited');
        else log?.warn({ pid, code, signal }, 'nats-server exited unexpectedly');
        const exit: NatsServerExit = { pid: pid ?? -1, code, signal, requested: running.requested };
        for (const listener of options.listeners) listener(exit);
        resolve();
      });
    }),
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (running.exited) {
      throw new Error(`nats-server exited before accepting connections on ${HOST}:${port}`, {
        cause: spawnError ?? new Error(tail.join('\n')),
      });
    }
    // Our child still running and a NATS INFO greeting on the port: not just anything listening there (a port taken
    // by another process while we restart must not pass for a ready broker).
    if ((await greetsAsNats(port)) && !running.exited) {
      log?.info({ pid: child.pid }, 'nats-server ready');
      return running;
    }
    await sleep(50);
  }
  running.requested = true;
  child.kill('SIGKILL');
  await running.exit;
  throw new Error(
    `nats-server did not accept connections on ${HOST}:${port} within ${readyTimeoutMs} ms; last output:\n${tail.join('\n')}`,
  );
}

/**
 * Signals are delivered asynchronously: without this, a request sent right after pause() can still be answered by a
 * server thread that has not stopped yet. Linux only (/proc); elsewhere it returns at once. Blocks for at most
 * `signalSettleMs` because pause()/resume() are synchronous by contract.
 */
function awaitStoppedState(pid: number | undefined, stopped: boolean, log: Logger | undefined): void {
  if (pid === undefined || process.platform !== 'linux') return;
  const deadline = Date.now() + signalSettleMs;
  const tick = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch (err: unknown) {
      log?.warn({ err, pid }, 'cannot read process state; not waiting for the signal to land');
      return;
    }
    // Field 3, after "pid (comm)"; comm may contain spaces, so look after the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if ((state === 'T' || state === 't') === stopped) return;
    Atomics.wait(tick, 0, 0, 1);
  }
  log?.warn({ pid, stopped }, 'process state did not follow the signal in time');
}

function clusterArgs(node: ClusterNodeOptions | undefined): string[] {
  if (!node) return [];
  return [
    ...['--name', node.serverName, '--cluster_name', node.clusterName],
    ...['--cluster', `nats://${HOST}:${node.clusterPort}`, '--routes', node.routes.join(',')],
    ...(node.monitorPort === undefined ? [] : ['-m', String(node.monitorPort)]),
  ];
}

/** NATS_SERVER_BIN, then PATH, then the usual system dirs (a non-root PATH often lacks /usr/sbin). */
export async function findNatsServerBinary(): Promise<string> {
  const override = process.env.NATS_SERVER_BIN;
  if (override !== undefined && override !== '') {
    if (await isExecutable(override)) return override;
    throw new NatsServerNotFoundError(
      `nats-server not found: NATS_SERVER_BIN=${override} is not an executable file.\n${NATS_SERVER_INSTALL_HINT}`,
    );
  }
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...extraSearchDirs];
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    if (await isExecutable(candidate)) return candidate;
  }
  throw new NatsServerNotFoundError(
    `nats-server not found (searched PATH and ${extraSearchDirs.join(', ')}).\n${NATS_SERVER_INSTALL_HINT}`,
  );
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return true;
  } catch (err: unknown) {
    // Absent or not executable both mean "keep looking"; anything else is worth knowing about.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') return false;
    throw err;
  }
}

/** Binds port 0 and releases it. Racy in theory (another process may take it first), fine for tests. */
export async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

/** True if something on the port greets with NATS's `INFO {...}` line, as every nats-server does on connect. */
function greetsAsNats(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.setTimeout(500);
    let received = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.length >= 5) done(received.startsWith('INFO '));
    });
    socket.once('end', () => done(false));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
