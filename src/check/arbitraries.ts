import fc from 'fast-check';
import { READ_MODELS, type ReadModelName } from '../domain/readModels.js';
import type {
  ExpectationSpec,
  FaultSpec,
  RemediationSpec,
  Scenario,
  SystemSpec,
  WorkloadSpec,
} from '../scenarios/scenario.js';

/**
 * Generated scenarios for the property suites: small seeded workloads and fault schedules drawn from every fault
 * kind the runner knows, with the remediation each fault needs to be healable (a fix and a rebuild for bugs) and
 * the universal expectations. Small on purpose: shrinking works on them, and hundreds run in a CI minute.
 */

const anyTarget = fc.constantFrom<ReadModelName>(...READ_MODELS);

/**
 * Which read model a consumer fault hits: any, or — with plug-ins under test — three times in four one of theirs.
 * The suite is there to judge the plug-in; faults spread evenly over the built-ins would mostly test those.
 */
function targetArb(focus: readonly ReadModelName[]): fc.Arbitrary<ReadModelName> {
  if (focus.length === 0) return anyTarget;
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...focus) }, { weight: 1, arbitrary: anyTarget });
}

/**
 * Generated workloads. With plug-ins under test, every workload exercises what they read: a Products or summary
 * plug-in always sees renames, an inventory plug-in always sees stock adjustments (a third of the default workloads
 * have none, and would test nothing of it).
 */
export function workloadArbFor(focus: readonly ReadModelName[] = []): fc.Arbitrary<WorkloadSpec> {
  const names = focus.includes('products') || focus.includes('customer-order-summary');
  const stock = focus.includes('product-inventory');
  return fc.record({
    durationMs: fc.integer({ min: 500, max: 2_500 }),
    ordersPerSecond: fc.integer({ min: 2, max: 30 }),
    concurrency: fc.integer({ min: 1, max: 16 }),
    customers: fc.integer({ min: 1, max: 8 }),
    products: fc.integer({ min: 1, max: 5 }),
    hotProductSkew: fc.constantFrom(0, 1, 2),
    initialStock: fc.integer({ min: 0, max: 60 }).map((n) => ({ min: n, max: n })),
    itemsPerOrder: fc.integer({ min: 1, max: 3 }).map((max) => ({ min: 1, max })),
    quantityPerItem: fc.integer({ min: 1, max: 3 }).map((max) => ({ min: 1, max })),
    // Orders that name a product twice, adjustments that take stock away, and (workload.ts) renames whose names sort
    // in no particular order: each is a way real input differs from a tidy one, and a projection bug hides there.
    repeatedLineShare: fc.constantFrom(0, 0, 0.3),
    stockAdjustmentsPerSecond: stock ? fc.constantFrom(1, 4) : fc.constantFrom(0, 1, 4),
    stockAdjustmentDelta: fc.constantFrom({ min: 1, max: 20 }, { min: -10, max: 20 }, { min: -20, max: 5 }),
    renamesPerSecond: names ? fc.constantFrom(1, 4, 8) : fc.constantFrom(0, 1, 4),
    repricesPerSecond: names ? fc.constantFrom(1, 4) : fc.constantFrom(0, 1),
  });
}

export const workloadArb: fc.Arbitrary<WorkloadSpec> = workloadArbFor();

const eventMatch = fc.constantFrom(
  {},
  { eventType: 'OrderPlaced' },
  { eventType: 'ProductRenamed' },
  { eventType: 'StockAdjusted' },
  { productId: 'prod_0000' },
);

/** A crash point a self-managed plug-in declares: the suite arms it by itself, at random times and counts. */
export interface DeclaredCrashPoint {
  readonly target: ReadModelName;
  readonly point: string;
}

