import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { Telemetry } from '../../src/scenarios/telemetry.js';
import { Dashboard } from '../../src/ui/components/Dashboard.js';
import { Header } from '../../src/ui/components/Header.js';
import { HelpLine } from '../../src/ui/components/HelpLine.js';
import { ModelTable } from '../../src/ui/components/ModelTable.js';
import { PropertiesPanel } from '../../src/ui/components/PropertiesPanel.js';
import { SparkBlock } from '../../src/ui/components/SparkBlock.js';
import { TimelinePanel } from '../../src/ui/components/TimelinePanel.js';
import { emptyHistory } from '../../src/ui/history.js';
import { helpItems } from '../../src/ui/keys.js';
import { headerView, modelRows, propertyItems, tableHeader, tableLayout, verdictView } from '../../src/ui/selectors.js';
import { timelineWindow } from '../../src/ui/timelineView.js';
import { CONVERGED_SERIES, converged, historyUpTo, midFault, passed } from './uiFixtures.js';

// Each panel rendered by ink from realistic props (the flagship scenario mid-fault and after convergence), as a
// person would read it in the terminal. Components are pure: same props, same frame.

const frame = (node: React.ReactElement): string => {
  const r = render(node);
  const out = r.lastFrame() ?? '';
  r.unmount();
  return out;
};

const history = historyUpTo(midFault);

describe('Header', () => {
  it('shows the run, the scenario clock, phase, broker and traffic', () => {
    expect(frame(<Header view={headerView(midFault, history, 100)} columns={100} />)).toMatchInlineSnapshot(`
      "cqrs-testbed · flagship-summary-outage (seed 1)           3.5 s / 8.0 s  workload  broker connected
      orders 40/s: 140 placed, 1 refused (1 out of stock), 0 failed · events 127/s · outbox 0/4"
    `);
  });

  it('shows a paused broker and stale numbers on a narrow terminal', () => {
    const t: Telemetry = { ...midFault, brokerPaused: true, stale: true };
    expect(frame(<Header view={headerView(t, history, 80)} columns={80} />)).toMatchInlineSnapshot(`
      "flagship-summary-outage (seed 1)         3.5 s / 8.0 s  workload  broker paused
      140 placed, 1 refused (1 out of stock), 0 failed · outbox 0/4  (stale)"
    `);
  });
});

describe('Header on the processes topology', () => {
  it('adds a line with every service process: its pid, what restarted, what is down', () => {
    const t: Telemetry = {
      ...midFault,
      processes: [
        { name: 'inventory', pid: 101, restarts: 0, gaveUp: false, frozen: false },
        { name: 'summary', pid: -1, restarts: 1, gaveUp: false, frozen: false },
        { name: 'products', pid: 103, restarts: 2, gaveUp: false, frozen: true },
      ],
    };
    const lines = frame(<Header view={headerView(t, history, 120)} columns={120} />).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(
      'processes: inventory pid 101, summary down (restarted 1×), products pid 103 frozen (restarted 2×)',
    );
  });
});

describe('ModelTable', () => {
  it('mid-fault: the stopped summary diverges and lags; the others are caught up', () => {
    const layout = tableLayout(100);
    expect(
      frame(
        <ModelTable
          header={tableHeader(layout)}
          rows={modelRows(midFault, history, layout, 'customer-order-summary')}
        />,
      ),
    ).toMatchInlineSnapshot(`
      "  model     state             ok stale  miss unexp wrong  dup    lag  lag ms redel dead divergence
        inventory catchingUp         8     0     0     0     0    0      0       0     0    0 ▁▁▁▁▁▁▁▁▁▁▁
        products  catchingUp         8     0     0     0     0    0      0       0     0    0 ▁▁▁▁▁▁▁▁▁▁▁
      › summary   stopped           56    84     0     0     0    0    201    1543     0    0 ▂▂▂▂▂▂▃▄▆▇█"
    `);
  });

  it('narrow: short state names; a summary waiting for Products, retrying and parking', () => {
    const layout = tableLayout(80);
    const t: Telemetry = {
      ...midFault,
      models: {
        ...midFault.models,
        products: { ...midFault.models.products, state: 'stopped', lagEvents: 57, lagMs: 1_210, checkpoint: 387 },
        'customer-order-summary': {
          divergence: { ok: 96, notYetApplied: 31, missing: 0, unexpected: 0, wrong: 0, duplicated: 0 },
          lagEvents: 88,
          lagMs: 1_190,
          state: 'waitingForDependency',
          checkpoint: 356,
          redeliveries: 14,
          deadLetters: 2,
          lastProblem: 'seq 357 waits for products (at 387, needs 401)',
        },
      },
    };
    expect(frame(<ModelTable header={tableHeader(layout)} rows={modelRows(t, history, layout, 'products')} />))
      .toMatchInlineSnapshot(`
      "  model     state             ok stale  miss unexp wrong  dup   lag redel dead
        inventory catchingUp         8     0     0     0     0    0     0     0    0
      › products  stopped            8     0     0     0     0    0    57     0    0
        summary   waitingForDep     96    31     0     0     0    0    88    14    2"
    `);
  });
});

