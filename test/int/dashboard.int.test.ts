/**
 * The dashboard end to end, in a real terminal: tmux runs `cqrs-testbed run <flagship> --ui` (real nats-server,
 * real SQLite), and we read the screen as a person would — while the summary consumer is down (2–5 s of the 8 s
 * load) and after convergence. A missing tmux fails the suite with the install command; it never skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Our own tmux server (its own socket): nothing of the user's tmux is touched, and we stop exactly this one. */
const socket = `cqrs-dashboard-${process.pid}`;
const session = 'dashboard';
const RUN_BUDGET_MS = 40_000;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', timeout: 5_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

interface ModelLine {
  readonly state: string;
  /** Keys not yet applied: the lag explains them. */
  readonly stale: number;
  /** Missing, unexpected, wrong and duplicated keys: what the lag does not explain. */
  readonly unexplained: number;
  readonly divergent: number;
}

interface Screen {
  readonly text: string;
  readonly clockMs: number | undefined;
  readonly phase: string | undefined;
  readonly models: Partial<Record<'inventory' | 'products' | 'summary', ModelLine>>;
}

/** Reads the dashboard off the screen: the clock and phase, and each model row's state and divergence buckets. */
function parseScreen(text: string): Screen {
  const clock = /(\d+\.\d) s \/ 8\.0 s {2}(\w+)/.exec(text);
  const models: Record<string, ModelLine> = {};
  // ok, stale, then miss, unexp, wrong, dup.
  for (const m of text.matchAll(
    /^[› ] (inventory|products|summary) +(\w+) +\d+ +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) /gm,
  )) {
    const [, name = '', state = '', stale = '0', ...buckets] = m;
    const unexplained = buckets.reduce((s, b) => s + Number(b), 0);
    models[name] = { state, stale: Number(stale), unexplained, divergent: Number(stale) + unexplained };
  }
  return { text, clockMs: clock ? Number(clock[1]) * 1000 : undefined, phase: clock?.[2], models };
}

describe('cqrs-testbed run --ui in a real terminal (tmux 100×30)', () => {
  const frames: Screen[] = [];
  let finalScreen = '';
  let exitStatus = '';
  let logDir = '';

  beforeAll(async () => {
    const version = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
    if (version.error || version.status !== 0) {
      throw new Error(
        'tmux is not installed; the dashboard end-to-end test needs a real terminal: apt-get install -y tmux',
      );
    }
    logDir = mkdtempSync(join(tmpdir(), 'cqrs-dashboard-'));
    const statusFile = join(logDir, 'exit-status');
    // After the run the shell writes its exit status and keeps the pane open, so its last screen can be read.
    // CI=0: under CI, ink would draw only the final frame (is-in-ci); this terminal is real, whatever runs the tests.
    const command = `cd ${root} && CI=0 node bin/cqrs-testbed run scenarios/flagship-summary-outage.yaml --ui --log-file ${join(logDir, 'run.log')}; echo $? > ${statusFile}; sleep 120`;
    tmux('-f', '/dev/null', 'new-session', '-d', '-s', session, '-x', '100', '-y', '30', command);
    const deadline = Date.now() + RUN_BUDGET_MS;
    while (Date.now() < deadline && !existsSync(statusFile)) {
      frames.push(parseScreen(tmux('capture-pane', '-p', '-t', session)));
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    if (existsSync(statusFile)) exitStatus = readFileSync(statusFile, 'utf8').trim();
    finalScreen = tmux('capture-pane', '-p', '-S', '-100', '-t', session);
  }, RUN_BUDGET_MS + 20_000);

  afterAll(() => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  const context = () =>
    `\n--- last screen (exit status ${exitStatus || 'still running'}) ---\n${finalScreen || frames.at(-1)?.text}`;

  it('finishes within the budget and exits 0 (the scenario passes)', () => {
    expect(exitStatus, `the run did not end within ${RUN_BUDGET_MS} ms${context()}`).not.toBe('');
    expect(exitStatus, context()).toBe('0');
    expect(finalScreen).toMatch(/^PASS flagship-summary-outage/m);
  });

  it('shows the summary consumer stopped and divergent while the outage is active', () => {
    const during = frames.filter(
      (f) =>
        f.models.summary?.state === 'stopped' && f.clockMs !== undefined && f.clockMs >= 2_000 && f.clockMs <= 5_000,
    );
    expect(during.length, `no frame showed the summary stopped between 2 and 5 s${context()}`).toBeGreaterThan(0);
    const worst = during.reduce((a, b) =>
      (b.models.summary?.divergent ?? 0) > (a.models.summary?.divergent ?? 0) ? b : a,
    );
    expect(worst.models.summary?.divergent, worst.text).toBeGreaterThan(0);
    // Stale, not wrong: the scenario's lesson, as the screen shows it. Everything the stopped summary lacks or shows
    // differently (orders since it stopped, names renamed since) is counted as not yet applied.
    expect(worst.models.summary?.stale, worst.text).toBeGreaterThan(0);
    for (const f of during) expect(f.models.summary?.unexplained, f.text).toBe(0);
    expect(worst.text).toMatch(/▶ customer-order-summary consumer down {2}active for \d+\.\d s/);
    expect(worst.text).toMatch(/· customer-order-summary consumer back {2}heals in \d+\.\d s/);
    // The other models kept up: the outage is the summary's alone.
    expect(worst.models.inventory?.state).not.toBe('stopped');
    expect(worst.models.products?.state).not.toBe('stopped');
  });

  it('shows every model back at zero divergence after convergence, with every property held', () => {
    const after = frames.filter((f) => f.phase === 'settling' || f.phase === 'checking' || f.phase === 'done');
    const convergedFrame = after.find(
      (f) => Object.values(f.models).length === 3 && Object.values(f.models).every((m) => m.divergent === 0),
    );
    expect(convergedFrame, `no frame after the load showed all models at zero divergence${context()}`).toBeDefined();
    const last = parseScreen(finalScreen);
    expect(last.phase, context()).toBe('done');
    expect(Object.values(last.models).map((m) => m.divergent)).toEqual([0, 0, 0]);
    expect(last.models.summary?.state).not.toBe('stopped');
    expect(finalScreen).toMatch(/✓ customer-order-summary consumer down/);
    expect(finalScreen).toMatch(/properties {2}✓ converges {2}✓ nothingLost {2}✓ noDuplicatedEffect/);
    expect(finalScreen).toMatch(/verdict {5}PASS/);
  });

  it('never writes a log line to the terminal: the logs went to the log file', () => {
    for (const f of [...frames.map((x) => x.text), finalScreen]) expect(f).not.toMatch(/"level":\d+/);
    expect(readFileSync(join(logDir, 'run.log'), 'utf8')).toMatch(/"msg":"fault-start"/);
  });

  it('redraws in place: the header appears once per screen, never stacked', () => {
    for (const f of frames)
      expect(f.text.match(/flagship-summary-outage \(seed 1\)/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });
});
