import { describe, expect, it } from 'vitest';
import type { Telemetry } from '../../src/scenarios/telemetry.js';
import { count, packLines, padEnd, sparkline } from '../../src/ui/format.js';
import { appendHistory, emptyHistory, ratesOf } from '../../src/ui/history.js';
import { helpItems, keyCommand } from '../../src/ui/keys.js';
import { dashboardLayout } from '../../src/ui/layout.js';
import {
  headerView,
  modelRows,
  processesView,
  propertyItems,
  tableHeader,
  tableLayout,
  verdictView,
} from '../../src/ui/selectors.js';
import { timelineWindow } from '../../src/ui/timelineView.js';
import { converged, historyUpTo, midFault, passed } from './uiFixtures.js';

// The dashboard's selectors: everything it shows is computed here from telemetry, without React or a terminal.

describe('sparkline', () => {
  it('draws zero as the lowest bar and any divergence at least one bar higher, scaled to the maximum', () => {
    expect(sparkline([0, 0, 1, 50, 100], 5)).toBe('▁▁▂▅█');
  });

  it('folds a long series into the width keeping each bucket’s maximum, so a short spike stays visible', () => {
    const series = [...Array<number>(50).fill(0), 19, ...Array<number>(49).fill(0)];
    const line = sparkline(series, 10);
    expect(line).toHaveLength(10);
    expect(line).toBe('▁▁▁▁▁█▁▁▁▁');
  });

  it('scales to at least 10: a one-event blip is a low bar, not a full one', () => {
    expect(sparkline([0, 0, 1, 0, 0], 5)).toBe('▁▁▃▁▁');
    expect(sparkline([0, 10, 5], 3)).toBe('▁█▅');
    expect(sparkline([0, 3], 2)).toBe('▁▄');
  });

  it('right-aligns a short series: time runs left to right up to now', () => {
    expect(sparkline([0, 30], 4)).toBe('  ▁█');
    expect(sparkline([1, 2], 0)).toBe('');
  });
});

describe('format', () => {
  it('keeps counts within five characters', () => {
    expect([count(0), count(99_999), count(123_456), count(12_345_678)]).toEqual(['0', '99999', '123k', '12.3M']);
  });

  it('packs items into lines that fit, the first after a lead', () => {
    expect(packLines(['aaaa', 'bbbb', 'cccc'], 14, 4)).toEqual([['aaaa', 'bbbb'], ['cccc']]);
    expect(packLines(['aaaa', 'bbbb', 'cccc'], 13, 4)).toEqual([['aaaa'], ['bbbb'], ['cccc']]);
    expect(padEnd('customer-order-summary', 10)).toBe('customer-…');
  });
});

describe('history', () => {
  it('measures orders and events per second of scenario time over the last two seconds', () => {
    const h = historyUpTo(midFault);
    const r = ratesOf(h);
    expect(r.ordersPerSecond).toBeGreaterThan(35);
    expect(r.ordersPerSecond).toBeLessThan(45);
    expect(r.eventsPerSecond).toBeGreaterThan(100);
  });

  it('starts over for another scenario or when time goes back, and stays bounded', () => {
    let h = appendHistory(emptyHistory, midFault);
    h = appendHistory(h, { ...midFault, elapsedMs: 3_750 });
    expect(h.points).toHaveLength(2);
    expect(appendHistory(h, { ...midFault, scenario: 'other' }).points).toHaveLength(1);
    expect(appendHistory(h, { ...midFault, elapsedMs: 100 }).points).toHaveLength(1);
    for (let i = 0; i < 20; i++) h = appendHistory(h, { ...midFault, elapsedMs: 4_000 + i }, 5);
    expect(h.points).toHaveLength(5);
  });
});

