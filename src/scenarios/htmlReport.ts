/**
 * `--report DIR`'s `index.html`: one self-contained page per run (no script, no network: hand-written SVG and a
 * little CSS), readable in a browser and printable. Per scenario: the verdict table, then every chart on one time
 * axis with the faults as shaded windows (live dashboard actions in yellow) and the convergence point marked — lag and
 * divergent keys per read model, orders and events per second — then the convergence latency, the offending keys
 * as the fields that differ, and the timeline.
 */
import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import { fieldDiffText } from './fieldDiff.js';
import type { ReportedStep } from './runRecorder.js';
import type { ScenarioReport } from './runTypes.js';

const COLORS: Readonly<Record<ReadModelName, string>> = {
  'product-inventory': '#1f77b4',
  products: '#2ca02c',
  'customer-order-summary': '#d62728',
};
const WIDTH = 860;
const HEIGHT = 170;
const MARGIN = { left: 52, right: 12, top: 10, bottom: 24 };

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

/** A window of the run a fault covered (start to end, or to the end of the axis if it never ended). */
interface Band {
  readonly fromMs: number;
  readonly toMs: number;
  readonly label: string;
  readonly live: boolean;
}

/** Pairs each fault start with its end by key; steps without a partner are markers. */
export function faultBands(timeline: readonly ReportedStep[], endMs: number): { bands: Band[]; marks: ReportedStep[] } {
  const bands: Band[] = [];
  const marks: ReportedStep[] = [];
  const open = new Map<string, ReportedStep>();
  for (const step of timeline) {
    if (step.phase === 'fault-start' && step.key !== undefined) open.set(step.key, step);
    else if (step.phase === 'fault-end' && step.key !== undefined && open.has(step.key)) {
      const start = open.get(step.key);
      open.delete(step.key);
      if (start) bands.push({ fromMs: start.atMs, toMs: step.atMs, label: start.label, live: start.live });
    } else marks.push(step);
  }
  for (const start of open.values())
    bands.push({ fromMs: start.atMs, toMs: endMs, label: start.label, live: start.live });
  return { bands, marks };
}

/** One chart: lines over scenario time, the fault windows shaded behind them, convergence as a dashed line. */
function chart(
  title: string,
  series: readonly Series[],
  axis: { readonly endMs: number; readonly bands: readonly Band[]; readonly convergedAtMs: number | null },
): string {
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  const yMax = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)));
  const x = (ms: number) => MARGIN.left + (Math.min(ms, axis.endMs) / axis.endMs) * w;
  const y = (v: number) => MARGIN.top + h - (v / yMax) * h;
  const bands = axis.bands
    .map(
      (b) =>
        `<rect class="band${b.live ? ' live' : ''}" x="${x(b.fromMs).toFixed(1)}" y="${MARGIN.top}" width="${Math.max(1, x(b.toMs) - x(b.fromMs)).toFixed(1)}" height="${h}"><title>${esc(b.label)}</title></rect>`,
    )
    .join('');
  const lines = series
    .filter((s) => s.points.length > 0)
    .map(
      (s) =>
        `<polyline class="series" data-series="${esc(s.name)}" fill="none" stroke="${s.color}" stroke-width="1.6" points="${s.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ')}"><title>${esc(s.name)}</title></polyline>`,
    )
    .join('');
  const converged =
    axis.convergedAtMs === null
      ? ''
      : `<line class="converged" x1="${x(axis.convergedAtMs)}" x2="${x(axis.convergedAtMs)}" y1="${MARGIN.top}" y2="${MARGIN.top + h}"><title>converged at ${(axis.convergedAtMs / 1000).toFixed(1)} s</title></line>`;
  const ticks = Array.from({ length: 6 }, (_, i) => (axis.endMs * i) / 5)
    .map((ms) => `<text x="${x(ms)}" y="${HEIGHT - 6}" text-anchor="middle">${(ms / 1000).toFixed(1)} s</text>`)
    .join('');
  const legend = series
    .map((s) => `<span class="key"><i style="background:${s.color}"></i>${esc(s.name)}</span>`)
    .join(' ');
  return `<figure><figcaption>${esc(title)} <small>(max ${yMax})</small> ${legend}</figcaption>
<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="${esc(title)}">
<rect class="plot" x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}"/>${bands}${lines}${converged}
<text x="${MARGIN.left - 6}" y="${MARGIN.top + 10}" text-anchor="end">${yMax}</text><text x="${MARGIN.left - 6}" y="${MARGIN.top + h}" text-anchor="end">0</text>${ticks}
</svg></figure>`;
}

