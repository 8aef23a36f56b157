/**
 * `run --report DIR` writes an HTML page people open first. Checked in a real browser (headless Chromium): the
 * flagship's page loads offline without console errors, and holds what the issue asks for — a series per read model
 * in the lag and divergence charts, the summary's outage as a shaded band, the convergence marker, the latency
 * table. A screenshot is saved under reports/ for people to look at.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTestbed } from '../helpers/cliProcess.js';

const CHROMIUM_HINT = 'headless Chromium is needed for this test: apt-get install -y chromium (Debian/Ubuntu)';

function chromium(): string {
  for (const bin of ['chromium', 'chromium-browser', '/usr/bin/chromium']) {
    const found = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim() !== '') return found.stdout.trim();
  }
  throw new Error(CHROMIUM_HINT);
}

/** Chromium, headless, offline (no network at all), on a file: the DOM after load, and what it logged. */
function open(file: string, extra: readonly string[]): { dom: string; log: string } {
  const run = spawnSync(
    chromium(),
    [
      ...['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0'],
      ...['--proxy-server=127.0.0.1:9', '--proxy-bypass-list=<-loopback>'], // any network request would fail
      ...extra,
      `file://${file}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (run.error) throw run.error;
  return { dom: run.stdout, log: run.stderr };
}

describe('the HTML report, in a real browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'html-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flagship: offline, no console errors, every series, the outage band, the convergence marker', async () => {
    const cli = await runTestbed(
      ['run', 'scenarios/flagship-summary-outage.yaml', '--no-ui', '--report', dir],
      {},
      90_000,
    );
    expect(cli.code, cli.stderr).toBe(0);
    const index = join(dir, 'index.html');
    expect(existsSync(index)).toBe(true);
    expect(existsSync(join(dir, 'flagship-summary-outage.history.jsonl'))).toBe(true);
    const html = readFileSync(index, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\//); // self-contained: nothing to fetch, nothing to run

    const { dom, log } = open(index, ['--dump-dom']);
    expect(log).not.toMatch(/CONSOLE|Uncaught|Failed to load/);
    const count = (pattern: RegExp) => (dom.match(pattern) ?? []).length;
    // lag and divergence: one line per read model each; orders: three; events: one.
    expect(count(/<polyline class="series"/g)).toBe(3 + 3 + 3 + 1);
    expect(count(/data-series="customer-order-summary"/g)).toBe(2);
    // The summary's 3 s outage, shaded on each of the four charts; converged, marked on each.
    expect(count(/<rect class="band"/g)).toBe(4);
    expect(dom).toContain('<title>customer-order-summary consumer down</title>');
    expect(count(/<line class="converged"/g)).toBe(4);
    expect(dom).toContain('Convergence latency');
    expect(dom).toMatch(/<td>customer-order-summary<\/td><td>\d+<\/td>/);

    mkdirSync('reports', { recursive: true });
    const shot = join('reports', 'flagship-report.png');
    rmSync(shot, { force: true });
    open(index, [`--screenshot=${shot}`, '--window-size=920,1500']);
    expect(existsSync(shot)).toBe(true);
  }, 120_000);
});
