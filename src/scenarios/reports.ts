import { READ_MODEL_INFO, READ_MODELS } from '../domain/readModels.js';
import { attributionLines } from './attribution.js';
import type { DivergenceExample } from './divergence.js';
import { fieldDiffText } from './fieldDiff.js';
import { pluginLines } from './pluginReport.js';
import { orderCountsJson, orderOutcomes, refusedText } from './orderCounts.js';
import { type Progress, type ScenarioReport } from './runTypes.js';
import { LINE_WIDTH_MAX, wrapBlock, wrapLine } from './textWrap.js';

/** The report as machines read it: as run, plus the orders by outcome under names that say what they count. */
export function reportForMachines(
  report: ScenarioReport,
): ScenarioReport & { orders: ReturnType<typeof orderCountsJson> } {
  return { ...report, orders: orderCountsJson(report.workload) };
}

/** The `--json` line: the report minus the bulky samples and history (those go to `--report DIR`). */
export function jsonLine(report: ScenarioReport): string {
  const { samples: _samples, history: _history, ...rest } = reportForMachines(report);
  return JSON.stringify(rest);
}

/** The operation history as JSON lines (`--report DIR` writes it beside the report): one operation a line. */
export function historyJsonl(report: ScenarioReport): string {
  return report.history.map((op) => `${JSON.stringify(op)}\n`).join('');
}

/** Each read model an order changes: how long accepted orders took to become visible there. */
function latencyLines(r: ScenarioReport): string[] {
  const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
  return Object.entries(r.latency).map(([m, l]) => {
    const never = l.neverVisible > 0 ? `, ${l.neverVisible} never visible` : '';
    return `    ${pad(m, 24)} order visible after p50 ${ms(l.p50Ms)}, p95 ${ms(l.p95Ms)}, p99 ${ms(l.p99Ms)}, max ${ms(l.maxMs)} (${l.orders} orders${never})`;
  });
}

/**
 * Why the seed alone will not replay this run, if it will not: actions taken from the dashboard are not in the
 * scenario file. Null when the seed is enough.
 */
export function notReproducible(r: Pick<ScenarioReport, 'liveActions'>): string | null {
  return r.liveActions > 0
    ? `not reproducible by seed alone (${r.liveActions} live action${r.liveActions === 1 ? '' : 's'})`
    : null;
}

/** The verdict line: PASS/FAIL, the run, and whether its seed replays it. */
export function verdictLine(r: ScenarioReport): string {
  const live = notReproducible(r);
  return `${r.verdict === 'pass' ? 'PASS' : 'FAIL'} ${r.scenario} (seed ${r.seed}, ${(r.durationMs / 1000).toFixed(1)} s, ${r.events.stream} events)${live ? ` — ${live}` : ''}`;
}

/** The timeline as the text report lists it: time on the scenario clock, what happened, live actions marked. */
function timelineLines(r: ScenarioReport): string[] {
  if (r.timeline.length === 0) return [];
  return [
    '  timeline:',
    ...r.timeline.map(
      (t) =>
        `    ${`${(t.atMs / 1000).toFixed(1)} s`.padStart(8)}  ${t.label}${t.live && !t.label.includes('(live)') ? ' (live)' : ''}`,
    ),
  ];
}

/**
 * Progress, once a second: time, phase and every order by outcome on the first line; each model's lag and the
 * active faults on the second. Each line wraps rather than run past 120 columns.
 */
export function progressLine(name: string, p: Progress): string {
  const lags = READ_MODELS.map((m) => `${READ_MODEL_INFO[m].shortName} ${p.lagEvents[m]}`).join(', ');
  const faults = p.activeFaults.length > 0 ? p.activeFaults.join('; ') : 'no active faults';
  const first = `[${name}] ${(p.elapsedMs / 1000).toFixed(1).padStart(5)} s  ${p.phase.padEnd(8)}  orders ${orderOutcomes(p.orders)}`;
  return [...wrapLine(first), ...wrapLine(`    lag ${lags}  | ${faults}`, LINE_WIDTH_MAX, '      ')].join('\n');
}

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));

/** Widest a summary-table column gets before its cells wrap (the last column takes what is left of 120). */
const SUMMARY_COLUMNS: readonly { readonly title: string; readonly widthMax: number }[] = [
  { title: 'scenario', widthMax: 34 },
  { title: 'verdict', widthMax: 7 },
  { title: 'converged', widthMax: 9 },
  { title: 'placed', widthMax: 7 },
  { title: 'refused', widthMax: 26 },
  { title: 'failed', widthMax: 6 },
  { title: 'failed properties', widthMax: LINE_WIDTH_MAX },
];

/** `deadLetters:customer-order-summary`, `violation:rebuildEqualsIncremental`: the longest names, whole. */
const FAILED_PROPERTIES_WIDTH_MIN = 36;

/**
 * The table printed after all scenarios ran: verdict, convergence and every order by outcome per scenario, within
 * 120 columns: a cell wider than its column wraps onto the row's next line, in its column; the failed properties
 * go on lines of their own under the row when they have too little room beside it.
 */
