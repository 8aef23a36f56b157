import { describe, expect, it } from 'vitest';
import type { ReadModelName } from '../../src/domain/readModels.js';
import type { Divergence } from '../../src/scenarios/divergence.js';
import { junitXml, jsonLine, progressLine, scenarioDetail, summaryTable } from '../../src/scenarios/reports.js';
import { type ModelReport, type Progress, type ScenarioReport } from '../../src/scenarios/runTypes.js';
import { wrapLine } from '../../src/scenarios/textWrap.js';
import type { PropertyResult } from '../../src/scenarios/verdict.js';
import { pluginLines } from '../../src/scenarios/pluginReport.js';

// What a run prints: one JSON line, JUnit XML for CI, a summary table, progress lines. All pure string functions.

const divergence: Divergence = {
  ok: 5,
  missing: 1,
  unexpected: 0,
  wrong: 2,
  duplicated: 0,
  examples: [{ key: 'p1', bucket: 'wrong', expected: 1, actual: 2 }],
};
const model: ModelReport = {
  divergence,
  checkpoint: 40,
  lagEvents: 2,
  redeliveries: 3,
  deadLetters: 1,
  state: 'idle',
  lastProblem: null,
  maxLagEvents: 9,
};

function report(
  scenario: string,
  properties: readonly PropertyResult[],
  over: Partial<ScenarioReport> = {},
): ScenarioReport {
  return {
    scenario,
    file: `scenarios/${scenario}.yaml`,
    finalNegativeInventory: [],
    seed: 7,
    verdict: properties.every((p) => p.holds) ? 'pass' : 'fail',
    properties,
    plugins: [],
    brokerFindings: [],
    models: { 'product-inventory': model, products: model, 'customer-order-summary': model },
    convergedAfterMs: 1_234,
    convergedAtMs: 9_234,
    writeModel: { accepted: 3, unpublished: 0, publishedTwice: 0, phantom: 0, examples: [] },
    reservations: { mode: 'check', strandedOrders: 0, mismatches: [] },
    caughtUpDivergence: {},
    attribution: [],
    workload: {
      placed: 120,
      rejected: 4,
      unavailable: 0,
      invalid: 0,
      failed: 0,
      lastFailure: null,
      catalogChanges: 6,
      catalogRefused: 0,
      lagBehindScheduleMsMax: 5,
    },
    events: { stream: 42, undecodable: 1 },
    timeline: [{ atMs: 100, label: 'products consumer down', phase: 'fault-start', live: false }],
    liveActions: 0,
    history: [],
    historyDropped: 0,
    latency: {},
    samples: [
      {
        atMs: 250,
        headSeq: 10,
        outboxBacklog: { orders: 1, inventory: 0 },
        models: {
          'product-inventory': { divergent: 0, lagEvents: 0, state: 'idle', checkpoint: 0 },
          products: { divergent: 1, lagEvents: 2, state: 'idle', checkpoint: 0 },
          'customer-order-summary': { divergent: 0, lagEvents: 0, state: 'idle', checkpoint: 0 },
        },
      },
    ],
    durationMs: 4_567,
    ...over,
  };
}

const held = (name: string): PropertyResult => ({ name, holds: true, detail: 'fine' });
const failed = (name: string, detail = 'broken'): PropertyResult => ({ name, holds: false, detail });

describe('jsonLine', () => {
  it('is one line of JSON without the samples and history, and parses back to the rest of the report', () => {
    const r = report('flagship', [held('converges'), failed('nothingLost')]);
    const line = jsonLine(r);
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).not.toContain('samples');
    expect(Object.keys(parsed)).not.toContain('history');
    const { samples: _samples, history: _history, ...rest } = r;
    expect(parsed).toEqual({
      ...rest,
      orders: { placed: 120, refused: 4, refusedFor: { insufficientStock: 4, unavailable: 0, invalid: 0 }, failed: 0 },
    });
  });

  it('counts the refused orders by reason, not only the placed ones', () => {
    const parsed = JSON.parse(
      jsonLine(
        report('custom', [], { workload: { ...report('x', []).workload, placed: 119, rejected: 58, unavailable: 3 } }),
      ),
    ) as { orders: unknown };
    expect(parsed.orders).toEqual({
      placed: 119,
      refused: 61,
      refusedFor: { insufficientStock: 58, unavailable: 3, invalid: 0 },
      failed: 0,
    });
  });
});