describe('SparkBlock', () => {
  it('draws each model’s divergence over time on its own line', () => {
    const rows = modelRows(midFault, history, tableLayout(80), 'products', undefined, 30).map((r) => ({
      label: r.label,
      spark: r.spark,
      tone: r.sparkTone,
    }));
    expect(frame(<SparkBlock rows={rows} />)).toMatchInlineSnapshot(`
      "divergence from the oracle over time
        inventory                ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁
        products                 ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁
        summary                  ▂▂▂▁▂▂▂▂▂▃▄▅▆▇██"
    `);
  });
});

describe('TimelinePanel', () => {
  it('mid-fault: the outage active, its end upcoming', () => {
    expect(frame(<TimelinePanel window={timelineWindow(midFault.timeline, 5, midFault.elapsedMs)} />))
      .toMatchInlineSnapshot(`
      "fault timeline (scenario clock)
           2.0 s ▶ customer-order-summary consumer down  active for 1.5 s
           5.0 s · customer-order-summary consumer back  heals in 1.5 s"
    `);
  });

  it('with live actions and more steps than rows', () => {
    const timeline: Telemetry['timeline'] = [
      {
        atMs: 1_000,
        label: 'products handler throws for {"eventType":"ProductRenamed"}',
        phase: 'fault-start',
        status: 'past',
        live: false,
      },
      { atMs: 2_000, label: 'customer-order-summary consumer down', phase: 'fault-start', status: 'past', live: false },
      { atMs: 2_800, label: 'broker paused (live)', phase: 'fault-start', status: 'active', live: true },
      { atMs: 5_000, label: 'customer-order-summary consumer back', phase: 'fault-end', status: 'past', live: false },
      { atMs: 6_000, label: 'deployFix products', phase: 'remediation', status: 'upcoming', live: false },
      { atMs: null, label: 'replayDeadLetters products', phase: 'remediation', status: 'upcoming', live: false },
    ];
    expect(frame(<TimelinePanel window={timelineWindow(timeline, 4, 5_200)} />)).toMatchInlineSnapshot(`
      "fault timeline (scenario clock) · 1 earlier, 1 later not shown
           2.0 s ✓ customer-order-summary consumer down  fault
           2.8 s ▶ broker paused (live)  active for 2.4 s
           5.0 s ✓ customer-order-summary consumer back  heals
           6.0 s · deployFix products  remediation in 0.8 s"
    `);
  });

  it('attached to `up`: live actions on the time since up started, never a scenario clock', () => {
    const timeline: Telemetry['timeline'] = [
      { atMs: 12_300, label: 'products consumer stopped (live)', phase: 'fault-start', status: 'active', live: true },
    ];
    const text = frame(<TimelinePanel window={timelineWindow(timeline, 3, 14_000, 'up')} />);
    expect(text).toMatchInlineSnapshot(`
      "live actions (time since up started)
          12.3 s ▶ products consumer stopped (live)  active for 1.7 s"
    `);
    expect(text).not.toContain('scenario');
  });

  it('without any step', () => {
    expect(frame(<TimelinePanel window={timelineWindow([], 1, 0)} />)).toMatchInlineSnapshot(`
      "fault timeline (scenario clock)
        no faults or remediation steps"
    `);
  });
});

