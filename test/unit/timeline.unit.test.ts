import { describe, expect, it } from 'vitest';
import { realClock } from '../../src/actors/clock.js';
import type { RunningSystem } from '../../src/system/startSystem.js';
import type { ReadModelName } from '../../src/domain/readModels.js';
import type { FaultController } from '../../src/scenarios/faultController.js';
import type { FaultSpec, RemediationSpec, Scenario } from '../../src/scenarios/scenario.js';
import { faultEndMs, planTimeline, type TimelineContext } from '../../src/scenarios/timeline.js';
import type { Transport } from '../../src/transport/port.js';

// The timeline a scenario's faults and remediations become: when each step happens and which fault it starts or ends.

const scenario = (faults: readonly FaultSpec[], remediation: readonly RemediationSpec[] = []): Scenario => ({
  name: 't',
  description: '',
  teaches: '',
  seed: 1,
  system: {
    inventoryMode: 'check',
    summaryDependency: 'wait',
    consumer: {
      ackWaitMs: 1_000,
      maxDeliveries: 3,
      batchSize: 10,
      initialBackoffMs: 10,
      maxBackoffMs: 100,
      handlerMsPerEvent: 0,
    },
  },
  workload: {
    durationMs: 10_000,
    ordersPerSecond: 1,
    concurrency: 1,
    customers: 1,
    products: 1,
    hotProductSkew: 0,
    initialStock: { min: 1, max: 1 },
    itemsPerOrder: { min: 1, max: 1 },
    quantityPerItem: { min: 1, max: 1 },
    stockAdjustmentsPerSecond: 0,
    renamesPerSecond: 0,
    repricesPerSecond: 0,
    repeatedLineShare: 0,
    stockAdjustmentDelta: { min: 1, max: 20 },
  },
  faults,
  remediation,
  expect: [],
  timeoutMs: 60_000,
  file: 't.yaml',
});

describe('faultEndMs', () => {
  it.each<[FaultSpec, number]>([
    [{ kind: 'consumerOutage', atMs: 1_000, target: 'products', durationMs: 500 }, 1_500],
    [{ kind: 'slowConsumer', atMs: 1_000, target: 'products', latencyMs: 50, durationMs: 700 }, 1_700],
    [{ kind: 'dependencyLag', atMs: 2_000, durationMs: 300 }, 2_300],
    [{ kind: 'brokerPause', atMs: 2_000, durationMs: 400 }, 2_400],
    [{ kind: 'outboxRelayOutage', atMs: 2_000, target: 'orders', durationMs: 900 }, 2_900],
    [{ kind: 'brokerRestart', atMs: 3_000, downMs: 1_200 }, 4_200],
    [{ kind: 'crashMidBatch', atMs: 3_000, target: 'products', times: 2 }, 3_000],
    [{ kind: 'poisonEvent', atMs: 3_500, count: 1 }, 3_500],
  ])('%o ends at %d', (fault, end) => {
    expect(faultEndMs(fault, [])).toBe(end);
  });

  const bug = (atMs: number, target: ReadModelName = 'products'): FaultSpec => ({
    kind: 'handlerBug',
    atMs,
    target,
    match: { eventType: 'ProductRenamed' },
  });
  const fix = (target: ReadModelName, atMs?: number): RemediationSpec =>
    atMs === undefined ? { action: 'deployFix', target, afterWorkload: true } : { action: 'deployFix', target, atMs };

  it('ends a bug at the deployFix on its target, not at one on another target or another action', () => {
    const remediation: RemediationSpec[] = [
      fix('customer-order-summary', 2_000),
      { action: 'rebuild', target: 'products', atMs: 2_500 },
      fix('products', 3_000),
    ];
    expect(faultEndMs(bug(1_000), remediation)).toBe(3_000);
    expect(
      faultEndMs({ kind: 'silentCorruption', atMs: 1_000, target: 'customer-order-summary', match: {} }, remediation),
    ).toBe(2_000);
  });

  it('has no end on the timeline for a bug fixed only after the workload', () => {
    expect(faultEndMs(bug(1_000), [fix('products')])).toBeUndefined();
    expect(faultEndMs(bug(1_000), [fix('customer-order-summary', 2_000)])).toBeUndefined();
  });

  // Regression: it took the first deployFix listed on the target, even one deployed before this bug began.
  it('ends a bug at the first fix deployed after it began, whatever order the fixes are listed in', () => {
    expect(faultEndMs(bug(3_000), [fix('products', 2_000), fix('products', 4_000)])).toBe(4_000);
    expect(faultEndMs(bug(3_000), [fix('products', 6_000), fix('products', 4_000), fix('products', 2_000)])).toBe(
      4_000,
    );
  });
});

