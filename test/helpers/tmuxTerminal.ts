/**
 * A real terminal for the CLI tests: a private tmux server (its own socket, so nothing of the user's tmux is
 * touched), one session per command. We read the screen as a person would, and the command's exit status. A
 * missing tmux fails the suite with the install command; it never skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface TerminalRun {
  /** The command's exit status as its shell saw it; '' if it was still running when the budget ran out. */
  readonly status: string;
  /** The whole pane, scrollback included, wrapped lines joined. */
  readonly screen: string;
  readonly elapsedMs: number;
}

export interface Terminal {
  /** Runs `command` (a shell line, from the repository root, CI unset) in a fresh session and waits for it to end. */
  run(command: string, budgetMs: number): Promise<TerminalRun>;
  /** Starts `command` in a fresh session and returns its session name, without waiting. */
  start(command: string): string;
  screen(session: string): string;
  /** Kills the tmux server and removes the scratch dir. For afterAll. */
  close(): void;
  /** A scratch dir for files the commands write (exit status, stderr). */
  readonly dir: string;
}

export function openTerminal(name: string, columns = 100, rows = 30): Terminal {
  const version = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (version.error || version.status !== 0)
    throw new Error('tmux is not installed; the CLI terminal tests need a real terminal: apt-get install -y tmux');
  const socket = `cqrs-${name}-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), `cqrs-term-${name}-`));
  const tmux = (...args: string[]): string => {
    const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 5_000 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  let sessions = 0;
  const statusFile = (session: string) => join(dir, `${session}.status`);
  const start = (command: string): string => {
    const session = `s${++sessions}`;
    // After the command the shell writes its exit status and keeps the pane open, so its last screen can be read.
    // CI=0: this terminal is real whatever runs the tests (under CI ink would draw only the final frame).
    const line = `cd ${repoRoot} && export CI=0; ${command}; echo $? > ${statusFile(session)}; sleep 600`;
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), line);
    return session;
  };
  const screen = (session: string): string => tmux('capture-pane', '-p', '-J', '-S', '-500', '-t', session);
  return {
    dir,
    start,
    screen,
    async run(command, budgetMs) {
      const started = Date.now();
      const session = start(command);
      const file = statusFile(session);
      while (Date.now() - started < budgetMs && !existsSync(file))
        await new Promise((resolve) => setTimeout(resolve, 100));
      const status = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
      return { status, screen: screen(session), elapsedMs: Date.now() - started };
    },
    close() {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