describe('PropertiesPanel', () => {
  it('pending while running', () => {
    const items = propertyItems(midFault);
    expect(frame(<PropertiesPanel lines={[items.slice(0, 3), items.slice(3)]} verdict={verdictView(midFault)} />))
      .toMatchInlineSnapshot(`
      "properties  … converges  … nothingLost  … noDuplicatedEffect
                  … noWrongValues  … writeModelPublishedOnce
      verdict     running: properties are judged once the system has settled"
    `);
  });

  it('judged: a failed run names the first broken property', () => {
    const failed = {
      ...passed,
      verdict: 'fail' as const,
      convergedAfterMs: null,
      properties: [
        { name: 'converges', holds: false, detail: 'did not converge before the run ended' },
        { name: 'nothingLost', holds: false, detail: 'lost: customer-order-summary: 106 missing' },
        { name: 'noDuplicatedEffect', holds: true, detail: 'duplicated effects: none' },
      ],
    };
    expect(
      frame(<PropertiesPanel lines={[propertyItems(converged, failed)]} verdict={verdictView(converged, failed)} />),
    ).toMatchInlineSnapshot(`
      "properties  ✗ converges  ✗ nothingLost  ✓ noDuplicatedEffect
      verdict     FAIL (8.1 s, 978 events) · ✗ converges: did not converge before the run ended"
    `);
  });

  it('shows a property the scenario expects twice, twice, and React does not warn about duplicate keys', () => {
    // A scenario may list `converges` with two bounds; keyed by name, React warned "two children with the same key"
    // on the terminal (through ink's patched console) and may drop one of them.
    const twice = {
      ...passed,
      properties: [
        { name: 'converges', holds: true, detail: 'converged 97 ms after the load (bound 5000 ms)' },
        { name: 'converges', holds: false, detail: 'converged 97 ms after the load (bound 50 ms)' },
      ],
    };
    const errors: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      expect(
        frame(<PropertiesPanel lines={[propertyItems(converged, twice)]} verdict={verdictView(converged, twice)} />),
      ).toMatch(/^properties {2}✓ converges {2}✗ converges$/m);
    } finally {
      console.error = consoleError;
    }
    expect(errors.map((e) => e.map(String).join(' '))).toEqual([]);
  });
});

describe('HelpLine', () => {
  it('shows the last control’s outcome and what each key does now', () => {
    const ctx = { selected: 'customer-order-summary' as const, telemetry: midFault, canControl: true };
    expect(
      frame(
        <HelpLine items={helpItems(ctx, false)} message={{ text: '✓ stopped customer-order-summary', tone: 'ok' }} />,
      ),
    ).toMatchInlineSnapshot(`
      "✓ stopped customer-order-summary
      ↑↓ summary  s start  b bug  r rebuild  d replay DLQ  p pause broker  q quit"
    `);
  });
});

