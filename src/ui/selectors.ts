import type { ConsumerState } from '../actors/consumerStatus.js';
import { perReadModel, READ_MODEL_INFO, READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import { orderOutcomes, refusedCount } from '../scenarios/orderCounts.js';
import { notReproducible } from '../scenarios/reports.js';
import { type ScenarioReport } from '../scenarios/runTypes.js';
import type { ProcessTelemetry, Telemetry } from '../scenarios/telemetry.js';
import { count, padEnd, padStart, rate, seconds, sparkline } from './format.js';
import { divergenceSeries, ratesOf, unexplainedCount, type History } from './history.js';

/** What the dashboard keeps of the final report: verdicts and the models as judged. */
export type FinalReport = Pick<
  ScenarioReport,
  | 'scenario'
  | 'seed'
  | 'verdict'
  | 'properties'
  | 'convergedAfterMs'
  | 'durationMs'
  | 'models'
  | 'events'
  | 'liveActions'
>;

/** How a value should look; components map tones to colours. */
export type Tone = 'ok' | 'busy' | 'warn' | 'bad' | 'muted';

export const SHORT_NAMES: Readonly<Record<ReadModelName, string>> = perReadModel((m) => READ_MODEL_INFO[m].shortName);

export function stateTone(state: ConsumerState): Tone {
  switch (state) {
    case 'idle':
      return 'ok';
    case 'catchingUp':
    case 'rebuilding':
    case 'replayingDeadLetters':
      return 'busy';
    case 'backingOff':
    case 'waitingForDependency':
      return 'warn';
    case 'stopped':
    case 'down':
    case 'failed':
      return 'bad';
    case 'starting':
      return 'muted';
    default: {
      const never: never = state;
      return never;
    }
  }
}

const SHORT_STATE: Partial<Record<ConsumerState, string>> = {
  waitingForDependency: 'waitingForDep',
  replayingDeadLetters: 'replayingDLQ',
};

/** The table's number columns, by title. `stale` is divergence the lag explains; the four after it, what it does not. */
export type NumberColumn = 'ok' | 'stale' | 'miss' | 'unexp' | 'wrong' | 'dup' | 'lag' | 'lag ms' | 'redel' | 'dead';

/** Column widths for a terminal `columns` wide: the wide table carries its sparkline inline, the narrow one below. */
export interface TableLayout {
  /** No sparkline column (a block of sparklines follows the table), no `lag ms`: 80 columns. */
  readonly narrow: boolean;
  /** State names shortened (`waitingForDep`). */
  readonly shortStates: boolean;
  readonly nameWidth: number;
  readonly stateWidth: number;
  readonly numbers: readonly { readonly title: NumberColumn; readonly width: number }[];
  /** Width of the inline sparkline column (0: none; the narrow layout shows sparklines in their own block). */
  readonly sparkWidth: number;
}

const numberColumns = (narrow: boolean): TableLayout['numbers'] => [
  { title: 'ok', width: 6 },
  { title: 'stale', width: 6 },
  { title: 'miss', width: 6 },
  { title: 'unexp', width: 6 },
  { title: 'wrong', width: 6 },
  { title: 'dup', width: 5 },
  { title: 'lag', width: narrow ? 6 : 7 },
  ...(narrow ? [] : [{ title: 'lag ms', width: 8 } as const]),
  { title: 'redel', width: 6 },
  { title: 'dead', width: 5 },
];

export function tableLayout(columns: number): TableLayout {
  const full = { narrow: false, shortStates: false, nameWidth: 23, stateWidth: 21, numbers: numberColumns(false) };
  const fixed = (l: Omit<TableLayout, 'sparkWidth'>) =>
    2 + l.nameWidth + l.stateWidth + l.numbers.reduce((s, c) => s + c.width, 0) + 1;
  if (columns - fixed(full) >= 10) return { ...full, sparkWidth: columns - fixed(full) };
  const short = { ...full, shortStates: true, nameWidth: 10, stateWidth: 14 };
  if (columns - fixed(short) >= 8) return { ...short, sparkWidth: columns - fixed(short) };
  return {
    narrow: true,
    shortStates: true,
    nameWidth: 10,
    stateWidth: 14,
    numbers: numberColumns(true),
    sparkWidth: 0,
  };
}

export interface ModelRow {
  readonly name: ReadModelName;
  readonly label: string;
  readonly selected: boolean;
  readonly state: string;
  readonly tone: Tone;
  /** The right-aligned number cells, in `TableLayout.numbers` order. */
  readonly cells: readonly { readonly title: NumberColumn; readonly text: string }[];
  /** Keys that differ from the oracle only through events not applied yet: expected while the model lags. */
  readonly stale: number;
  /** Keys that differ in a way the lag does not explain: lost, unexpected, wrong or duplicated. */
  readonly divergent: number;
  readonly spark: string;
  /** Red when something is wrong, yellow when only stale, green when equal to the oracle. */
  readonly sparkTone: Tone;
}

export function tableHeader(layout: TableLayout): string {
  const nums = layout.numbers.map((c) => padStart(c.title, c.width)).join('');
  return `  ${padEnd(layout.nameWidth >= 23 ? 'read model' : 'model', layout.nameWidth)}${padEnd('state', layout.stateWidth)}${nums}${layout.sparkWidth > 0 ? ` ${padEnd('divergence', layout.sparkWidth - 1)}` : ''}`;
}

/** One row per read model: divergence buckets, lag, consumer state, retries; the report's values once judged. */
export function modelRows(
  t: Telemetry,
  history: History,
  layout: TableLayout,
  selected: ReadModelName,
  report?: FinalReport,
  sparkWidth = layout.sparkWidth - 1,
): ModelRow[] {
  return READ_MODELS.map((name) => {
    const m = t.models[name];
    const judged = report?.models[name];
    // Once judged, the run is over: nothing is still to be applied, and every difference counts.
    const d = judged ? { ...judged.divergence, notYetApplied: 0 } : m.divergence;
    const lagEvents = judged?.lagEvents ?? m.lagEvents;
    const state = judged?.state ?? m.state;
    const values: Record<NumberColumn, number> = {
      ok: d.ok,
      stale: d.notYetApplied,
      miss: d.missing,
      unexp: d.unexpected,
      wrong: d.wrong,
      dup: d.duplicated,
      lag: lagEvents,
      'lag ms': lagEvents === 0 ? 0 : m.lagMs,
      redel: judged?.redeliveries ?? m.redeliveries,
      dead: judged?.deadLetters ?? m.deadLetters,
    };
    const label = layout.nameWidth >= 23 ? name : SHORT_NAMES[name];
    const divergent = unexplainedCount(d);
    return {
      name,
      label: padEnd(label, layout.nameWidth),
      selected: name === selected,
      state: padEnd(layout.shortStates ? (SHORT_STATE[state] ?? state) : state, layout.stateWidth),
      tone: stateTone(state),
      cells: layout.numbers.map((c) => ({ title: c.title, text: padStart(count(values[c.title]), c.width) })),
      stale: d.notYetApplied,
      divergent,
      spark: sparkWidth > 0 ? sparkline(divergenceSeries(history, name), sparkWidth) : '',
      sparkTone: divergent > 0 ? 'bad' : d.notYetApplied > 0 ? 'warn' : 'ok',
    };
  });
}

export interface HeaderView {
  readonly title: string;
  readonly clock: string;
  readonly phase: string;
  readonly broker: string;
  readonly brokerTone: Tone;
  readonly traffic: string;
  /** Why the numbers may be old, if they are. */
  readonly staleness: string | null;
  /** The service processes (the processes topology only): each pid, what is down, what restarted. */
  readonly processes: { readonly text: string; readonly tone: Tone } | null;
}

export function brokerView(t: Telemetry): { text: string; tone: Tone } {
  if (t.brokerPaused) return { text: 'broker paused', tone: 'bad' };
  if (t.brokerNodes && t.brokerNodes.length > 0) return clusterView(t.brokerNodes);
  switch (t.broker) {
    case 'connected':
      return { text: 'broker connected', tone: 'ok' };
    case 'reconnecting':
      return { text: 'broker reconnecting', tone: 'warn' };
    case 'disconnected':
    case 'closed':
      return { text: `broker ${t.broker}`, tone: 'bad' };
    default: {
      const never: never = t.broker;
      return { text: String(never), tone: 'muted' };
    }
  }
}

/** A broker cluster: nodes up, which are down, the stream leader; bad once a majority is lost or none leads. */
function clusterView(nodes: readonly { name: string; up: boolean; leader: boolean }[]): { text: string; tone: Tone } {
  const down = nodes.filter((n) => !n.up).map((n) => n.name);
  const leader = nodes.find((n) => n.leader)?.name;
  const upCount = nodes.length - down.length;
  const text =
    `brokers ${upCount}/${nodes.length} up${down.length > 0 ? ` (${down.join(', ')} down)` : ''}` +
    (leader ? `, leader ${leader}` : ', no stream leader');
  const tone: Tone = upCount * 2 <= nodes.length || !leader ? 'bad' : down.length > 0 ? 'warn' : 'ok';
  return { text, tone };
}

/** Every service process in a line: its pid, or down (given up), and how often it was restarted. */
export function processesView(
  processes: readonly ProcessTelemetry[] | undefined,
): { readonly text: string; readonly tone: Tone } | null {
  if (!processes || processes.length === 0) return null;
  const each = processes.map((p) => {
    const state = p.gaveUp ? 'gave up' : p.pid < 0 ? 'down' : `pid ${p.pid}${p.frozen ? ' frozen' : ''}`;
    return `${p.name} ${state}${p.restarts > 0 ? ` (restarted ${p.restarts}×)` : ''}`;
  });
  const tone: Tone = processes.some((p) => p.pid < 0 || p.gaveUp || p.frozen)
    ? 'bad'
    : processes.some((p) => p.restarts > 0)
      ? 'warn'
      : 'ok';
  return { text: `processes: ${each.join(', ')}`, tone };
}

/** The two header lines: what runs, the scenario clock, the broker, and the traffic. */
export function headerView(
  t: Telemetry,
  history: History,
  columns: number,
  report?: FinalReport,
  noDataForMs = 0,
): HeaderView {
  const rates = ratesOf(history);
  const broker = brokerView(t);
  const what = t.source === 'run' ? `${t.scenario ?? '?'} (seed ${t.seed ?? '?'})` : 'attached to a running system';
  const title = columns >= 100 ? `cqrs-testbed · ${what}` : what;
  const clock =
    t.workloadMs === null ? `up ${seconds(t.elapsedMs)}` : `${seconds(t.elapsedMs)} / ${seconds(t.workloadMs)}`;
  const phase = report ? 'done' : t.phase;
  const outboxes = `outbox orders ${count(t.outboxBacklog.orders)}, inventory ${count(t.outboxBacklog.inventory)}`;
  const outbox = `outbox ${count(t.outboxBacklog.orders)}/${count(t.outboxBacklog.inventory)}`;
  // Every order by outcome, refusals with their reasons: those come before the head and outbox details when the
  // line is short of room, since a refusal is what a reader needs explained.
  const outcomes = orderOutcomes(t.orders, 'short', count);
  const orders = `orders ${rate(rates.ordersPerSecond)}/s: ${outcomes}`;
  const events = `events ${rate(rates.eventsPerSecond)}/s`;
  const head = `${events} (head ${count(t.headSeq)})`;
  const variants = [
    `${orders} · ${head} · ${outboxes}`,
    `${orders} · ${head} · ${outbox}`,
    `${orders} · ${events} · ${outbox}`,
    `${outcomes} · ${events} · ${outbox}`,
    `${outcomes} · ${outbox}`,
    `${count(t.orders.placed)} placed, ${count(refusedCount(t.orders))} refused, ${count(t.orders.failed)} failed · ${events} · ${outbox}`,
  ];
  const staleness =
    noDataForMs >= 2_000
      ? `no telemetry for ${seconds(noDataForMs)}`
      : t.stale && !report
        ? columns >= 100
          ? 'stale: the broker is silent'
          : 'stale'
        : null;
  const room = columns - (staleness ? staleness.length + 4 : 0);
  const traffic = variants.find((v) => v.length < room) ?? variants[variants.length - 1] ?? '';
  const processes = processesView(t.processes);
  return { title, clock, phase, broker: broker.text, brokerTone: broker.tone, traffic, staleness, processes };
}

export interface PropertyItem {
  readonly name: string;
  readonly status: 'pending' | 'holds' | 'fails';
  readonly detail: string | null;
}

/**
 * Each expectation's verdict as far as it is known: from the final report once there is one; before that, pending —
 * except an inventory that went negative, which the oracle knows the moment it reads it.
 */
export function propertyItems(t: Telemetry, report?: FinalReport): PropertyItem[] {
  if (report)
    return report.properties.map((p) => ({ name: p.name, status: p.holds ? 'holds' : 'fails', detail: p.detail }));
  return t.expectations.map((name): PropertyItem => {
    if (t.firstNegative && (name === 'inventoryNeverNegative' || name === 'violation:inventoryNeverNegative')) {
      const detail = `${t.firstNegative.productId} went to ${t.firstNegative.quantity} at seq ${t.firstNegative.seq}`;
      return { name, status: name === 'inventoryNeverNegative' ? 'fails' : 'holds', detail };
    }
    return { name, status: 'pending', detail: null };
  });
}

export const PROPERTY_MARK: Readonly<Record<PropertyItem['status'], string>> = { pending: '…', holds: '✓', fails: '✗' };

export function verdictView(t: Telemetry, report?: FinalReport): { text: string; tone: Tone } {
  if (t.source === 'up')
    return { text: 'no scenario: divergence is against the oracle folded from the stream', tone: 'muted' };
  if (!report) return { text: 'running: properties are judged once the system has settled', tone: 'muted' };
  const converged =
    report.convergedAfterMs === null
      ? 'never converged'
      : `converged ${report.convergedAfterMs} ms after the load and faults ended`;
  const failed = report.properties.find((p) => !p.holds);
  const tail = failed ? `✗ ${failed.name}: ${failed.detail}` : converged;
  // First, before a detail that may be cut at the terminal's edge: a reader replaying the seed must know.
  const live = notReproducible(report);
  return {
    text: `${report.verdict.toUpperCase()} (${seconds(report.durationMs)}, ${report.events.stream} events)${live ? ` · ${live}` : ''} · ${tail}`,
    tone: report.verdict === 'pass' ? 'ok' : 'bad',
  };
}