/** Per-second counts of the history's operations of one kind and outcome. */
function perSecond(r: ScenarioReport, keep: (op: ScenarioReport['history'][number]) => boolean): [number, number][] {
  const bins = new Map<number, number>();
  for (const op of r.history)
    if (keep(op)) bins.set(Math.floor(op.completeMs / 1000), (bins.get(Math.floor(op.completeMs / 1000)) ?? 0) + 1);
  const last = Math.max(0, ...bins.keys());
  return Array.from({ length: last + 1 }, (_, s) => [s * 1000 + 500, bins.get(s) ?? 0]);
}

function eventsPerSecond(r: ScenarioReport): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 1; i < r.samples.length; i++) {
    const a = r.samples[i - 1];
    const b = r.samples[i];
    if (a && b && b.atMs > a.atMs)
      out.push([b.atMs, Math.max(0, ((b.headSeq - a.headSeq) * 1000) / (b.atMs - a.atMs))]);
  }
  return out.map(([t, v]) => [t, Math.round(v)]);
}

function table(head: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  if (rows.length === 0) return '';
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** The body of one scenario's report (a section of the page). */
function scenarioSection(r: ScenarioReport): string {
  const endMs = Math.max(1, r.durationMs, ...r.samples.map((s) => s.atMs));
  const { bands, marks } = faultBands(r.timeline, endMs);
  const axis = { endMs, bands, convergedAtMs: r.convergedAtMs };
  const perModel = (value: (s: ScenarioReport['samples'][number], m: ReadModelName) => number): Series[] =>
    READ_MODELS.map((m) => ({
      name: m,
      color: COLORS[m],
      points: r.samples.map((s) => [s.atMs, value(s, m)] as const),
    }));
  const verdict = table(
    ['property', 'holds', 'detail'],
    r.properties.map((p) => [esc(p.name), p.holds ? '<b class="ok">✓</b>' : '<b class="bad">✗</b>', esc(p.detail)]),
    'verdict',
  );
  const latency = table(
    ['read model', 'orders', 'p50', 'p95', 'p99', 'max', 'never visible'],
    Object.entries(r.latency).map(([m, l]) => [
      esc(m),
      String(l.orders),
      ms(l.p50Ms),
      ms(l.p95Ms),
      ms(l.p99Ms),
      ms(l.maxMs),
      String(l.neverVisible),
    ]),
  );
  const diffs = table(
    ['read model', 'bucket', 'key', 'what differs'],
    READ_MODELS.flatMap((m) =>
      r.models[m].divergence.examples.map((e) => [
        esc(m),
        esc(e.bucket),
        `<code>${esc(e.key)}</code>`,
        e.diff && e.diff.length > 0
          ? e.diff.map((d) => `<code>${esc(fieldDiffText(d))}</code>`).join('<br>')
          : esc(e.bucket === 'missing' ? 'in the oracle, not in the model' : 'in the model, not in the oracle'),
      ]),
    ),
    'diffs',
  );
  const timeline = table(
    ['at', 'step'],
    r.timeline.map((t) => [`${(t.atMs / 1000).toFixed(1)} s`, `${esc(t.label)}${t.live ? ' <i>(live)</i>' : ''}`]),
  );
  const o = r.workload;
  return `<section class="scenario" id="${esc(r.scenario)}">
<h1><span class="${r.verdict === 'pass' ? 'ok' : 'bad'}">${r.verdict.toUpperCase()}</span> ${esc(r.scenario)} <small>seed ${r.seed}, ${(r.durationMs / 1000).toFixed(1)} s, ${r.events.stream} events</small></h1>
<p>orders: ${o.placed} placed, ${o.rejected + o.unavailable + o.invalid} refused, ${o.failed} failed · converged ${r.convergedAfterMs === null ? 'never' : `${r.convergedAfterMs} ms after the last heal`}${marks.length > 0 ? ` · ${marks.length} instant step(s) on the timeline` : ''}</p>
${verdict}
${r.brokerFindings.map((f) => `<p class="finding">⚠ broker finding: ${esc(f)}</p>`).join('\n')}
${r.attribution
  .filter((a) => a.verdict !== 'ok')
  .map((a) => `<p class="bad">→ ${esc(a.model)}: ${esc(a.detail)}</p>`)
  .join('\n')}
<h2>Over time <small>(red: faults; yellow: live actions from the dashboard; dashed: converged)</small></h2>
${chart(
  'lag, events behind the head',
  perModel((s, m) => s.models[m].lagEvents),
  axis,
)}
${chart(
  'divergent keys (vs the oracle)',
  perModel((s, m) => s.models[m].divergent),
  axis,
)}
${chart(
  'orders per second',
  [
    {
      name: 'accepted',
      color: '#2ca02c',
      points: perSecond(r, (op) => op.type === 'place-order' && op.outcome === 'ok'),
    },
    {
      name: 'refused',
      color: '#ff7f0e',
      points: perSecond(r, (op) => op.type === 'place-order' && op.outcome === 'fail'),
    },
    {
      name: 'unknown (unavailable)',
      color: '#7f7f7f',
      points: perSecond(r, (op) => op.type === 'place-order' && op.outcome === 'info'),
    },
  ],
  axis,
)}
${chart('events per second (stream head)', [{ name: 'events', color: '#9467bd', points: eventsPerSecond(r) }], axis)}
<h2>Convergence latency <small>(from an order's 201 to its first visibility)</small></h2>
${latency || '<p>no accepted orders</p>'}
${diffs ? `<h2>Offending keys</h2>${diffs}` : ''}
<h2>Timeline</h2>
${timeline || '<p>no faults</p>'}
</section>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:900px}
h1{font-size:20px}h2{font-size:16px;margin-top:22px}small{color:#666;font-weight:normal}
.ok{color:#2a7d2a}.bad{color:#b22}.finding{color:#a60}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
figure{margin:8px 0}figcaption{font-size:13px}.key{margin-left:10px}.key i{display:inline-block;width:10px;height:10px;margin-right:4px}
svg text{font-size:10px;fill:#555}.plot{fill:#fafafa;stroke:#ddd}.band{fill:#f4c7c3;opacity:.55}.band.live{fill:#f9e0a0}
.converged{stroke:#333;stroke-dasharray:4 3}code{font-size:12px}
@media print{body{margin:0}section{page-break-after:always}}`;

/** A whole page: one scenario's report, or several with an index of links at the top. */
export function htmlReport(reports: readonly ScenarioReport[]): string {
  const index =
    reports.length > 1
      ? `<nav><h1>${reports.length} scenarios</h1><ul>${reports
          .map((r) => `<li><a href="#${esc(r.scenario)}">${esc(r.scenario)}</a> — ${r.verdict.toUpperCase()}</li>`)
          .join('')}</ul></nav>`
      : '';
  const title = reports.length === 1 ? `${reports[0]?.scenario ?? ''} — cqrs-testbed` : 'cqrs-testbed reports';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>${index}
${reports.map(scenarioSection).join('\n')}
</body></html>
`;
}