describe('Dashboard', () => {
  const props = { history, selected: 'customer-order-summary' as const, message: null, canControl: true };

  it('fits 80×24 mid-fault: the summary stopped and divergent, the outage active', () => {
    const out = frame(<Dashboard {...props} telemetry={midFault} columns={80} rows={24} />);
    expect(out.split('\n').length).toBeLessThanOrEqual(23);
    expect(Math.max(...out.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(out).toMatchInlineSnapshot(`
      "flagship-summary-outage (seed 1)      3.5 s / 8.0 s  workload  broker connected
      140 placed, 1 refused (1 out of stock), 0 failed · events 127/s · outbox 0/4

        model     state             ok stale  miss unexp wrong  dup   lag redel dead
        inventory catchingUp         8     0     0     0     0    0     0     0    0
        products  catchingUp         8     0     0     0     0    0     0     0    0
      › summary   stopped           56    84     0     0     0    0   201     0    0
      divergence from the oracle over time
        inventory                                                    ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁
        products                                                     ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁
        summary                                                      ▂▂▂▁▂▂▂▂▂▃▄▅▆▇██

      fault timeline (scenario clock)
           2.0 s ▶ customer-order-summary consumer down  active for 1.5 s
           5.0 s · customer-order-summary consumer back  heals in 1.5 s

      properties  … converges  … nothingLost  … noDuplicatedEffect  … noWrongValues
                  … writeModelPublishedOnce
      verdict     running: properties are judged once the system has settled


      ↑↓ summary  s start  b bug  r rebuild  d replay DLQ  p pause broker  q quit"
    `);
  });

  it('at 100×30 after the run: every model equal to the oracle, the verdict PASS', () => {
    const out = frame(
      <Dashboard
        {...props}
        history={historyUpTo(converged, CONVERGED_SERIES)}
        telemetry={converged}
        report={passed}
        columns={100}
        rows={30}
      />,
    );
    expect(out.split('\n').length).toBeLessThanOrEqual(29);
    expect(out).toMatchInlineSnapshot(`
      "cqrs-testbed · flagship-summary-outage (seed 1)               8.3 s / 8.0 s  done  broker connected
      orders 39/s: 319 placed, 1 refused (1 out of stock), 0 failed · events 118/s · outbox 0/0

        model     state             ok stale  miss unexp wrong  dup    lag  lag ms redel dead divergence
        inventory idle               8     0     0     0     0    0      0       0     0    0 ▁▁▁▁▁▁▁▁▁▁▁
        products  idle               8     0     0     0     0    0      0       0     0    0 ▁▁▁▁▁▁▁▁▁▁▁
      › summary   idle             319     0     0     0     0    0      0       0     1    0 ▂▂▂▄▅▇█▄▂▁▁

      fault timeline (scenario clock)
           2.0 s ✓ customer-order-summary consumer down  fault
           5.0 s ✓ customer-order-summary consumer back  heals

      properties  ✓ converges  ✓ nothingLost  ✓ noDuplicatedEffect  ✓ noWrongValues
                  ✓ writeModelPublishedOnce
      verdict     PASS (8.1 s, 978 events) · converged 96 ms after the load and faults ended


      run finished"
    `);
  });

  it('before the first snapshot: says what it waits for', () => {
    expect(
      frame(
        <Dashboard
          {...props}
          history={emptyHistory}
          telemetry={undefined}
          columns={80}
          rows={24}
          waiting="flagship-summary-outage: starting a private broker and seeding the catalogue…"
        />,
      ),
    ).toMatchInlineSnapshot(`
      "cqrs-testbed
      flagship-summary-outage: starting a private broker and seeding the catalogue…

      ↑↓ model  q quit"
    `);
  });

  it('attached to `up`: no scenario clock, no properties; the timeline is the live actions', () => {
    const up: Telemetry = {
      ...converged,
      source: 'up',
      scenario: null,
      seed: null,
      workloadMs: null,
      phase: 'running',
      timeline: [],
      expectations: [],
    };
    expect(
      frame(
        <Dashboard {...props} history={historyUpTo(up, CONVERGED_SERIES)} telemetry={up} columns={100} rows={24} />,
      ),
    ).toMatchInlineSnapshot(`
      "cqrs-testbed · attached to a running system                     up 8.3 s  running  broker connected
      orders 39/s: 319 placed, 1 refused (1 out of stock), 0 failed · events 118/s · outbox 0/0

        model     state             ok stale  miss unexp wrong  dup    lag  lag ms redel dead divergence
        inventory idle               8     0     0     0     0    0      0       0     0    0 ▁▁▁▁▁▁▁▁▁▁▁
        products  idle               8     0     0     0     0    0      0       0     0    0 ▁▁▁▁▁▁▁▁▁▁▁
      › summary   idle             319     0     0     0     0    0      0       0     1    0 ▂▂▂▄▅▇█▄▂▁▁

      live actions (time since up started)
        none yet: the keys below act on the running system

      verdict     no scenario: divergence is against the oracle folded from the stream


      ↑↓ summary  s stop  b bug  r rebuild  d replay DLQ  p pause broker  q quit"
    `);
  });
});
