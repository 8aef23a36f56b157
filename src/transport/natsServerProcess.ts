/**
 * Runs a local `nats-server -js` as a child process: the broker for integration tests and for `up`, and the thing
 * fault injection stops, kills, pauses and restarts. It is not part of the port; only composition roots use it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Logger } from 'pino';

/** How to get the binary; part of every "not found" message. */
export const NATS_SERVER_INSTALL_HINT =
  'install it with `apt-get update && apt-get install -y nats-server` (Debian) or download from https://github.com/nats-io/nats-server/releases';

export class NatsServerNotFoundError extends Error {
  override readonly name = 'NatsServerNotFoundError';
}

export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  /** Pid of the current process (changes on restart). */
  readonly pid: number;
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
}

export interface StartNatsServerOptions {
  readonly storeDir: string;
  readonly port?: number;
  readonly log?: Logger;
}

const HOST = '127.0.0.1';
const readyTimeoutMs = 10_000;
const stopGraceMs = 5_000;
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
  const args = ['-js', '-a', HOST, '-p', String(port), '-sd', options.storeDir];
  const log = options.log?.child({ component: 'nats-server', port });
  let running = await launch(bin, args, port, log);

  const stopWith = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const current = running;
    if (current.exited) return;
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
    stop: () => stopWith('SIGTERM'),
    kill9: () => stopWith('SIGKILL'),
    pause: () => {
      running.child.kill('SIGSTOP');
    },
    resume: () => {
      running.child.kill('SIGCONT');
    },
    restart: async () => {
      await stopWith('SIGTERM');
      running = await launch(bin, args, port, log);
    },
  };
}

interface Running {
  readonly child: ChildProcess;
  readonly exit: Promise<void>;
  exited: boolean;
}

async function launch(bin: string, args: string[], port: number, log: Logger | undefined): Promise<Running> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
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
  const running: Running = {
    child,
    exited: false,
    exit: new Promise<void>((resolve) => {
      child.once('error', (err) => {
        spawnError = err;
        running.exited = true;
        liveChildren.delete(child);
        resolve();
      });
      child.once('exit', (code, signal) => {
        running.exited = true;
        liveChildren.delete(child);
        log?.debug({ code, signal }, 'nats-server exited');
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
    if (await acceptsTcp(port)) {
      log?.info({ pid: child.pid }, 'nats-server ready');
      return running;
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  await running.exit;
  throw new Error(
    `nats-server did not accept connections on ${HOST}:${port} within ${readyTimeoutMs} ms; last output:\n${tail.join('\n')}`,
  );
}

/** NATS_SERVER_BIN, then PATH, then the usual system dirs (a non-root PATH often lacks /usr/sbin). */
export async function findNatsServerBinary(): Promise<string> {
  const override = process.env.NATS_SERVER_BIN;
  if (override !== undefined && override !== '') {
    if (await isExecutable(override)) return override;
    throw new NatsServerNotFoundError(`NATS_SERVER_BIN=${override} is not an executable file: ${NATS_SERVER_INSTALL_HINT}`);
  }
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...extraSearchDirs];
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    if (await isExecutable(candidate)) return candidate;
  }
  throw new NatsServerNotFoundError(
    `nats-server not found (searched NATS_SERVER_BIN, PATH, ${extraSearchDirs.join(', ')}): ${NATS_SERVER_INSTALL_HINT}`,
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
async function freePort(): Promise<number> {
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

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.setTimeout(500);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** True if `p` settles within `ms`; the timer never outlives the race. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
