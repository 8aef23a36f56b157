// Realistic dashboard inputs for the ui*.unit tests: the flagship scenario (summary consumer down 2–5 s of an 8 s
// load) as the runner's sampler saw it mid-fault and after convergence. Numbers from a real run. Not a test file.
import type { ReadModelName } from '../../src/domain/readModels.js';
import type { ModelTelemetry, Telemetry } from '../../src/scenarios/telemetry.js';
import { appendHistory, emptyHistory, type History } from '../../src/ui/history.js';
import type { FinalReport } from '../../src/ui/selectors.js';

const caughtUp = (ok: number, checkpoint: number): ModelTelemetry => ({
  divergence: { ok, notYetApplied: 0, missing: 0, unexpected: 0, wrong: 0, duplicated: 0 },
  lagEvents: 0,
  lagMs: 0,
  state: 'idle',
  checkpoint,
  redeliveries: 0,
  deadLetters: 0,
  lastProblem: null,
});

const EXPECT = ['converges', 'nothingLost', 'noDuplicatedEffect', 'noWrongValues', 'writeModelPublishedOnce'];

/** 3.5 s into the flagship run: the summary consumer has been down for 1.5 s. */
export const midFault: Telemetry = {
  source: 'run',
  scenario: 'flagship-summary-outage',
  seed: 1,
  elapsedMs: 3_500,
  workloadMs: 8_000,
  phase: 'workload',
  broker: 'connected',
  brokerPaused: false,
  headSeq: 444,
  outboxBacklog: { orders: 0, inventory: 4 },
  orders: { placed: 140, rejected: 1, unavailable: 0, invalid: 0, failed: 0 },
  models: {
    'product-inventory': { ...caughtUp(8, 444), state: 'catchingUp' },
    products: { ...caughtUp(8, 444), state: 'catchingUp' },
    'customer-order-summary': {
      // 62 orders placed since it stopped, 22 it has showing a product renamed since: all of it not yet applied.
      divergence: { ok: 56, notYetApplied: 84, missing: 0, unexpected: 0, wrong: 0, duplicated: 0 },
      lagEvents: 201,
      lagMs: 1_543,
      state: 'stopped',
      checkpoint: 243,
      redeliveries: 0,
      deadLetters: 0,
      lastProblem: null,
    },
  },
  timeline: [
    { atMs: 2_000, label: 'customer-order-summary consumer down', phase: 'fault-start', status: 'active', live: false },
    { atMs: 5_000, label: 'customer-order-summary consumer back', phase: 'fault-end', status: 'upcoming', live: false },
  ],
  expectations: EXPECT,
  firstNegative: null,
  stale: false,
};

/** After the workload: converged, about to be judged. */
export const converged: Telemetry = {
  ...midFault,
  elapsedMs: 8_300,
  phase: 'settling',
  headSeq: 978,
  outboxBacklog: { orders: 0, inventory: 0 },
  orders: { placed: 319, rejected: 1, unavailable: 0, invalid: 0, failed: 0 },
  models: {
    'product-inventory': caughtUp(8, 978),
    products: caughtUp(8, 978),
    'customer-order-summary': { ...caughtUp(319, 978), redeliveries: 1 },
  },
  timeline: [
    { atMs: 2_000, label: 'customer-order-summary consumer down', phase: 'fault-start', status: 'past', live: false },
    { atMs: 5_000, label: 'customer-order-summary consumer back', phase: 'fault-end', status: 'past', live: false },
  ],
};

const model = (ok: number, checkpoint: number, redeliveries = 0) => ({
  divergence: { ok, missing: 0, unexpected: 0, wrong: 0, duplicated: 0, examples: [] },
  checkpoint,
  lagEvents: 0,
  redeliveries,
  deadLetters: 0,
  state: 'idle' as const,
  lastProblem: null,
  maxLagEvents: 0,
});

export const passed: FinalReport = {
  scenario: 'flagship-summary-outage',
  seed: 1,
  verdict: 'pass',
  convergedAfterMs: 96,
  durationMs: 8_100,
  events: { stream: 978, undecodable: 0 },
  liveActions: 0,
  properties: [
    {
      name: 'converges',
      holds: true,
      detail: 'converged 96 ms after the workload ended and the last fault healed (bound 5000 ms)',
    },
    { name: 'nothingLost', holds: true, detail: 'lost: none' },
    { name: 'noDuplicatedEffect', holds: true, detail: 'duplicated effects: none' },
    { name: 'noWrongValues', holds: true, detail: 'wrong values: none' },
    {
      name: 'writeModelPublishedOnce',
      holds: true,
      detail: '319 accepted orders; 0 unpublished, 0 published twice, 0 phantom',
    },
  ],
  models: {
    'product-inventory': model(8, 978),
    products: model(8, 978),
    'customer-order-summary': { ...model(319, 978, 1), maxLagEvents: 346 },
  },
};

/** The summary's divergence, sample by sample (every 250 ms) up to mid-fault: flat, then climbing while it is down. */
const SUMMARY_DIVERGENT = [1, 2, 1, 0, 1, 2, 1, 1, 3, 12, 25, 38, 52, 66, 84];

/** …and on to convergence: the backlog drains after the consumer is back at 5 s, zero from 6.5 s on. */
export const CONVERGED_SERIES = [
  ...SUMMARY_DIVERGENT,
  101,
  118,
  133,
  150,
  126,
  88,
  47,
  15,
  4,
  2,
  1,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
];

export function historyUpTo(t: Telemetry, series: readonly number[] = SUMMARY_DIVERGENT): History {
  let h = emptyHistory;
  series.forEach((d, i) => {
    const elapsedMs = Math.round((t.elapsedMs * (i + 1)) / series.length);
    const share = (i + 1) / series.length;
    const summary = {
      ...t.models['customer-order-summary'],
      divergence: { ok: 0, notYetApplied: d, missing: 0, unexpected: 0, wrong: 0, duplicated: 0 },
    };
    const models: Record<ReadModelName, ModelTelemetry> = { ...t.models, 'customer-order-summary': summary };
    h = appendHistory(h, {
      ...t,
      elapsedMs,
      headSeq: Math.round(t.headSeq * share),
      orders: { ...t.orders, placed: Math.round(t.orders.placed * share) },
      models,
    });
  });
  return appendHistory(h, t);
}