describe('model table', () => {
  it.each([80, 100, 120, 160])('fits a %d-column terminal with a column to spare', (columns) => {
    const layout = tableLayout(columns);
    const rows = modelRows(
      midFault,
      historyUpTo(midFault),
      layout,
      'customer-order-summary',
      undefined,
      layout.sparkWidth - 1,
    );
    for (const r of rows) {
      const line = `${r.selected ? '› ' : '  '}${r.label}${r.state}${r.cells.map((c) => c.text).join('')}${r.spark ? ` ${r.spark}` : ''}`;
      expect(line.length).toBeLessThanOrEqual(columns - 1);
    }
    expect(tableHeader(layout).length).toBeLessThanOrEqual(columns - 1);
  });

  it('shows the faulted consumer stopped, its keys not yet applied (stale, not wrong), and lag in events and ms', () => {
    const layout = tableLayout(100);
    const summary = modelRows(midFault, historyUpTo(midFault), layout, 'customer-order-summary').find(
      (r) => r.name === 'customer-order-summary',
    );
    expect(summary).toMatchObject({
      label: 'summary   ',
      tone: 'bad',
      stale: 84,
      divergent: 0,
      sparkTone: 'warn',
      selected: true,
    });
    expect(summary?.state.trim()).toBe('stopped');
    expect(summary?.cells.map((c) => `${c.title}=${c.text.trim()}`)).toEqual([
      'ok=56',
      'stale=84',
      'miss=0',
      'unexp=0',
      'wrong=0',
      'dup=0',
      'lag=201',
      'lag ms=1543',
      'redel=0',
      'dead=0',
    ]);
    expect(summary?.spark.endsWith('█')).toBe(true);
  });

  it('tells wrong after catching up from stale: red only for what the lag does not explain', () => {
    const layout = tableLayout(100);
    const summaryModel = midFault.models['customer-order-summary'];
    const buggy: Telemetry = {
      ...midFault,
      models: {
        ...midFault.models,
        'customer-order-summary': {
          ...summaryModel,
          state: 'idle',
          lagEvents: 0,
          lagMs: 0,
          divergence: { ok: 130, notYetApplied: 0, missing: 0, unexpected: 0, wrong: 10, duplicated: 0 },
        },
      },
    };
    const summary = modelRows(buggy, emptyHistory, layout, 'products')[2];
    expect(summary).toMatchObject({ stale: 0, divergent: 10, sparkTone: 'bad' });
    expect(summary?.cells.find((c) => c.title === 'wrong')?.text.trim()).toBe('10');
    expect(modelRows(converged, emptyHistory, layout, 'products')[2]).toMatchObject({
      stale: 0,
      divergent: 0,
      sparkTone: 'ok',
    });
  });

  it('keeps a stale column at 80 columns, and drops the lag in ms there', () => {
    expect(tableLayout(80).numbers.map((c) => c.title)).toEqual([
      'ok',
      'stale',
      'miss',
      'unexp',
      'wrong',
      'dup',
      'lag',
      'redel',
      'dead',
    ]);
    expect(tableLayout(100).numbers.map((c) => c.title)).toContain('lag ms');
    expect(tableHeader(tableLayout(100))).toMatch(/ ok stale {2}miss unexp wrong {2}dup/);
  });

  it('uses full model names when the terminal is wide, short ones and short states when it is narrow', () => {
    expect(modelRows(midFault, emptyHistory, tableLayout(140), 'products')[2]?.label.trim()).toBe(
      'customer-order-summary',
    );
    const waiting: Telemetry = {
      ...midFault,
      models: {
        ...midFault.models,
        'customer-order-summary': { ...midFault.models['customer-order-summary'], state: 'waitingForDependency' },
      },
    };
    expect(modelRows(waiting, emptyHistory, tableLayout(80), 'products')[2]?.state.trim()).toBe('waitingForDep');
  });

  it('shows the report’s judged values once there is one', () => {
    const rows = modelRows(midFault, emptyHistory, tableLayout(100), 'products', passed);
    expect(rows[2]?.divergent).toBe(0);
    expect(rows[2]?.state.trim()).toBe('idle');
  });
});