/** Well-formed enough: tags nest and close, attribute values are quoted and hold no raw `<`, `&` or `"`. */
function checkXml(text: string): { tags: string[] } {
  const body = text.replace(/^<\?xml [^?]*\?>\n/, '');
  const stack: string[] = [];
  const tags: string[] = [];
  let last = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z]+)((?:\s+[A-Za-z]+="[^"<]*")*)\s*(\/?)>/g)) {
    expect(body.slice(last, m.index).trim()).toBe(''); // no text, and nothing a tag pattern failed to consume
    last = m.index + m[0].length;
    const [, closing, name = '', attrs = '', selfClosing] = m;
    for (const [, value = ''] of attrs.matchAll(/="([^"]*)"/g))
      expect(value.replace(/&(amp|lt|gt|quot);/g, '')).not.toMatch(/[<>&]/);
    if (closing) expect(stack.pop()).toBe(name);
    else {
      tags.push(name);
      if (!selfClosing) stack.push(name);
    }
  }
  expect(body.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
  return { tags };
}

describe('junitXml', () => {
  const nasty = 'expected <3> & got "4"';
  const reports = [
    report('a&b <scenario>', [held('converges'), failed('noWrongValues', nasty), failed('violation:nothingLost')]),
    report('second', [held('nothingLost'), held('deadLetters:products')]),
  ];
  const text = junitXml(reports);

  it('is well-formed, with the details escaped', () => {
    const { tags } = checkXml(text);
    expect(tags.filter((t) => t === 'testsuite')).toHaveLength(2);
    expect(tags.filter((t) => t === 'testcase')).toHaveLength(5);
    expect(tags.filter((t) => t === 'failure')).toHaveLength(2);
    expect(text).toContain('message="expected &lt;3&gt; &amp; got &quot;4&quot;"');
    expect(text).toContain('name="a&amp;b &lt;scenario&gt;"');
  });

  it('counts tests and failures overall and per suite', () => {
    expect(text).toMatch(/<testsuites name="cqrs-testbed" tests="5" failures="2">/);
    expect(text).toMatch(/<testsuite name="a&amp;b &lt;scenario&gt;" tests="3" failures="2" time="4.567">/);
    expect(text).toMatch(/<testsuite name="second" tests="2" failures="0" /);
    expect(text).toContain('<property name="seed" value="7"/>');
  });

  it('is well-formed for no reports at all', () => {
    checkXml(junitXml([]));
    expect(junitXml([])).toContain('tests="0" failures="0"');
  });
});

describe('summaryTable', () => {
  const reports = [
    report('flagship-summary-outage', [held('converges'), failed('noWrongValues'), failed('nothingLost')]),
    report('x', [held('converges')], {
      convergedAfterMs: null,
      workload: { ...report('x', []).workload, placed: 7, rejected: 58, failed: 1 },
    }),
  ];
  const lines = summaryTable(reports).split('\n');

  it('has a header and one row per report, in order, with every order by outcome', () => {
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^scenario\s+verdict\s+converged\s+placed\s+refused\s+failed\s+failed properties$/);
    expect(lines[1]).toMatch(
      /^flagship-summary-outage\s+FAIL\s+1234 ms\s+120\s+4 \(4 out of stock\)\s+0\s+noWrongValues, nothingLost$/,
    );
    expect(lines[2]).toMatch(/^x\s+PASS\s+never\s+7\s+58 \(58 out of stock\)\s+1\s+-$/);
  });

  it('aligns the columns', () => {
    const at = (line: string | undefined, word: string) => line?.indexOf(word);
    expect(at(lines[1], 'FAIL')).toBe(at(lines[0], 'verdict'));
    expect(at(lines[2], 'PASS')).toBe(at(lines[0], 'verdict'));
    expect(at(lines[2], 'never')).toBe(at(lines[0], 'converged'));
    expect(at(lines[2], '58 (')).toBe(at(lines[0], 'refused'));
    expect(at(lines[1], 'noWrongValues')).toBe(at(lines[0], 'failed properties'));
  });

  it('stays within 120 columns with long names and many failed properties', () => {
    const many = [
      'converges',
      'nothingLost',
      'noDuplicatedEffect',
      'noWrongValues',
      'writeModelPublishedOnce',
      'deadLetters:customer-order-summary',
      'rebuildEqualsIncremental',
    ].map((n) => failed(n));
    const text = summaryTable([
      report('a-custom-scenario-with-a-rather-long-descriptive-name', many),
      report('y'.repeat(64), many),
    ]);
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(120);
    for (const p of many) expect(text).toContain(p.name);
    expect(text).toContain('y'.repeat(34)); // the name wraps in its column
  });

  it('is only the header for no reports', () => {
    expect(summaryTable([]).split('\n')).toHaveLength(1);
  });
});

