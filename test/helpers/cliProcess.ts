/**
 * Runs the real CLI (`node bin/cqrs-testbed ...`) as a child process for the `cli*.int.test.ts` suites, and reads
 * what it prints. Nothing is mocked: a private nats-server, SQLite files, HTTP on a loopback port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isRunning } from '../../src/process/processIdentity.js';

const bin = fileURLToPath(new URL('../../bin/cqrs-testbed', import.meta.url));

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What `up` prints once it is ready. */
export interface UpBanner {
  readonly url: string;
  readonly dataDir: string;
  readonly brokerUrl: string;
  /** Pid of the private nats-server, if `up` started one. */
  readonly natsPid: number | undefined;
  /** Pids of the private cluster's nodes, in node order (n0, n1, …), if `up --brokers N` started one. */
  readonly clusterPids: readonly number[];
  /** `up --topology processes`: each service process's pid by name, as the banner lists them. */
  readonly servicePids: Readonly<Record<string, number>>;
  readonly seeded: number;
  /** The data dir is a temporary one `up` removes on a clean exit. */
  readonly temporary: boolean;
}

export interface Testbed {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the banner, or rejects (with stderr) if the process exits or stays silent too long. */
  up(timeoutMs?: number): Promise<UpBanner>;
  /** Sends `signal` and waits for the exit, at most `timeoutMs`; SIGKILLs and rejects if it takes longer. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
  /** For afterAll: SIGKILL if still running, and remove the temporary data dir a killed `up` leaves behind. */
  destroy(): void;
}

/** The environment for a child: ours minus NATS_URL (each test decides), plus `env` (undefined deletes). */
function childEnv(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, NATS_URL: undefined, LOG_LEVEL: undefined, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return merged;
}

export function spawnTestbed(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Testbed {
  const child = spawn(process.execPath, [bin, '--log-format', 'json', ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done: Exit | undefined;
  void exited.then((e) => (done = e));
  const tail = () => `\n--- stdout ---\n${out}\n--- stderr (tail) ---\n${err.slice(-4_000)}`;

  return {
    child,
    pid: child.pid ?? -1,
    exited,
    stdout: () => out,
    stderr: () => err,
    async up(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const banner = parseBanner(out);
        if (banner) return banner;
        if (done) throw new Error(`cqrs-testbed exited (${JSON.stringify(done)}) before it was up${tail()}`);
        await sleep(50);
      }
      throw new Error(`cqrs-testbed not up within ${timeoutMs} ms${tail()}`);
    },
    async stop(signal, timeoutMs = 20_000) {
      if (done) return done;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      const result = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (result === 'late') {
        child.kill('SIGKILL');
        throw new Error(`cqrs-testbed did not exit within ${timeoutMs} ms of ${signal}${tail()}`);
      }
      return result;
    },
    destroy() {
      if (!done) child.kill('SIGKILL');
      const banner = parseBanner(out);
      if (banner?.temporary) rmSync(banner.dataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** Runs a command that should end by itself (bad flags, --help, missing nats-server). */
export async function runTestbed(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  timeoutMs = 20_000,
) {
  const t = spawnTestbed(args, env);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const result = await Promise.race([t.exited, late]);
  clearTimeout(timer);
  if (result === 'late') {
    t.child.kill('SIGKILL');
    throw new Error(`cqrs-testbed ${args.join(' ')} still running after ${timeoutMs} ms`);
  }
  return { ...result, stdout: t.stdout(), stderr: t.stderr() };
}

export function parseBanner(stdout: string): UpBanner | undefined {
  const url = /^ {2}HTTP API +(\S+)$/m.exec(stdout)?.[1];
  const dataDir = /^ {2}data +(\S+)/m.exec(stdout)?.[1];
  const broker = /^ {2}broker +(\S+)(.*)$/m.exec(stdout);
  const seeded = /(\d+) products seeded/.exec(stdout)?.[1];
  if (!url || !dataDir || !broker?.[1] || seeded === undefined) return undefined;
  const natsPid = /private nats-server pid (\d+)/.exec(broker[2] ?? '')?.[1];
  const temporary = /^ {2}data +\S+ \(temporary/m.test(stdout);
  const clusterPids =
    /JetStream cluster, pids ([\d ]+),/
      .exec(broker[2] ?? '')?.[1]
      ?.split(' ')
      .map(Number) ?? [];
  const services = /^ {2}processes +(.*) \(restarted/m.exec(stdout)?.[1] ?? '';
  const servicePids = Object.fromEntries(
    [...services.matchAll(/(\w+) pid (\d+)/g)].map((m) => [m[1] ?? '', Number(m[2])]),
  );
  return {
    url,
    dataDir,
    brokerUrl: broker[1],
    natsPid: natsPid ? Number(natsPid) : undefined,
    clusterPids,
    servicePids,
    seeded: Number(seeded),
    temporary,
  };
}

/**
 * Alive and not a zombie (an orphan whose parent is gone may linger as one where nothing reaps it). The product's
 * own check, with no start time to compare: any process with this pid counts.
 */
export const isAlive = (pid: number): boolean => isRunning({ pid, startTime: null });

// src reads pid files with the same rules (natsServerOrphans.ts, dataDirLock.ts), but privately: nothing to share yet.
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** JSON over HTTP, status and body. */
export async function http(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** Runs a printed command line through the shell, from the repository root, as a person pasting it would. */
export function shellLine(line: string, timeoutMs = 120_000): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NATS_URL;
  const r = spawnSync('sh', ['-c', line], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
    timeout: timeoutMs,
    env,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