describe('header', () => {
  it('names the run, the scenario clock and phase, the broker and the traffic', () => {
    const v = headerView(midFault, historyUpTo(midFault), 100);
    expect(v).toMatchObject({
      title: 'cqrs-testbed · flagship-summary-outage (seed 1)',
      clock: '3.5 s / 8.0 s',
      phase: 'workload',
      broker: 'broker connected',
      brokerTone: 'ok',
      staleness: null,
    });
    // Every order by outcome, and why the refused ones were refused (before the head and outbox details).
    expect(v.traffic).toMatch(
      /^orders \d+\/s: 140 placed, 1 refused \(1 out of stock\), 0 failed · events \d+\/s · outbox 0\/4$/,
    );
    const wide = headerView(midFault, historyUpTo(midFault), 140);
    expect(wide.traffic).toMatch(
      /^orders \d+\/s: 140 placed, 1 refused \(1 out of stock\), 0 failed · events \d+\/s \(head 444\) · outbox orders 0, inventory 4$/,
    );
  });

  it('says why orders were refused, on every width it can', () => {
    const orders = { placed: 119, rejected: 58, unavailable: 2, invalid: 1, failed: 3 };
    const t: Telemetry = { ...midFault, orders };
    for (const columns of [100, 120, 160]) {
      expect(headerView(t, emptyHistory, columns).traffic, String(columns)).toContain(
        '119 placed, 61 refused (58 out of stock, 2 unavailable, 1 invalid), 3 failed',
      );
    }
    const narrow = headerView(t, emptyHistory, 80).traffic;
    expect(narrow.length).toBeLessThan(80);
    expect(narrow).toMatch(/^119 placed, 61 refused, 3 failed · /);
  });

  it('says so when the broker is paused, the numbers are stale, or no telemetry arrives', () => {
    const paused = headerView({ ...midFault, brokerPaused: true, stale: true }, emptyHistory, 80);
    expect(paused).toMatchObject({ broker: 'broker paused', brokerTone: 'bad', staleness: 'stale' });
    expect(paused.traffic.length + '  (stale)'.length).toBeLessThan(80);
    expect(headerView({ ...midFault, stale: true }, emptyHistory, 100).staleness).toBe('stale: the broker is silent');
    expect(headerView(midFault, emptyHistory, 100, undefined, 4_200).staleness).toBe('no telemetry for 4.2 s');
    expect(headerView(converged, emptyHistory, 100, passed).phase).toBe('done');
  });
});

describe('broker cluster in the header', () => {
  const nodes = (up: boolean[], leader: number | undefined) =>
    up.map((u, i) => ({ name: `n${i}`, up: u, leader: i === leader }));
  const view = (brokerNodes: ReturnType<typeof nodes>) => headerView({ ...midFault, brokerNodes }, emptyHistory, 100);

  it('shows nodes up, the down ones by name, and the stream leader; the tone follows the quorum', () => {
    expect(view(nodes([true, true, true], 1))).toMatchObject({ broker: 'brokers 3/3 up, leader n1', brokerTone: 'ok' });
    expect(view(nodes([true, false, true], 0))).toMatchObject({
      broker: 'brokers 2/3 up (n1 down), leader n0',
      brokerTone: 'warn',
    });
    expect(view(nodes([false, false, true], undefined))).toMatchObject({
      broker: 'brokers 1/3 up (n0, n1 down), no stream leader',
      brokerTone: 'bad',
    });
    expect(view(nodes([true, true, true], undefined)).brokerTone).toBe('bad');
  });

  it('a single broker reads as before', () => {
    expect(headerView(midFault, emptyHistory, 100).broker).toBe('broker connected');
  });
});

describe('properties and verdict', () => {
  it('are pending while the run goes, then carry the report’s verdicts', () => {
    expect(propertyItems(midFault).map((p) => p.status)).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(verdictView(midFault).text).toMatch(/^running/);
    expect(propertyItems(converged, passed).every((p) => p.status === 'holds')).toBe(true);
    expect(verdictView(converged, passed)).toEqual({
      text: 'PASS (8.1 s, 978 events) · converged 96 ms after the load and faults ended',
      tone: 'ok',
    });
  });

  it('say when live actions make the run not reproducible by its seed alone', () => {
    expect(verdictView(converged, { ...passed, liveActions: 3 }).text).toBe(
      'PASS (8.1 s, 978 events) · not reproducible by seed alone (3 live actions) · converged 96 ms after the load and faults ended',
    );
  });

  it('knows an oversell the moment the oracle reads it', () => {
    const t: Telemetry = {
      ...midFault,
      expectations: ['inventoryNeverNegative', 'violation:inventoryNeverNegative'],
      firstNegative: { seq: 77, productId: 'prod_0000', quantity: -2 },
    };
    expect(propertyItems(t).map((p) => [p.status, p.detail])).toEqual([
      ['fails', 'prod_0000 went to -2 at seq 77'],
      ['holds', 'prod_0000 went to -2 at seq 77'],
    ]);
  });

  it('names the first broken property in a failed verdict', () => {
    const failed = {
      ...passed,
      verdict: 'fail' as const,
      properties: [{ name: 'nothingLost', holds: false, detail: 'lost: customer-order-summary: 106 missing' }],
    };
    expect(verdictView(converged, failed)).toEqual({
      text: 'FAIL (8.1 s, 978 events) · ✗ nothingLost: lost: customer-order-summary: 106 missing',
      tone: 'bad',
    });
  });
});