describe('progressLine', () => {
  const lags: Record<ReadModelName, number> = { 'product-inventory': 3, products: 0, 'customer-order-summary': 12 };
  const orders = { placed: 77, rejected: 0, unavailable: 0, invalid: 0, failed: 0 };
  const progress = (activeFaults: readonly string[], over: Partial<Progress> = {}): Progress => ({
    elapsedMs: 12_345,
    phase: 'workload',
    orders,
    activeFaults,
    lagEvents: lags,
    ...over,
  });

  it('names the scenario and time, every order by outcome, and every model’s lag', () => {
    const [first, second, ...rest] = progressLine('flagship', progress([])).split('\n');
    expect(first).toMatch(/^\[flagship\]\s+12\.3 s\s+workload\s+orders 77 placed, 0 refused, 0 failed$/);
    expect(second).toBe('    lag inventory 3, products 0, summary 12  | no active faults');
    expect(rest).toEqual([]);
  });

  it('says why orders were refused', () => {
    const line = progressLine(
      'custom',
      progress([], { orders: { placed: 119, rejected: 58, unavailable: 2, invalid: 1, failed: 0 } }),
    );
    expect(line).toContain('orders 119 placed, 61 refused (58 insufficient stock, 2 unavailable, 1 invalid), 0 failed');
  });

  it('lists each active fault', () => {
    const line = progressLine('f', progress(['products consumer down', 'broker paused (SIGSTOP)']));
    expect(line).toMatch(/\| products consumer down; broker paused \(SIGSTOP\)$/);
    expect(line).not.toContain('no active faults');
  });

  it('wraps rather than run past 120 columns', () => {
    const faults = [
      'customer-order-summary handler throws for {"eventType":"OrderPlaced","productId":"prod_0000"}',
      'broker paused (SIGSTOP)',
      'products read model down (summary depends on it)',
    ];
    const text = progressLine(
      'x'.repeat(64),
      progress(faults, { orders: { placed: 12_345, rejected: 6_789, unavailable: 123, invalid: 4, failed: 2 } }),
    );
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(120);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain(faults.join('; '));
  });
});

describe('wrapLine', () => {
  it('breaks at spaces, indents continuations, cuts only a word longer than a line', () => {
    expect(wrapLine('aaa bbb ccc', 7, '  ')).toEqual(['aaa bbb', '  ccc']);
    expect(wrapLine('short', 120)).toEqual(['short']);
    expect(wrapLine('abcdefghij', 4, '')).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapLine('x '.repeat(10).trim(), 5, 'e'.repeat(10))).toEqual(['x x x', 'x x x', 'x x x', 'x']);
  });
});

describe('scenarioDetail', () => {
  it('says which model broke and how, right under the properties', () => {
    const attribution = [
      { model: 'products' as const, plugin: false, verdict: 'diverged' as const, detail: '1 missing at the end' },
      {
        model: 'customer-order-summary' as const,
        plugin: true,
        verdict: 'stalled' as const,
        detail: 'stalled at seq 4 of 36 (backingOff): seq 6 arrived before 5; waiting for it',
      },
    ];
    const lines = scenarioDetail(report('s', [failed('nothingLost')], { attribution })).split('\n');
    expect(lines.slice(3, 5)).toEqual([
      '  → customer-order-summary (plug-in): stalled at seq 4 of 36 (backingOff): seq 6 arrived before 5; waiting for it',
      '  → products (built-in): 1 missing at the end',
    ]);
  });

  it('gives every order by outcome, marks each property and gives each model’s buckets', () => {
    const text = scenarioDetail(report('s', [held('converges'), failed('nothingLost', 'lost: products: 1 missing')]));
    const lines = text.split('\n');
    expect(lines[0]).toBe('FAIL s (seed 7, 4.6 s, 42 events)');
    expect(lines[1]).toBe('  orders: 120 placed, 4 refused (4 insufficient stock), 0 failed');
    expect(lines[2]).toBe('  ✓ converges: fine');
    expect(lines[3]).toBe('  ✗ nothingLost: lost: products: 1 missing');
    expect(lines.slice(4, 13)).toEqual(
      ['product-inventory', 'products', 'customer-order-summary'].flatMap((m) => [
        `    ${m.padEnd(24)} ok 5, missing 1, unexpected 0, wrong 2, duplicated 0`,
        `    ${' '.repeat(24)} max lag 9 events, redeliveries 3, dead letters 1`,
        `    ${' '.repeat(24)} wrong p1: expected 1, actual 2`,
      ]),
    );
    expect(lines.slice(13)).toEqual(['  timeline:', '       0.1 s  products consumer down']);
  });

  it('shows a diverged model’s offending keys as the fields that differ', () => {
    const r = report('s', [failed('noWrongValues')]);
    const examples = [
      {
        key: 'ord_1',
        bucket: 'wrong' as const,
        expected: { items: [{ productName: 'Product 0' }] },
        actual: { items: [{ productName: null }] },
        diff: [{ path: 'items[0].productName', expected: 'Product 0', actual: null }],
      },
      { key: 'ord_2', bucket: 'missing' as const, expected: { items: [] }, actual: undefined },
    ];
    const summary = r.models['customer-order-summary'];
    const withDiff = {
      ...r,
      models: {
        ...r.models,
        'customer-order-summary': { ...summary, divergence: { ...summary.divergence, examples } },
      },
    };
    const text = scenarioDetail(withDiff);
    expect(text).toContain(
      `    ${' '.repeat(24)} wrong ord_1: items[0].productName: expected "Product 0", actual null`,
    );
    expect(text).toContain(`    ${' '.repeat(24)} missing ord_2: in the oracle, not in the model`);
  });

  it('says why orders failed, and keeps every line within 120 columns', () => {
    const long = failed(
      'writeModelPublishedOnce',
      `180 accepted orders; 2 unpublished, 0 published twice, 0 phantom (${'ord_0123456789abcdef unpublished; '.repeat(5)})`,
    );
    const r = report('s', [long], {
      workload: { ...report('x', []).workload, failed: 1, lastFailure: 'order service gone' },
    });
    const text = scenarioDetail(r);
    expect(text).toContain(
      '  orders: 120 placed, 4 refused (4 insufficient stock), 1 failed (last failure: order service gone)',
    );
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(120);
    expect(text.replace(/\s+/g, ' ')).toContain(long.detail.replace(/\s+/g, ' '));
  });
});

