import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/result.js';
import {
  formatScenarioErrors,
  loadScenarioFile,
  parseScenario,
  type ScenarioError,
} from '../../src/scenarios/loadScenario.js';
import type { Scenario } from '../../src/scenarios/scenario.js';
import { SCENARIO_SCHEMA } from '../../src/scenarios/scenarioSchema.js';

const FILE = 'scenarios/under-test.yaml';

/** Every field written out, and one fault of every kind: the YAML shape must be exactly the TS shape. */
const COMPLETE = `
name: full-house
description: Every field written out.
teaches: How every knob is spelled.
seed: 42
timeoutMs: 120000
system:
  inventoryMode: reserve
  summaryDependency: naive
  consumer:
    ackWaitMs: 1500
    maxDeliveries: 3
    batchSize: 64
    initialBackoffMs: 50
    maxBackoffMs: 800
workload:
  durationMs: 30000
  ordersPerSecond: 40
  concurrency: 16
  customers: 100
  products: 12
  hotProductSkew: 1.5
  initialStock: {min: 5, max: 50}
  itemsPerOrder: {min: 1, max: 4}
  quantityPerItem: {min: 1, max: 2}
  stockAdjustmentsPerSecond: 2
  renamesPerSecond: 0.5
  repricesPerSecond: 0.25
faults:
  - {kind: consumerOutage, atMs: 1000, target: product-inventory, durationMs: 3000}
  - {kind: crashMidBatch, atMs: 2000, target: products, times: 2}
  - kind: handlerBug
    atMs: 3000
    target: customer-order-summary
    match: {eventType: OrderPlaced, productId: prod_0003}
  - {kind: silentCorruption, atMs: 4000, target: products, match: {}}
  - {kind: slowConsumer, atMs: 5000, target: product-inventory, latencyMs: 200, durationMs: 2000}
  - {kind: poisonEvent, atMs: 6000, count: 3}
  - {kind: dependencyLag, atMs: 7000, durationMs: 4000}
  - {kind: brokerPause, atMs: 8000, durationMs: 1000}
  - {kind: brokerRestart, atMs: 9000, downMs: 2000}
  - {kind: outboxRelayOutage, atMs: 10000, target: orders, durationMs: 3000}
remediation:
  - {action: deployFix, target: customer-order-summary, atMs: 12000}
  - {action: deployFix, target: products, afterWorkload: true}
  - {action: replayDeadLetters, target: customer-order-summary, afterWorkload: true}
  - {action: rebuild, target: products, afterWorkload: true}
  - {action: restartConsumer, target: product-inventory, atMs: 15000}
expect:
  - {property: converges, withinMs: 20000}
  - {property: deadLetters, target: customer-order-summary, count: 0}
  - property: nothingLost
  - {violation: noWrongValues}
  - {violation: converges, withinMs: 100}
  - {violation: deadLetters, target: products, count: 0}
`;

const COMPLETE_VALUE: Scenario = {
  name: 'full-house',
  description: 'Every field written out.',
  teaches: 'How every knob is spelled.',
  seed: 42,
  timeoutMs: 120_000,
  system: {
    inventoryMode: 'reserve',
    summaryDependency: 'naive',
    consumer: {
      ackWaitMs: 1500,
      maxDeliveries: 3,
      batchSize: 64,
      initialBackoffMs: 50,
      maxBackoffMs: 800,
      handlerMsPerEvent: 0,
    },
  },
  workload: {
    durationMs: 30_000,
    ordersPerSecond: 40,
    concurrency: 16,
    customers: 100,
    products: 12,
    hotProductSkew: 1.5,
    initialStock: { min: 5, max: 50 },
    itemsPerOrder: { min: 1, max: 4 },
    quantityPerItem: { min: 1, max: 2 },
    stockAdjustmentsPerSecond: 2,
    renamesPerSecond: 0.5,
    repricesPerSecond: 0.25,
    repeatedLineShare: 0,
    stockAdjustmentDelta: { min: 1, max: 20 },
  },
  faults: [
    { kind: 'consumerOutage', atMs: 1000, target: 'product-inventory', durationMs: 3000 },
    { kind: 'crashMidBatch', atMs: 2000, target: 'products', times: 2 },
    {
      kind: 'handlerBug',
      atMs: 3000,
      target: 'customer-order-summary',
      match: { eventType: 'OrderPlaced', productId: 'prod_0003' },
    },
    { kind: 'silentCorruption', atMs: 4000, target: 'products', match: {} },
    { kind: 'slowConsumer', atMs: 5000, target: 'product-inventory', latencyMs: 200, durationMs: 2000 },
    { kind: 'poisonEvent', atMs: 6000, count: 3 },
    { kind: 'dependencyLag', atMs: 7000, durationMs: 4000 },
    { kind: 'brokerPause', atMs: 8000, durationMs: 1000 },
    { kind: 'brokerRestart', atMs: 9000, downMs: 2000 },
    { kind: 'outboxRelayOutage', atMs: 10_000, target: 'orders', durationMs: 3000 },
  ],
  remediation: [
    { action: 'deployFix', target: 'customer-order-summary', atMs: 12_000 },
    { action: 'deployFix', target: 'products', afterWorkload: true },
    { action: 'replayDeadLetters', target: 'customer-order-summary', afterWorkload: true },
    { action: 'rebuild', target: 'products', afterWorkload: true },
    { action: 'restartConsumer', target: 'product-inventory', atMs: 15_000 },
  ],
  expect: [
    { property: 'converges', withinMs: 20_000 },
    { property: 'deadLetters', target: 'customer-order-summary', count: 0 },
    { property: 'nothingLost' },
    { violation: 'noWrongValues' },
    { violation: 'converges', withinMs: 100 },
    { violation: 'deadLetters', target: 'products', count: 0 },
  ],
  file: FILE,
};