describe('planTimeline', () => {
  const faults: FaultSpec[] = [
    { kind: 'handlerBug', atMs: 5_000, target: 'products', match: { eventType: 'ProductRenamed' } }, // fault#0, fixed at 6000
    { kind: 'consumerOutage', atMs: 2_000, target: 'customer-order-summary', durationMs: 3_000 }, // fault#1
    { kind: 'poisonEvent', atMs: 1_000, count: 2 }, // fault#2
    { kind: 'silentCorruption', atMs: 1_500, target: 'products', match: { productId: 'prod_0001' } }, // fault#3, fixed at 3000
    { kind: 'crashMidBatch', atMs: 4_000, target: 'product-inventory', times: 1 }, // fault#4
    { kind: 'handlerBug', atMs: 2_500, target: 'customer-order-summary', match: {} }, // fault#5, fixed after the workload
    { kind: 'brokerPause', atMs: 500, durationMs: 200 }, // fault#6
  ];
  const remediation: RemediationSpec[] = [
    { action: 'deployFix', target: 'products', atMs: 6_000 },
    { action: 'rebuild', target: 'products', atMs: 7_000 },
    { action: 'deployFix', target: 'products', atMs: 3_000 },
    { action: 'deployFix', target: 'customer-order-summary', afterWorkload: true },
    { action: 'replayDeadLetters', target: 'customer-order-summary', afterWorkload: true },
  ];
  const { timed, afterWorkload } = planTimeline(scenario(faults, remediation));
  const summary = timed.map((s) => [s.atMs, s.phase, s.faultKey ?? s.label]);

  it('orders every step by time', () => {
    expect(summary).toEqual([
      [500, 'fault-start', 'fault#6'],
      [700, 'fault-end', 'fault#6'],
      [1_000, 'fault-start', 'fault#2'],
      [1_500, 'fault-start', 'fault#3'],
      [2_000, 'fault-start', 'fault#1'],
      [2_500, 'fault-start', 'fault#5'],
      [3_000, 'remediation', 'deployFix products'],
      [4_000, 'fault-start', 'fault#4'],
      [5_000, 'fault-start', 'fault#0'],
      [5_000, 'fault-end', 'fault#1'],
      [6_000, 'remediation', 'deployFix products'],
      [7_000, 'remediation', 'rebuild products'],
    ]);
  });

  it('pairs each fault-end with an earlier fault-start of the same faultKey, and a bug with the fix that ends it', () => {
    for (const end of timed.filter((s) => s.phase === 'fault-end')) {
      const starts = timed.filter((s) => s.phase === 'fault-start' && s.faultKey === end.faultKey);
      expect(starts).toHaveLength(1);
      expect(starts[0]?.atMs).toBeLessThanOrEqual(end.atMs);
    }
    const endsOf = (atMs: number) => timed.find((s) => s.phase === 'remediation' && s.atMs === atMs)?.ends;
    expect(endsOf(3_000)).toEqual(['fault#3']); // not fault#0: that bug begins at 5000, after this fix
    expect(endsOf(6_000)).toEqual(['fault#0']);
    expect(endsOf(7_000)).toEqual([]); // a rebuild ends no fault
  });

  it('gives bugs and instant faults no fault-end step', () => {
    const ended = new Set(timed.filter((s) => s.phase === 'fault-end').map((s) => s.faultKey));
    expect(ended).toEqual(new Set(['fault#1', 'fault#6']));
  });

  it('marks poisonEvent and crashMidBatch instant, and nothing else', () => {
    const instant = new Set(timed.filter((s) => s.instant === true).map((s) => s.faultKey));
    expect(instant).toEqual(new Set(['fault#2', 'fault#4']));
  });

  it('keeps afterWorkload remediations out of the timed steps, in their order', () => {
    expect(afterWorkload).toEqual([remediation[3], remediation[4]]);
    expect(timed.filter((s) => s.phase === 'remediation')).toHaveLength(3);
  });

  it('runs a fault that starts at the same time as its fix before the fix, so the fix ends it', () => {
    const plan = planTimeline(
      scenario(
        [
          { kind: 'handlerBug', atMs: 1_000, target: 'products', match: {} },
          { kind: 'silentCorruption', atMs: 2_000, target: 'products', match: {} },
        ],
        [{ action: 'deployFix', target: 'products', atMs: 2_000 }],
      ),
    ).timed;
    expect(plan.map((s) => s.faultKey ?? s.label)).toEqual(['fault#0', 'fault#1', 'deployFix products']);
    expect(plan[2]?.ends).toEqual(['fault#0', 'fault#1']);
  });
});