export function summaryTable(reports: readonly ScenarioReport[]): string {
  const rows = [SUMMARY_COLUMNS.map((c) => c.title)];
  for (const r of reports) {
    const failed = r.properties.filter((p) => !p.holds).map((p) => p.name);
    rows.push([
      r.scenario,
      `${r.verdict.toUpperCase()}${r.liveActions > 0 ? '*' : ''}`,
      r.convergedAfterMs === null ? 'never' : `${r.convergedAfterMs} ms`,
      String(r.workload.placed),
      refusedText(r.workload, 'short').replace(' refused', ''),
      String(r.workload.failed),
      failed.length === 0 ? '-' : failed.join(', '),
    ]);
  }
  const widths = SUMMARY_COLUMNS.map((c, i) =>
    Math.min(c.widthMax, Math.max(...rows.map((row) => (row[i] ?? '').length))),
  );
  const fixed = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0);
  // Room for the longest property name beside the row, or else the failed properties go on lines below it.
  const beside = LINE_WIDTH_MAX - fixed >= FAILED_PROPERTIES_WIDTH_MIN;
  widths[widths.length - 1] = LINE_WIDTH_MAX - fixed;
  return rows
    .flatMap((row, r) => {
      const shown = beside ? row : row.slice(0, -1);
      const cells = shown.map((cell, i) => wrapLine(cell, widths[i] ?? cell.length, ''));
      const height = Math.max(...cells.map((c) => c.length));
      const lines = Array.from({ length: height }, (_, k) =>
        cells
          .map((c, i) => pad(c[k] ?? '', widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      );
      const failed = row[row.length - 1] ?? '-';
      return beside || r === 0 || failed === '-'
        ? lines
        : [...lines, ...wrapLine(`    failed: ${failed}`, LINE_WIDTH_MAX, '      ')];
    })
    .concat(
      reports.some((r) => r.liveActions > 0)
        ? ['* not reproducible by seed alone: live actions from the dashboard (listed in its report’s timeline)']
        : [],
    )
    .join('\n');
}

/** Examples printed per model at the end of a report (the JSON keeps all of its examples). */
const TEXT_EXAMPLES_MAX = 3;

/**
 * A diverged model's offending keys, one line each: for a wrong or duplicated value only the fields that differ
 * (`wrong ord_1: items[0].productName: expected "Product 0", actual null`), else which side lacks the key.
 */
function exampleLines(examples: readonly DivergenceExample[]): string[] {
  return examples.slice(0, TEXT_EXAMPLES_MAX).map((e) => {
    const what =
      e.diff && e.diff.length > 0
        ? e.diff.map(fieldDiffText).join('; ')
        : e.bucket === 'missing'
          ? 'in the oracle, not in the model'
          : e.bucket === 'unexpected'
            ? 'in the model, not in the oracle'
            : fieldDiffText({ path: '', expected: e.expected, actual: e.actual });
    return `    ${pad('', 24)} ${e.bucket} ${e.key}: ${what}`;
  });
}

/** The per-scenario detail printed without `--json`: every property with its detail, and each model's buckets. */
export function scenarioDetail(r: ScenarioReport): string {
  const lines = [verdictLine(r)];
  lines.push(
    `  orders: ${orderOutcomes(r.workload)}${r.workload.lastFailure === null ? '' : ` (last failure: ${r.workload.lastFailure})`}`,
  );
  for (const p of r.properties) lines.push(`  ${p.holds ? '✓' : '✗'} ${p.name}: ${p.detail}`);
  for (const line of attributionLines(r.attribution)) lines.push(`  → ${line}`);
  for (const line of pluginLines(r.plugins)) lines.push(`  plug-in ${line}`);
  for (const finding of r.brokerFindings) lines.push(`  ⚠ broker finding: ${finding}`);
  for (const m of READ_MODELS) {
    const x = r.models[m];
    const d = x.divergence;
    // Two lines a model: one line would run past 120 columns as soon as the numbers grow.
    lines.push(
      `    ${pad(m, 24)} ok ${d.ok}, missing ${d.missing}, unexpected ${d.unexpected}, wrong ${d.wrong}, duplicated ${d.duplicated}`,
    );
    lines.push(
      `    ${pad('', 24)} max lag ${x.maxLagEvents} events, redeliveries ${x.redeliveries}, dead letters ${x.deadLetters}`,
    );
    lines.push(...exampleLines(d.examples));
  }
  lines.push(...latencyLines(r));
  lines.push(...timelineLines(r));
  return wrapBlock(lines);
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
    return (
      `  <testsuite name="${xml(r.scenario)}" tests="${r.properties.length}" failures="${failed}" time="${(r.durationMs / 1000).toFixed(3)}">\n` +
      `    <properties><property name="seed" value="${r.seed}"/><property name="file" value="${xml(r.file)}"/><property name="liveActions" value="${r.liveActions}"/></properties>\n${cases.join('\n')}\n  </testsuite>`
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cqrs-testbed" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}
