import { describe, expect, it } from 'vitest';
import type { ReadModelName } from '../../src/actors/system.js';
import type { Divergence } from '../../src/scenarios/divergence.js';
import { junitXml, jsonLine, progressLine, scenarioDetail, summaryTable } from '../../src/scenarios/reports.js';
import type { ModelReport, Progress, ScenarioReport } from '../../src/scenarios/runner.js';
import type { PropertyResult } from '../../src/scenarios/verdict.js';

// What a run prints: one JSON line, JUnit XML for CI, a summary table, progress lines. All pure string functions.

const divergence: Divergence = { ok: 5, missing: 1, unexpected: 0, wrong: 2, duplicated: 0, examples: [{ key: 'p1', bucket: 'wrong', expected: 1, actual: 2 }] };
const model: ModelReport = { divergence, checkpoint: 40, lagEvents: 2, redeliveries: 3, deadLetters: 1, state: 'idle', maxLagEvents: 9 };

function report(scenario: string, properties: readonly PropertyResult[], over: Partial<ScenarioReport> = {}): ScenarioReport {
  return {
    scenario,
    file: `scenarios/${scenario}.yaml`,
    finalNegativeInventory: [],
    seed: 7,
    verdict: properties.every((p) => p.holds) ? 'pass' : 'fail',
    properties,
    models: { 'product-inventory': model, products: model, 'customer-order-summary': model },
    convergedAfterMs: 1_234,
    writeModel: { accepted: 3, unpublished: 0, publishedTwice: 0, phantom: 0, examples: [] },
    reservations: { mode: 'check', strandedOrders: 0, mismatches: [] },
    caughtUpDivergence: {},
    workload: { placed: 120, rejected: 4, unavailable: 0, invalid: 0, catalogChanges: 6, catalogRefused: 0, lagBehindScheduleMsMax: 5 },
    events: { stream: 42, undecodable: 1 },
    timeline: [{ atMs: 100, label: 'products consumer down', phase: 'fault-start' }],
    samples: [{ atMs: 250, headSeq: 10, outboxBacklog: { orders: 1, inventory: 0 }, models: { 'product-inventory': { divergent: 0, lagEvents: 0, state: 'idle', checkpoint: 0 }, products: { divergent: 1, lagEvents: 2, state: 'idle', checkpoint: 0 }, 'customer-order-summary': { divergent: 0, lagEvents: 0, state: 'idle', checkpoint: 0 } } }],
    durationMs: 4_567,
    ...over,
  };
}

const held = (name: string): PropertyResult => ({ name, holds: true, detail: 'fine' });
const failed = (name: string, detail = 'broken'): PropertyResult => ({ name, holds: false, detail });

describe('jsonLine', () => {
  it('is one line of JSON without the samples, and parses back to the rest of the report', () => {
    const r = report('flagship', [held('converges'), failed('nothingLost')]);
    const line = jsonLine(r);
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).not.toContain('samples');
    const { samples: _samples, ...rest } = r;
    expect(parsed).toEqual(rest);
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
    for (const [, value = ''] of attrs.matchAll(/="([^"]*)"/g)) expect(value.replace(/&(amp|lt|gt|quot);/g, '')).not.toMatch(/[<>&]/);
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
    report('x', [held('converges')], { convergedAfterMs: null, workload: { ...report('x', []).workload, placed: 7 } }),
  ];
  const lines = summaryTable(reports).split('\n');

  it('has a header and one row per report, in order', () => {
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^scenario\s+verdict\s+converged\s+orders\s+failed properties$/);
    expect(lines[1]).toMatch(/^flagship-summary-outage\s+FAIL\s+1234 ms\s+120\s+noWrongValues, nothingLost$/);
    expect(lines[2]).toMatch(/^x\s+PASS\s+never\s+7\s+-$/);
  });

  it('aligns the columns', () => {
    const at = (line: string | undefined, word: string) => line?.indexOf(word);
    expect(at(lines[1], 'FAIL')).toBe(at(lines[0], 'verdict'));
    expect(at(lines[2], 'PASS')).toBe(at(lines[0], 'verdict'));
    expect(at(lines[2], 'never')).toBe(at(lines[0], 'converged'));
  });

  it('is only the header for no reports', () => {
    expect(summaryTable([]).split('\n')).toHaveLength(1);
  });
});

describe('progressLine', () => {
  const lags: Record<ReadModelName, number> = { 'product-inventory': 3, products: 0, 'customer-order-summary': 12 };
  const progress = (activeFaults: readonly string[]): Progress => ({ elapsedMs: 12_345, phase: 'workload', ordersPlaced: 77, activeFaults, lagEvents: lags });

  it('names the scenario and time, and every model’s lag', () => {
    const line = progressLine('flagship', progress([]));
    expect(line).toMatch(/^\[flagship\]\s+12\.3 s\s+workload\s+orders\s+77/);
    expect(line).toContain('inventory lag 3');
    expect(line).toContain('products lag 0');
    expect(line).toContain('summary lag 12');
    expect(line).toContain('no active faults');
  });

  it('lists each active fault', () => {
    const line = progressLine('f', progress(['products consumer down', 'broker paused (SIGSTOP)']));
    expect(line).toMatch(/\| products consumer down; broker paused \(SIGSTOP\)$/);
    expect(line).not.toContain('no active faults');
  });
});

describe('scenarioDetail', () => {
  it('marks each property and gives each model’s buckets', () => {
    const text = scenarioDetail(report('s', [held('converges'), failed('nothingLost', 'lost: products: 1 missing')]));
    const lines = text.split('\n');
    expect(lines[0]).toBe('FAIL s (seed 7, 4.6 s, 42 events)');
    expect(lines[1]).toBe('  ✓ converges: fine');
    expect(lines[2]).toBe('  ✗ nothingLost: lost: products: 1 missing');
    expect(lines.slice(3)).toHaveLength(3);
    for (const line of lines.slice(3)) expect(line).toContain('ok 5, missing 1, unexpected 0, wrong 2, duplicated 0; max lag 9 events, redeliveries 3, dead letters 1');
  });
});
