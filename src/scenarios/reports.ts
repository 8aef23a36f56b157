import type { ReadModelName } from '../actors/system.js';
import { READ_MODELS } from '../actors/system.js';
import type { Progress, ScenarioReport } from './runner.js';

/** The `--json` line: the report minus the bulky samples (those go to `--report DIR`). */
export function jsonLine(report: ScenarioReport): string {
  const { samples: _samples, ...rest } = report;
  return JSON.stringify(rest);
}

const shortName: Record<ReadModelName, string> = { 'product-inventory': 'inventory', products: 'products', 'customer-order-summary': 'summary' };

/** One readable line of progress: time, orders, active faults, per-model lag. */
export function progressLine(name: string, p: Progress): string {
  const lags = READ_MODELS.map((m) => `${shortName[m]} lag ${p.lagEvents[m]}`).join(', ');
  const faults = p.activeFaults.length > 0 ? p.activeFaults.join('; ') : 'no active faults';
  return `[${name}] ${(p.elapsedMs / 1000).toFixed(1).padStart(5)} s  ${p.phase.padEnd(8)} orders ${String(p.ordersPlaced).padStart(5)}  ${lags}  | ${faults}`;
}

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));

/** The table printed after all scenarios ran. */
export function summaryTable(reports: readonly ScenarioReport[]): string {
  const rows = [['scenario', 'verdict', 'converged', 'orders', 'failed properties']];
  for (const r of reports) {
    const failed = r.properties.filter((p) => !p.holds).map((p) => p.name);
    rows.push([
      r.scenario,
      r.verdict.toUpperCase(),
      r.convergedAfterMs === null ? 'never' : `${r.convergedAfterMs} ms`,
      String(r.workload.placed),
      failed.length === 0 ? '-' : failed.join(', '),
    ]);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) => row.map((cell, i) => (i < 4 ? pad(cell, widths[i] ?? 0) : cell)).join('  ')).join('\n');
}

/** The per-scenario detail printed without `--json`: every property with its detail, and each model's buckets. */
export function scenarioDetail(r: ScenarioReport): string {
  const lines = [`${r.verdict === 'pass' ? 'PASS' : 'FAIL'} ${r.scenario} (seed ${r.seed}, ${(r.durationMs / 1000).toFixed(1)} s, ${r.events.stream} events)`];
  for (const p of r.properties) lines.push(`  ${p.holds ? '✓' : '✗'} ${p.name}: ${p.detail}`);
  for (const m of READ_MODELS) {
    const x = r.models[m];
    const d = x.divergence;
    lines.push(`    ${pad(m, 24)} ok ${d.ok}, missing ${d.missing}, unexpected ${d.unexpected}, wrong ${d.wrong}, duplicated ${d.duplicated}; ` +
      `max lag ${x.maxLagEvents} events, redeliveries ${x.redeliveries}, dead letters ${x.deadLetters}`);
  }
  return lines.join('\n');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: one test suite per scenario, one test case per property. */
export function junitXml(reports: readonly ScenarioReport[]): string {
  const failures = reports.reduce((n, r) => n + r.properties.filter((p) => !p.holds).length, 0);
  const tests = reports.reduce((n, r) => n + r.properties.length, 0);
  const suites = reports.map((r) => {
    const cases = r.properties.map((p) =>
      p.holds
        ? `    <testcase classname="${xml(r.scenario)}" name="${xml(p.name)}"/>`
        : `    <testcase classname="${xml(r.scenario)}" name="${xml(p.name)}">\n      <failure message="${xml(p.detail)}"/>\n    </testcase>`,
    );
    const failed = r.properties.filter((p) => !p.holds).length;
    return `  <testsuite name="${xml(r.scenario)}" tests="${r.properties.length}" failures="${failed}" time="${(r.durationMs / 1000).toFixed(3)}">\n` +
      `    <properties><property name="seed" value="${r.seed}"/><property name="file" value="${xml(r.file)}"/></properties>\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cqrs-testbed" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