describe('timeline window', () => {
  const step = (atMs: number, status: 'past' | 'active' | 'upcoming', label = `step at ${atMs}`) => ({
    atMs,
    label,
    phase: 'fault-start' as const,
    status,
    live: false,
  });

  it('says how long the active fault has acted and when the next step comes', () => {
    const w = timelineWindow(midFault.timeline, 5, midFault.elapsedMs);
    expect(w.rows.map((r) => [r.time.trim(), r.mark, r.status])).toEqual([
      ['2.0 s', '▶', 'active for 1.5 s'],
      ['5.0 s', '·', 'heals in 1.5 s'],
    ]);
    expect([w.hiddenBefore, w.hiddenAfter]).toEqual([0, 0]);
  });

  it('keeps every active fault and the steps nearest to now when not all fit', () => {
    const entries = [
      step(0, 'active', 'long bug'),
      step(1_000, 'past'),
      step(2_000, 'past'),
      step(3_000, 'past'),
      step(4_000, 'upcoming'),
      step(5_000, 'upcoming'),
      step(6_000, 'upcoming'),
    ];
    const w = timelineWindow(entries, 4, 3_500);
    expect(w.rows.map((r) => r.label)).toEqual(['long bug', 'step at 2000', 'step at 3000', 'step at 4000']);
    expect([w.hiddenBefore, w.hiddenAfter]).toEqual([1, 2]);
  });
});

describe('layout', () => {
  it.each([
    [80, 24],
    [100, 30],
    [120, 40],
    [80, 18],
  ])('keeps a %d×%d dashboard below the terminal’s height (no full redraw, no flicker)', (columns, rows) => {
    const l = dashboardLayout({ columns, rows }, 2, 12);
    const lines = 10 + 2 + l.timelineRows + (l.sparkBlock ? 4 : 0) + (l.spacing ? 4 : 0);
    expect(lines).toBeLessThanOrEqual(rows - 1);
    expect(l.timelineRows).toBeGreaterThanOrEqual(1);
  });

  it('gives a narrow terminal a sparkline block when it fits, and drops it first when short of rows', () => {
    expect(dashboardLayout({ columns: 80, rows: 24 }, 2, 2)).toMatchObject({
      sparkBlock: true,
      spacing: true,
      timelineRows: 2,
    });
    expect(dashboardLayout({ columns: 80, rows: 19 }, 2, 2)).toMatchObject({ sparkBlock: true, spacing: false });
    expect(dashboardLayout({ columns: 80, rows: 18 }, 2, 2)).toMatchObject({ sparkBlock: false, spacing: false });
    expect(dashboardLayout({ columns: 100, rows: 24 }, 2, 2)).toMatchObject({ sparkBlock: false, spacing: true });
  });
});