describe('live actions', () => {
  const liveRun = report('flagship', [failed('converges', 'did not converge before the run ended')], {
    timeline: [
      { atMs: 2_000, label: 'customer-order-summary consumer down', phase: 'fault-start', live: false },
      { atMs: 3_100, label: 'products consumer stopped (live)', phase: 'fault-start', live: true },
      { atMs: 3_900, label: 'broker paused', phase: 'fault-start', live: true },
    ],
    liveActions: 2,
  });

  it('the verdict line says the seed alone does not replay the run, and the timeline lists them', () => {
    const lines = scenarioDetail(liveRun).split('\n');
    expect(lines[0]).toBe('FAIL flagship (seed 7, 4.6 s, 42 events) — not reproducible by seed alone (2 live actions)');
    expect(lines.slice(-4)).toEqual([
      '  timeline:',
      '       2.0 s  customer-order-summary consumer down',
      '       3.1 s  products consumer stopped (live)',
      '       3.9 s  broker paused (live)',
    ]);
    expect(scenarioDetail(report('s', [held('converges')])).split('\n')[0]).toBe('PASS s (seed 7, 4.6 s, 42 events)');
    expect(scenarioDetail({ ...liveRun, liveActions: 1 }).split('\n')[0]).toMatch(/\(1 live action\)$/);
  });

  it('the summary table marks the verdict and says why under the table; JSON and JUnit carry the count', () => {
    const lines = summaryTable([liveRun, report('other', [held('converges')])]).split('\n');
    expect(lines[1]).toMatch(/^flagship\s+FAIL\*\s/);
    expect(lines[2]).toMatch(/^other\s+PASS\s/);
    expect(lines[3]).toBe(
      '* not reproducible by seed alone: live actions from the dashboard (listed in its report’s timeline)',
    );
    expect(summaryTable([report('other', [held('converges')])])).not.toContain('*');
    expect(JSON.parse(jsonLine(liveRun))).toMatchObject({
      liveActions: 2,
      timeline: [{ live: false }, { live: true }, { live: true }],
    });
    expect(junitXml([liveRun])).toContain('<property name="liveActions" value="2"/>');
  });
});

describe('plug-in lines', () => {
  it('name the plug-in, its module and what each crash point did', () => {
    const lines = pluginLines([
      {
        target: 'customer-order-summary',
        mode: 'self-managed',
        module: '/x/mySummary.ts',
        crashPoints: [
          { point: 'between-writes', armed: 2, hit: 1 },
          { point: 'after-lines', armed: 0, hit: 0 },
        ],
      },
      { target: 'products', mode: 'managed', crashPoints: [] },
    ]);
    expect(lines).toEqual([
      'customer-order-summary: self-managed plug-in /x/mySummary.ts; crash points between-writes hit 1 of 2, after-lines never armed',
      'products: managed plug-in',
    ]);
  });
});