/** One fault starting before `durationMs`. Durations stay short so a run heals well inside its bound. */
function faultArb(
  durationMs: number,
  crashPoints: readonly DeclaredCrashPoint[],
  focus: readonly ReadModelName[],
): fc.Arbitrary<FaultSpec> {
  const target = targetArb(focus);
  const atMs = fc.integer({ min: 0, max: durationMs - 1 });
  const span = fc.integer({ min: 100, max: 1_500 });
  const armed =
    crashPoints.length === 0
      ? []
      : [
          fc
            .record({
              kind: fc.constant('crashPoint' as const),
              declared: fc.constantFrom(...crashPoints),
              atMs,
              times: fc.integer({ min: 1, max: 3 }),
            })
            .map(({ declared, ...f }): FaultSpec => ({ ...f, target: declared.target, point: declared.point })),
        ];
  // With plug-ins under test, the faults that act on a consumer come three times as often as the others.
  const onConsumer = focus.length > 0 ? 3 : 1;
  const weighted = (weight: number) => (arbitrary: fc.Arbitrary<FaultSpec>) => ({ weight, arbitrary });
  const consumerFaults: fc.Arbitrary<FaultSpec>[] = [
    fc.record({ kind: fc.constant('consumerOutage' as const), target, atMs, durationMs: span }),
    fc.record({ kind: fc.constant('crashMidBatch' as const), target, atMs, times: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('handlerBug' as const), target, atMs, match: eventMatch }),
    fc.record({ kind: fc.constant('silentCorruption' as const), target, atMs, match: eventMatch }),
    fc.record({
      kind: fc.constant('slowConsumer' as const),
      target,
      atMs,
      latencyMs: fc.integer({ min: 10, max: 300 }),
      durationMs: span,
    }),
    fc.record({
      kind: fc.constant('ackLoss' as const),
      target,
      atMs,
      durationMs: span,
      ratio: fc.constantFrom(1, 0.5, 0.2),
    }),
    fc.record({
      kind: fc.constant('processRestart' as const),
      target,
      atMs,
      restartAfterMs: fc.integer({ min: 0, max: 1_000 }),
      when: fc.constantFrom('afterCommit' as const, 'afterCommit' as const, 'now' as const),
    }),
    ...armed,
  ];
  const otherFaults: fc.Arbitrary<FaultSpec>[] = [
    fc.record({ kind: fc.constant('poisonEvent' as const), atMs, count: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('dependencyLag' as const), atMs, durationMs: span }),
    fc.record({ kind: fc.constant('brokerPause' as const), atMs, durationMs: fc.integer({ min: 100, max: 1_000 }) }),
    fc.record({ kind: fc.constant('brokerRestart' as const), atMs, downMs: fc.integer({ min: 100, max: 1_000 }) }),
    fc.record({
      kind: fc.constant('outboxRelayOutage' as const),
      target: fc.constantFrom('orders' as const, 'inventory' as const),
      atMs,
      durationMs: span,
    }),
    fc.record({ kind: fc.constant('orderServiceCrash' as const), atMs, times: fc.integer({ min: 1, max: 3 }) }),
  ];
  return fc.oneof(...consumerFaults.map(weighted(onConsumer)), ...otherFaults.map(weighted(1)));
}

/**
 * Bugs get fixed after the workload, then every model a bug touched is rebuilt — the only repair for silent damage —
 * and so is every model that read from it: the summary copies product names out of Products, so corrupt names
 * spread to it and a rebuild of Products alone leaves them there (the property suite found exactly that).
 * Rebuilds run in dependency order.
 */
export function remediationFor(faults: readonly FaultSpec[]): RemediationSpec[] {
  const bugged = new Set<ReadModelName>();
  for (const f of faults) if (f.kind === 'handlerBug' || f.kind === 'silentCorruption') bugged.add(f.target);
  const rebuild = new Set(bugged);
  if (bugged.has('products')) rebuild.add('customer-order-summary');
  return [
    ...[...bugged].map((target) => ({ action: 'deployFix' as const, target, afterWorkload: true })),
    ...READ_MODELS.filter((m) => rebuild.has(m)).map((target) => ({
      action: 'rebuild' as const,
      target,
      afterWorkload: true,
    })),
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
    { property: 'noStrandedReservations' },
    ...READ_MODELS.map((m) => ({ property: 'deadLetters' as const, target: m, count: poison })),
  ];
  return expectations;
}

/** What the suite is judging, when it is a user's plug-in: where faults concentrate, and the crash points it has. */
export interface ArbitraryFocus {
  /** Read models replaced by plug-ins under test. */
  readonly targets?: readonly ReadModelName[];
  /** Crash points the plug-ins declare, armed by `crashPoint` faults at generated times (FoundationDB's BUGGIFY idea). */
  readonly crashPoints?: readonly DeclaredCrashPoint[];
}

/** Generated scenarios, with faults concentrated on the plug-ins under test if there are any. */
export function scenarioArbFor(focus: ArbitraryFocus = {}): fc.Arbitrary<Scenario> {
  return fc
    .record({
      inventoryMode: fc.constantFrom('check' as const, 'reserve' as const),
      consumer: fc.record({
        ackWaitMs: fc.constantFrom(300, 1_000, 2_000),
        maxDeliveries: fc.integer({ min: 1, max: 5 }),
        batchSize: fc.constantFrom(1, 3, 16, 256),
        initialBackoffMs: fc.constantFrom(10, 50, 100),
        maxBackoffMs: fc.constantFrom(200, 1_000),
        // Handlers that take time: a batch outlasting the ack wait comes back while it is being applied.
        handlerMsPerEvent: fc.constantFrom(0, 0, 1, 5, 20),
      }),
      workload: workloadArbFor(focus.targets ?? []),
      seed: fc.integer({ min: 0, max: 0xffff_ffff }),
    })
    .chain(({ inventoryMode, consumer, workload, seed }) =>
      fc
        .array(faultArb(workload.durationMs, focus.crashPoints ?? [], focus.targets ?? []), { maxLength: 4 })
        .map((faults): Scenario => {
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
}

export const scenarioArb: fc.Arbitrary<Scenario> = scenarioArbFor();