describe('keys', () => {
  const ctx = { selected: 'customer-order-summary' as const, telemetry: midFault, canControl: true };

  it('selects models with arrows, tab and digits', () => {
    expect(keyCommand({ input: '', downArrow: true }, ctx)).toEqual({ kind: 'select', model: 'product-inventory' });
    expect(keyCommand({ input: '', upArrow: true }, ctx)).toEqual({ kind: 'select', model: 'products' });
    expect(keyCommand({ input: '2' }, ctx)).toEqual({ kind: 'select', model: 'products' });
  });

  it('toggles the selected consumer and the broker from their current state', () => {
    expect(keyCommand({ input: 's' }, ctx)).toEqual({
      kind: 'control',
      action: { kind: 'startConsumer', target: 'customer-order-summary' },
    });
    expect(keyCommand({ input: 's' }, { ...ctx, selected: 'products' })).toEqual({
      kind: 'control',
      action: { kind: 'stopConsumer', target: 'products' },
    });
    expect(keyCommand({ input: 'p' }, ctx)).toEqual({ kind: 'control', action: { kind: 'pauseBroker' } });
    expect(keyCommand({ input: 'p' }, { ...ctx, telemetry: { ...midFault, brokerPaused: true } })).toEqual({
      kind: 'control',
      action: { kind: 'resumeBroker' },
    });
    expect(keyCommand({ input: 'b' }, ctx)).toEqual({
      kind: 'control',
      action: { kind: 'toggleBug', target: 'customer-order-summary' },
    });
    expect(keyCommand({ input: 'r' }, ctx)).toEqual({
      kind: 'control',
      action: { kind: 'rebuild', target: 'customer-order-summary' },
    });
    expect(keyCommand({ input: 'd' }, ctx)).toEqual({
      kind: 'control',
      action: { kind: 'replayDeadLetters', target: 'customer-order-summary' },
    });
  });

  it('on the processes topology: k kills and f freezes or thaws the selected model’s process; the other keys do nothing', () => {
    const processes = [
      { name: 'inventory', pid: 1, restarts: 0, gaveUp: false, frozen: false },
      { name: 'summary', pid: 2, restarts: 0, gaveUp: false, frozen: true },
    ];
    const on = { ...ctx, telemetry: { ...midFault, processes } };
    expect(keyCommand({ input: 'k' }, on)).toEqual({
      kind: 'control',
      action: { kind: 'killProcess', target: 'customer-order-summary' },
    });
    expect(keyCommand({ input: 'f' }, on)).toEqual({
      kind: 'control',
      action: { kind: 'thawProcess', target: 'customer-order-summary' },
    });
    expect(keyCommand({ input: 'f' }, { ...on, selected: 'product-inventory' })).toEqual({
      kind: 'control',
      action: { kind: 'freezeProcess', target: 'product-inventory' },
    });
    for (const input of ['s', 'b', 'r', 'd', 'p']) expect(keyCommand({ input }, on)).toEqual({ kind: 'none' });
    expect(helpItems(on, false)).toEqual(['↑↓ summary', 'k kill its process', 'f thaw its process', 'q quit']);
    expect(keyCommand({ input: 'k' }, ctx)).toEqual({ kind: 'none' }); // one process: no such key
    expect(keyCommand({ input: 'n' }, ctx)).toEqual({ kind: 'none' }); // one broker: no leader to kill
  });

  it('on a broker cluster, n kills the stream leader’s node, in either topology', () => {
    const brokerNodes = [
      { name: 'n0', up: true, leader: true },
      { name: 'n1', up: true, leader: false },
      { name: 'n2', up: true, leader: false },
    ];
    const cluster = { ...ctx, telemetry: { ...midFault, brokerNodes } };
    expect(keyCommand({ input: 'n' }, cluster)).toEqual({ kind: 'control', action: { kind: 'killLeaderNode' } });
    expect(helpItems(cluster, false)).toContain('n kill leader node');
    const processes = [{ name: 'summary', pid: 2, restarts: 0, gaveUp: false, frozen: false }];
    const both = { ...ctx, telemetry: { ...midFault, brokerNodes, processes } };
    expect(keyCommand({ input: 'n' }, both)).toEqual({ kind: 'control', action: { kind: 'killLeaderNode' } });
    expect(helpItems(both, false)).toEqual([
      '↑↓ summary',
      'k kill its process',
      'f freeze its process',
      'n kill leader node',
      'q quit',
    ]);
  });

  it('quits on q and Ctrl-C, and acts on nothing without live control', () => {
    expect(keyCommand({ input: 'q' }, ctx)).toEqual({ kind: 'quit' });
    expect(keyCommand({ input: 'c', ctrl: true }, ctx)).toEqual({ kind: 'quit' });
    expect(keyCommand({ input: 's' }, { ...ctx, canControl: false })).toEqual({ kind: 'none' });
    expect(keyCommand({ input: 'x' }, ctx)).toEqual({ kind: 'none' });
  });

  it('spells out in the help line what each key would do now, within 80 columns', () => {
    const items = helpItems(ctx, false);
    expect(items).toContain('s start');
    expect(items.join('  ').length).toBeLessThanOrEqual(79);
    expect(helpItems({ ...ctx, canControl: false }, false)).toEqual(['↑↓ model', 'q quit']);
    expect(helpItems(ctx, true)).toEqual(['run finished']);
  });
});

describe('processesView', () => {
  const p = (name: string, pid: number, restarts = 0, gaveUp = false, frozen = false) => ({
    ...{ name, pid, restarts, gaveUp },
    frozen,
  });
  it('is absent in one process', () => {
    expect(processesView(undefined)).toBeNull();
    expect(processesView([])).toBeNull();
  });
  it('is ok when every process runs as started, warns after a restart, is bad while one is down or given up', () => {
    expect(processesView([p('orders', 7)])).toEqual({ text: 'processes: orders pid 7', tone: 'ok' });
    expect(processesView([p('orders', 8, 1)])?.tone).toBe('warn');
    expect(processesView([p('orders', -1, 1)])?.tone).toBe('bad');
    expect(processesView([p('summary', 9, 0, false, true)])).toEqual({
      text: 'processes: summary pid 9 frozen',
      tone: 'bad',
    });
    expect(processesView([p('orders', -1, 21, true)])).toEqual({
      text: 'processes: orders gave up (restarted 21×)',
      tone: 'bad',
    });
  });
});
