import fc from 'fast-check';
import { READ_MODELS } from '../actors/system.js';
import type { ExpectationSpec, FaultSpec, ReadModelTarget, RemediationSpec, Scenario, SystemSpec, WorkloadSpec } from '../scenarios/scenario.js';

/**
 * Generated scenarios for the property suites: small seeded workloads and fault schedules drawn from every fault
 * kind the runner knows, with the remediation each fault needs to be healable (a fix and a rebuild for bugs) and
 * the universal expectations. Small on purpose: shrinking works on them, and hundreds run in a CI minute.
 */

const target = fc.constantFrom<ReadModelTarget>(...READ_MODELS);

export const workloadArb: fc.Arbitrary<WorkloadSpec> = fc.record({
  durationMs: fc.integer({ min: 500, max: 2_500 }),
  ordersPerSecond: fc.integer({ min: 2, max: 30 }),
  concurrency: fc.integer({ min: 1, max: 16 }),
  customers: fc.integer({ min: 1, max: 8 }),
  products: fc.integer({ min: 1, max: 5 }),
  hotProductSkew: fc.constantFrom(0, 1, 2),
  initialStock: fc.integer({ min: 0, max: 60 }).map((n) => ({ min: n, max: n })),
  itemsPerOrder: fc.integer({ min: 1, max: 3 }).map((max) => ({ min: 1, max })),
  quantityPerItem: fc.integer({ min: 1, max: 3 }).map((max) => ({ min: 1, max })),
  stockAdjustmentsPerSecond: fc.constantFrom(0, 1, 4),
  renamesPerSecond: fc.constantFrom(0, 1, 4),
  repricesPerSecond: fc.constantFrom(0, 1),
});

const eventMatch = fc.constantFrom(
  {},
  { eventType: 'OrderPlaced' },
  { eventType: 'ProductRenamed' },
  { eventType: 'StockAdjusted' },
  { productId: 'prod_0000' },
);

/** One fault starting before `durationMs`. Durations stay short so a run heals well inside its bound. */
function faultArb(durationMs: number): fc.Arbitrary<FaultSpec> {
  const atMs = fc.integer({ min: 0, max: durationMs - 1 });
  const span = fc.integer({ min: 100, max: 1_500 });
  return fc.oneof(
    fc.record({ kind: fc.constant('consumerOutage' as const), target, atMs, durationMs: span }),
    fc.record({ kind: fc.constant('crashMidBatch' as const), target, atMs, times: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('handlerBug' as const), target, atMs, match: eventMatch }),
    fc.record({ kind: fc.constant('silentCorruption' as const), target, atMs, match: eventMatch }),
    fc.record({ kind: fc.constant('slowConsumer' as const), target, atMs, latencyMs: fc.integer({ min: 10, max: 300 }), durationMs: span }),
    fc.record({ kind: fc.constant('poisonEvent' as const), atMs, count: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('dependencyLag' as const), atMs, durationMs: span }),
    fc.record({ kind: fc.constant('brokerPause' as const), atMs, durationMs: fc.integer({ min: 100, max: 1_000 }) }),
    fc.record({ kind: fc.constant('brokerRestart' as const), atMs, downMs: fc.integer({ min: 100, max: 1_000 }) }),
    fc.record({ kind: fc.constant('outboxRelayOutage' as const), target: fc.constantFrom('orders' as const, 'inventory' as const), atMs, durationMs: span }),
  );
}

/**
 * Bugs get fixed after the workload, then every model a bug touched is rebuilt — the only repair for silent damage —
 * and so is every model that read from it: the summary copies product names out of Products, so corrupt names
 * spread to it and a rebuild of Products alone leaves them there (the property suite found exactly that).
 * Rebuilds run in dependency order.
 */
export function remediationFor(faults: readonly FaultSpec[]): RemediationSpec[] {
  const bugged = new Set<ReadModelTarget>();
  for (const f of faults) if (f.kind === 'handlerBug' || f.kind === 'silentCorruption') bugged.add(f.target);
  const rebuild = new Set(bugged);
  if (bugged.has('products')) rebuild.add('customer-order-summary');
  return [
    ...[...bugged].map((target) => ({ action: 'deployFix' as const, target, afterWorkload: true })),
    ...READ_MODELS.filter((m) => rebuild.has(m)).map((target) => ({ action: 'rebuild' as const, target, afterWorkload: true })),
  ];
}

/**
 * The properties every healed run must satisfy. Reserve mode's guarantee is checked by the suite itself on the final
 * state (see failuresOf), not as `inventoryNeverNegative` at every prefix of the log: the suite found that during a
 * broker outage the two services' outboxes can publish an OrderPlaced before the StockAdjusted whose stock it
 * reserved, so the log dips below zero for a moment although no reservation ever exceeded the stock.
 */
export function universalExpectations(system: SystemSpec, faults: readonly FaultSpec[]): ExpectationSpec[] {
  const poison = faults.reduce((n, f) => n + (f.kind === 'poisonEvent' ? f.count : 0), 0);
  const expectations: ExpectationSpec[] = [
    { property: 'converges', withinMs: 30_000 },
    { property: 'nothingLost' },
    { property: 'noDuplicatedEffect' },
    { property: 'noWrongValues' },
    { property: 'writeModelPublishedOnce' },
    { property: 'rebuildEqualsIncremental' },
    ...READ_MODELS.map((m) => ({ property: 'deadLetters' as const, target: m, count: poison })),
  ];
  return expectations;
}

export const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    inventoryMode: fc.constantFrom('check' as const, 'reserve' as const),
    consumer: fc.record({
      ackWaitMs: fc.constantFrom(300, 1_000, 2_000),
      maxDeliveries: fc.integer({ min: 1, max: 5 }),
      batchSize: fc.constantFrom(1, 3, 16, 256),
      initialBackoffMs: fc.constantFrom(10, 50, 100),
      maxBackoffMs: fc.constantFrom(200, 1_000),
    }),
    workload: workloadArb,
    seed: fc.integer({ min: 0, max: 0xffff_ffff }),
  })
  .chain(({ inventoryMode, consumer, workload, seed }) =>
    fc.array(faultArb(workload.durationMs), { maxLength: 4 }).map((faults): Scenario => {
      const system: SystemSpec = { inventoryMode, summaryDependency: 'wait', consumer };
      return {
        name: 'generated',
        description: 'A generated workload and fault schedule (property suite).',
        teaches: 'Counterexample found by the property suite; replay it with cqrs-testbed run.',
        seed,
        timeoutMs: 120_000,
        system,
        workload,
        faults,
        remediation: remediationFor(faults),
        expect: universalExpectations(system, faults),
        file: '(generated)',
      };
    }),
  );