const MINIMAL = `
name: minimal
description: Orders only.
teaches: The defaults.
workload:
  durationMs: 5000
  ordersPerSecond: 20
faults:
  - kind: handlerBug
    atMs: 1000
    target: products
    match: {eventType: ProductRenamed}
remediation:
  - {action: deployFix, target: products, atMs: 2000}
expect:
  - {property: converges, withinMs: 10000}
`;

/** MINIMAL with one change; throws if the text to change is not there, so a stale edit cannot pass vacuously. */
function edit(from: string, to: string, text = MINIMAL): string {
  if (!text.includes(from)) throw new Error(`fixture has no ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

function errorsOf(r: Result<Scenario, ScenarioError[]>): ScenarioError[] {
  if (r.ok) throw new Error(`expected errors, got a scenario: ${JSON.stringify(r.value)}`);
  return r.error;
}

describe('parseScenario: valid files', () => {
  it('loads a complete scenario exactly as written', () => {
    expect(parseScenario(COMPLETE, FILE)).toEqual({ ok: true, value: COMPLETE_VALUE });
  });

  it('fills in every default of a minimal scenario', () => {
    expect(parseScenario(MINIMAL, FILE)).toEqual({
      ok: true,
      value: {
        name: 'minimal',
        description: 'Orders only.',
        teaches: 'The defaults.',
        seed: 1,
        timeoutMs: 60_000,
        system: {
          inventoryMode: 'check',
          summaryDependency: 'wait',
          consumer: {
            ackWaitMs: 2000,
            maxDeliveries: 5,
            batchSize: 256,
            initialBackoffMs: 100,
            maxBackoffMs: 2000,
            handlerMsPerEvent: 0,
          },
        },
        workload: {
          durationMs: 5000,
          ordersPerSecond: 20,
          concurrency: 8,
          customers: 20,
          products: 8,
          hotProductSkew: 1,
          initialStock: { min: 100, max: 100 },
          itemsPerOrder: { min: 1, max: 3 },
          quantityPerItem: { min: 1, max: 3 },
          stockAdjustmentsPerSecond: 0,
          renamesPerSecond: 0,
          repricesPerSecond: 0,
          repeatedLineShare: 0,
          stockAdjustmentDelta: { min: 1, max: 20 },
        },
        faults: [{ kind: 'handlerBug', atMs: 1000, target: 'products', match: { eventType: 'ProductRenamed' } }],
        remediation: [{ action: 'deployFix', target: 'products', atMs: 2000 }],
        expect: [{ property: 'converges', withinMs: 10_000 }],
        file: FILE,
      } satisfies Scenario,
    });
  });

  it('loads crash points to arm before the workload (what a check --crash-point counterexample records)', () => {
    const text = edit(
      'workload:',
      'crashPoints:\n  - {target: customer-order-summary, point: between-writes, times: 2}\nworkload:',
    );
    const r = parseScenario(text, FILE);
    expect(r.ok && r.value.crashPoints).toEqual([
      { target: 'customer-order-summary', point: 'between-writes', times: 2 },
    ]);
  });

  it('fills defaults inside a partly given system section', () => {
    const r = parseScenario(edit('workload:', 'system:\n  consumer: {batchSize: 10}\nworkload:'), FILE);
    expect(r.ok && r.value.system).toEqual({
      inventoryMode: 'check',
      summaryDependency: 'wait',
      consumer: {
        ackWaitMs: 2000,
        maxDeliveries: 5,
        batchSize: 10,
        initialBackoffMs: 100,
        maxBackoffMs: 2000,
        handlerMsPerEvent: 0,
      },
    });
  });
});

/** Each a one-line mistake: exactly one error, at `path`, whose message says what was expected. */
const MISTAKES: { what: string; text: string; path: string; says: string[] }[] = [
  {
    what: 'unknown (misspelt) key',
    text: edit('durationMs: 5000', 'durationMS: 5000'),
    path: 'workload.durationMS',
    says: ['unknown key "durationMS"', 'did you mean "durationMs"?', 'expected one of: durationMs, ordersPerSecond,'],
  },
  {
    what: 'misspelt fault kind',
    text: edit('kind: handlerBug', 'kind: handlerBgu'),
    path: 'faults[0].kind',
    says: [
      'must be one of consumerOutage, crashMidBatch, handlerBug,',
      'outboxRelayOutage',
      '(got "handlerBgu")',
      'did you mean "handlerBug"?',
    ],
  },
  {
    what: 'fault without kind',
    text: edit('kind: handlerBug', 'knd: handlerBug'),
    path: 'faults[0]',
    says: ['must have "kind" (one of consumerOutage,'],
  },
  {
    what: 'field of another fault kind',
    text: edit('match: {eventType: ProductRenamed}', 'match: {}\n    durationMs: 100'),
    path: 'faults[0].durationMs',
    says: ['unknown key "durationMs"', 'expected one of: kind, atMs, target, match'],
  },
  {
    what: 'bad fault target',
    text: edit('target: products\n    match', 'target: product\n    match'),
    path: 'faults[0].target',
    says: ['must be one of product-inventory, products, customer-order-summary (got "product")'],
  },
  {
    what: 'wrong type',
    text: edit('ordersPerSecond: 20', 'ordersPerSecond: lots'),
    path: 'workload.ordersPerSecond',
    says: ['must be a number from 0 to 5000 (got "lots")'],
  },
  {
    what: 'number written with "_"',
    text: edit('durationMs: 5000', 'durationMs: 5_000'),
    path: 'workload.durationMs',
    says: ['must be an integer from 100 to 600000 (got "5_000")', 'without "_"'],
  },
  {
    what: 'out-of-range number',
    text: edit('ordersPerSecond: 20', 'ordersPerSecond: 20\n  concurrency: 1000'),
    path: 'workload.concurrency',
    says: ['must be an integer from 1 to 512 (got 1000)'],
  },
  {
    what: 'out-of-range range bound',
    text: edit('ordersPerSecond: 20', 'ordersPerSecond: 20\n  itemsPerOrder: {min: 0, max: 2}'),
    path: 'workload.itemsPerOrder.min',
    says: ['must be an integer from 1 to 100 (got 0)'],
  },
  {
    what: 'range with min > max',
    text: edit('ordersPerSecond: 20', 'ordersPerSecond: 20\n  itemsPerOrder: {min: 4, max: 2}'),
    path: 'workload.itemsPerOrder',
    says: ['min (4) must not be more than max (2)'],
  },
  {
    what: 'missing required key',
    text: edit('teaches: The defaults.\n', ''),
    path: 'teaches',
    says: ['is required: a non-empty string'],
  },
  {
    what: 'bad name',
    text: edit('name: minimal', 'name: Minimal Scenario'),
    path: 'name',
    says: ['kebab-case', '(got "Minimal Scenario")'],
  },
  {
    what: 'no expectations',
    text: edit('expect:\n  - {property: converges, withinMs: 10000}', 'expect: []'),
    path: 'expect',
    says: ['must have at least 1 item(s) (got 0)'],
  },
  {
    what: 'misspelt property',
    text: edit('property: converges', 'property: converge'),
    path: 'expect[0].property',
    says: ['must be one of converges, deadLetters, convergenceLatency, nothingLost,', 'did you mean "converges"?'],
  },
  {
    what: 'converges without withinMs',
    text: edit('{property: converges, withinMs: 10000}', '{property: converges}'),
    path: 'expect[0].withinMs',
    says: ['is required: an integer from 0 to 600000'],
  },
  {
    what: 'dead letters of an outbox',
    text: edit('{property: converges, withinMs: 10000}', '{property: deadLetters, target: orders, count: 0}'),
    path: 'expect[0].target',
    says: ['must be one of product-inventory, products, customer-order-summary (got "orders")'],
  },
  {
    what: 'no deployFix for a bug',
    text: edit('{action: deployFix, target: products, atMs: 2000}', '{action: rebuild, target: products, atMs: 2000}'),
    path: 'faults[0]',
    says: ['no deployFix on products comes after atMs 1000', 'add {action: deployFix, target: products'],
  },
  {
    what: 'deployFix before the bug',
    text: edit('atMs: 2000}', 'atMs: 500}'),
    path: 'faults[0]',
    says: ['no deployFix on products comes after atMs 1000'],
  },
  {
    what: 'deployFix on another target',
    text: edit('{action: deployFix, target: products,', '{action: deployFix, target: product-inventory,'),
    path: 'faults[0]',
    says: ['no deployFix on products'],
  },
  {
    what: 'fault after the workload',
    text: edit('remediation:', '  - {kind: brokerPause, atMs: 5000, durationMs: 1000}\nremediation:'),
    path: 'faults[1].atMs',
    says: ['must be before the end of the workload (workload.durationMs is 5000) (got 5000)'],
  },
  {
    what: 'remediation with atMs and afterWorkload',
    text: edit('atMs: 2000}', 'atMs: 2000, afterWorkload: true}'),
    path: 'remediation[0]',
    says: ['exactly one of atMs or afterWorkload: true (got both)'],
  },
  {
    what: 'remediation with neither',
    text: edit('{action: deployFix, target: products, atMs: 2000}', '{action: deployFix, target: products}'),
    path: 'remediation[0]',
    says: ['must have atMs', 'or afterWorkload: true'],
  },
  {
    what: 'afterWorkload: false',
    text: edit('atMs: 2000}', 'afterWorkload: false}'),
    path: 'remediation[0].afterWorkload',
    says: ['must be true (got false)'],
  },
  {
    what: 'broker node kill without a cluster',
    text: edit(
      '  - kind: handlerBug',
      '  - {kind: brokerNodeKill, atMs: 1500, node: leader, restartAfterMs: 500}\n  - kind: handlerBug',
    ),
    path: 'faults[0]',
    says: ['needs a broker cluster: add system.topology: {brokers: 3}'],
  },
  {
    what: 'broker node kill of a node the cluster does not have',
    text: edit(
      '  - kind: handlerBug',
      '  - {kind: brokerNodeKill, atMs: 1500, node: 3, restartAfterMs: 500}\n  - kind: handlerBug',
      edit('workload:', 'system:\n  topology: {brokers: 3}\nworkload:'),
    ),
    path: 'faults[0].node',
    says: ['must be a node of the cluster, 0 to 2 (got 3)'],
  },
  {
    what: 'partition without a cluster',
    text: edit(
      '  - kind: handlerBug',
      '  - {kind: partition, atMs: 1500, node: 0, durationMs: 500}\n  - kind: handlerBug',
    ),
    path: 'faults[0]',
    says: ['a partition needs a broker cluster: add system.topology: {brokers: 3}'],
  },
  {
    what: 'clean broker node restart of a node the cluster does not have',
    text: edit(
      '  - kind: handlerBug',
      '  - {kind: brokerNodeRestart, atMs: 1500, node: 4, downMs: 500}\n  - kind: handlerBug',
      edit('workload:', 'system:\n  topology: {brokers: 3}\nworkload:'),
    ),
    path: 'faults[0].node',
    says: ['must be a node of the cluster, 0 to 2 (got 4)'],
  },
  {
    what: 'partition without durationMs',
    text: edit(
      '  - kind: handlerBug',
      '  - {kind: partition, atMs: 1500, node: leader}\n  - kind: handlerBug',
      edit('workload:', 'system:\n  topology: {brokers: 3}\nworkload:'),
    ),
    path: 'faults[0].durationMs',
    says: ['is required: an integer from 100 to 600000'],
  },
  {
    what: 'an even number of brokers',
    text: edit('workload:', 'system:\n  topology: {brokers: 2}\nworkload:'),
    path: 'system.topology.brokers',
    says: ['must be 1, 3 or 5'],
  },
  {
    what: 'crash point without times',
    text: edit('workload:', 'crashPoints:\n  - {target: customer-order-summary, point: between-writes}\nworkload:'),
    path: 'crashPoints[0].times',
    says: ['is required: an integer from 1 to 1000'],
  },
  {
    what: 'timeout shorter than the workload',
    text: edit('workload:', 'timeoutMs: 4000\nworkload:'),
    path: 'timeoutMs',
    says: ['must be more than workload.durationMs (5000)'],
  },
  {
    what: 'backoff cap below its start',
    text: edit('workload:', 'system:\n  consumer: {initialBackoffMs: 500, maxBackoffMs: 100}\nworkload:'),
    path: 'system.consumer.maxBackoffMs',
    says: ['must be at least initialBackoffMs (500) (got 100)'],
  },
];

describe('parseScenario: mistakes', () => {
  it.each(MISTAKES)('$what: one error at $path', ({ text, path, says }) => {
    const errors = errorsOf(parseScenario(text, FILE));
    expect(errors.map((e) => e.path)).toEqual([path]);
    for (const s of says) expect(errors[0]?.message).toContain(s);
    expect(errors[0]?.file).toBe(FILE);
  });

  it('reports YAML syntax errors with line and column', () => {
    const errors = errorsOf(parseScenario(edit('  ordersPerSecond: 20', ' ordersPerSecond: 20'), FILE));
    expect(errors[0]).toMatchObject({ path: '', line: 7, column: 1 });
    expect(errors[0]?.message).toMatch(/^YAML syntax error: /);
  });

  it('rejects duplicate keys', () => {
    const errors = errorsOf(
      parseScenario(edit('ordersPerSecond: 20', 'ordersPerSecond: 20\n  ordersPerSecond: 30'), FILE),
    );
    expect(errors.map((e) => e.line)).toEqual([8]);
    expect(errors[0]?.message).toContain('unique');
  });

  it('reports every problem of a file, in file order, each with its position', () => {
    const text = edit('kind: handlerBug', 'kind: handlerBgu', edit('durationMs: 5000', 'durationMS: 5000'));
    const errors = errorsOf(parseScenario(text, FILE));
    expect(errors.map((e) => [e.path, e.line])).toEqual([
      ['workload.durationMS', 6],
      ['faults[0].kind', 9],
    ]);
  });

  it('formats one line per error, naming the file, position and path', () => {
    const errors = errorsOf(parseScenario(edit('kind: handlerBug', 'kind: handlerBgu'), FILE));
    expect(formatScenarioErrors(errors)).toMatch(
      /^scenarios\/under-test\.yaml:9:11: faults\[0\]\.kind: must be one of consumerOutage, .* \(got "handlerBgu"\)/,
    );
    expect(
      formatScenarioErrors([
        { file: 'a.yaml', path: '', message: 'is empty' },
        { file: 'a.yaml', path: 'x', message: 'bad' },
      ]),
    ).toBe('a.yaml: is empty\na.yaml: x: bad');
  });
});

describe('parseScenario: bounds', () => {
  const onlyMessage = (text: string): string => {
    const errors = errorsOf(parseScenario(text, FILE));
    expect(errors).toHaveLength(1);
    return errors[0]?.message ?? '';
  };

  it('rejects an empty file as not a mapping', () => {
    expect(onlyMessage('')).toMatch(
      /^must be a mapping with keys name, description, teaches, workload, expect \(required\)/,
    );
  });

  it('rejects a file over 256 KiB before parsing it', () => {
    expect(onlyMessage(`${MINIMAL}#${'x'.repeat(256 * 1024)}\n`)).toContain('limited to 262144');
  });

  it('rejects an alias bomb', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...['b', 'c', 'd', 'e'].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcd'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(onlyMessage(bomb)).toContain('Excessive alias count');
  });

  it('rejects pathological nesting before the parser sees it', () => {
    expect(onlyMessage(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)).toContain('nests 10000 levels deep');
    expect(onlyMessage(`${'- '.repeat(10_000)}x`)).toContain('nests 10000 levels deep');
  });
});

describe('loadScenarioFile', () => {
  it('returns an unreadable file as an error value', async () => {
    const r = await loadScenarioFile('scenarios/does-not-exist.yaml');
    expect(errorsOf(r)).toEqual([
      { file: 'scenarios/does-not-exist.yaml', path: '', message: expect.stringContaining('ENOENT') as string },
    ]);
  });
});

describe('scenarios/schema.json', () => {
  it('is the TS schema, regenerated (npm run scenario-schema)', () => {
    const onDisk: unknown = JSON.parse(readFileSync(new URL('../../scenarios/schema.json', import.meta.url), 'utf8'));
    expect(onDisk).toEqual(SCENARIO_SCHEMA);
  });
});