describe('timeline steps, run', () => {
  /** Records what each step asks of the system; only the parts the steps touch are filled in. */
  function recordingContext() {
    const calls: string[] = [];
    const sender = (who: string) => ({
      send: (e: { type: string }) => void calls.push(`${who} ${e.type}`),
      getSnapshot: () => ({ status: 'active' }),
    });
    const system = {
      readModels: {
        'product-inventory': { consumer: sender('inventory') },
        products: { consumer: sender('products') },
        'customer-order-summary': { consumer: sender('summary') },
      },
      relays: { orders: sender('orders relay'), inventory: sender('inventory relay') },
      killReadModel: (name: string) => void calls.push(`kill ${name}`),
      reviveReadModel: (name: string) => Promise.resolve(void calls.push(`revive ${name}`)),
    };
    type Faked =
      | 'setBug'
      | 'setCorruption'
      | 'setLatency'
      | 'addCrashes'
      | 'deployFix'
      | 'addOrderCrashes'
      | 'setAckLoss'
      | 'armCrashPoint'
      | 'nextCommit';
    const faults: Pick<FaultController, Faked> = {
      setBug: (name, match) => void calls.push(`bug ${name} ${JSON.stringify(match)}`),
      setCorruption: (name, match) => void calls.push(`corrupt ${name} ${JSON.stringify(match)}`),
      setLatency: (name, ms) => void calls.push(`latency ${name} ${ms}`),
      addCrashes: (name, times) => void calls.push(`crashes ${name} ${times}`),
      deployFix: (name) => void calls.push(`fix ${name}`),
      addOrderCrashes: (times) => void calls.push(`order crashes ${times}`),
      setAckLoss: (name, loss) => void calls.push(`ack loss ${name} ${loss === undefined ? 'off' : loss.ratio}`),
      armCrashPoint: (name, point, times) => void calls.push(`crash point ${name}:${point} ${times}`),
      nextCommit: (name) => {
        calls.push(`await commit ${name}`);
        return Promise.resolve(true);
      },
    };
    const transport: Pick<Transport, 'publish'> = {
      publish: (event) => {
        calls.push(`publish ${event.subject} ${event.msgId ?? ''}`);
        return Promise.resolve({ seq: 1, duplicate: false });
      },
    };
    const ctx = {
      system: system as unknown as RunningSystem, // a partial fake: RunningSystem is the whole wired system
      transport: transport as Transport,
      broker: {
        pause: () => void calls.push('broker pause'),
        resume: () => void calls.push('broker resume'),
        stop: () => Promise.resolve(void calls.push('broker stop')),
        restart: () => Promise.resolve(void calls.push('broker restart')),
      },
      faults: faults as FaultController,
      clock: realClock,
      seed: 9,
      awaitConsumer: () => Promise.resolve(),
    } satisfies TimelineContext;
    return { ctx, calls };
  }

  it('turns each fault and fix into the right calls, in time order', async () => {
    const { timed } = planTimeline(
      scenario(
        [
          { kind: 'consumerOutage', atMs: 100, target: 'products', durationMs: 100 },
          { kind: 'handlerBug', atMs: 300, target: 'customer-order-summary', match: { eventType: 'OrderPlaced' } },
          { kind: 'slowConsumer', atMs: 400, target: 'product-inventory', latencyMs: 25, durationMs: 100 },
          { kind: 'crashMidBatch', atMs: 600, target: 'products', times: 2 },
          { kind: 'poisonEvent', atMs: 700, count: 2 },
          { kind: 'outboxRelayOutage', atMs: 800, target: 'inventory', durationMs: 50 },
          { kind: 'brokerRestart', atMs: 900, downMs: 10 },
          { kind: 'dependencyLag', atMs: 1_000, durationMs: 10 },
        ],
        [{ action: 'deployFix', target: 'customer-order-summary', atMs: 650 }],
      ),
    );
    const { ctx, calls } = recordingContext();
    for (const step of timed) await step.run(ctx);
    expect(calls).toEqual([
      'products STOP',
      'products START',
      'bug customer-order-summary {"eventType":"OrderPlaced"}',
      'latency product-inventory 25',
      'latency product-inventory 0',
      'crashes products 2',
      'fix customer-order-summary',
      'publish shop.products.added poison-9-fault#4-700-0',
      'publish shop.products.added poison-9-fault#4-700-1',
      'inventory relay STOP',
      'inventory relay START',
      'broker stop',
      'broker restart',
      'products STOP',
      'products START',
    ]);
  });

  it('turns the process, ack and order faults into their calls: a restart kills after the commit, then revives', async () => {
    const { timed } = planTimeline(
      scenario(
        [
          { kind: 'orderServiceCrash', atMs: 100, times: 3 },
          { kind: 'ackLoss', atMs: 200, target: 'products', durationMs: 100, ratio: 0.5 },
          { kind: 'processRestart', atMs: 400, target: 'product-inventory', restartAfterMs: 0, when: 'afterCommit' },
          { kind: 'processRestart', atMs: 500, target: 'products', restartAfterMs: 0, when: 'now' },
          { kind: 'crashPoint', atMs: 600, target: 'customer-order-summary', point: 'between-writes', times: 2 },
        ],
        [],
      ),
    );
    const { ctx, calls } = recordingContext();
    for (const step of timed) await step.run(ctx);
    expect(calls).toEqual([
      'order crashes 3',
      'ack loss products 0.5',
      'ack loss products off',
      'await commit product-inventory',
      'kill product-inventory',
      'revive product-inventory',
      'kill products',
      'revive products',
      'crash point customer-order-summary:between-writes 2',
    ]);
    expect(timed.filter((s) => s.instant === true).map((s) => s.label)).toEqual([
      'order service dies between inventory check and commit (×3)',
      'customer-order-summary crashes at crash point "between-writes" (×2)',
    ]);
  });
});
