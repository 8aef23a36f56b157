import { availableParallelism } from 'node:os';
import { READ_MODELS } from '../domain/readModels.js';
import { calibrate } from './calibrate.js';
import { endToEnd } from './e2e.js';
import { processesRun } from './processes.js';
import { rssSampler } from './infra.js';
import { rebuild } from './rebuild.js';
import { simSpeed } from './sim.js';
import type { BenchSizes } from './sizes.js';

/** Every figure of one run; the ratios are computed from figures of this same run. */
export interface BenchResults {
  readonly mode: string;
  readonly cores: number;
  readonly payload_bytes: number;
  readonly R_pub: number;
  /** R_pub on a 3-node cluster, stream on 3 replicas (every publish acked by a quorum of nodes). */
  readonly R_pub_r3: number;
  /** R_pub_r3 ÷ R_pub: what replication costs a publisher on this machine. */
  readonly r3_pub_ratio: number;
  readonly R_cons: number;
  readonly R_drain: number;
  readonly e2e_orders_per_s: number;
  /** e2e orders/s ÷ min(R_pub, R_cons). */
  readonly e2e_ratio: number;
  /** Stream events per order (OrderPlaced + its InventoryUpdated), each delivered to every read model. */
  readonly events_per_order: number;
  /**
   * What the broker alone allows per order, from this run's calibration: 1 ÷ (events/R_pub + events×models/R_cons).
   * Every order costs `events_per_order` publishes and `events_per_order × 3` consumer deliveries with acks.
   */
  readonly e2e_broker_bound_orders_per_s: number;
  /** e2e orders/s ÷ that bound. */
  readonly e2e_vs_broker_bound: number;
  /** Measured: orders/s of the bare pipeline (3 events per order published, 3 empty consumers acking each), no testbed. */
  readonly R_pipeline_orders: number;
  /** e2e orders/s ÷ R_pipeline_orders: the share of the design's own ceiling the testbed reaches. */
  readonly e2e_vs_pipeline: number;
  /** CPU per order in the e2e actor run, ms: the testbed process and the broker. */
  readonly cpu_ms_per_order: { readonly testbed: number; readonly broker: number };
  /** Events per batch each read model applied, and outbox rows per publish round, in the e2e actor run. */
  readonly events_per_batch: Readonly<Record<string, number>>;
  readonly http_orders_per_s: number;
  readonly bare_requests_per_s: number;
  /** HTTP orders/s (POST /orders to every read model caught up) ÷ bare-route requests/s, same load loop. */
  readonly http_ratio: number;
  /** The same HTTP load on `up --topology processes` (five service processes, every command and query over NATS). */
  readonly processes_http_orders_per_s: number;
  /** processes_http_orders_per_s ÷ http_orders_per_s: what one process per service costs on this machine. */
  readonly processes_vs_single: number;
  readonly rebuild_events_per_s: number;
  readonly rebuild_ratio: number;
  readonly convergence_backlog_events: number;
  readonly convergence_ms: number;
  /** convergence_ms − backlog ÷ rebuild rate: what catching up costs beyond reading and applying the backlog. */
  readonly convergence_overhead_ms: number;
  readonly ack_wait_ms: number;
  readonly sim_orders_per_s: number;
  readonly sim_seconds_per_wall_s: number;
  /** sim orders/s (wall) ÷ real e2e orders/s. */
  readonly sim_ratio: number;
  /** CPU per order through the simulation, ms (compare cpu_ms_per_order.testbed: the same actors and SQLite). */
  readonly sim_cpu_ms_per_order: number;
  /**
   * Peak RSS of the testbed process while it publishes and then rebuilds `events_for_rss` events (the 1M-event run
   * of the full bench): the memory figure the target is about.
   */
  readonly peak_rss_mb: number;
  readonly events_for_rss: number;
  /** RSS at about 10%, 50% and 100% of that rebuild: flat when nothing grows with the log. */
  readonly rss_mb_by_rebuild_progress: Readonly<Record<string, number>>;
  /** Peak RSS of the bench process over all its phases (the simulation keeps its whole stream in memory). */
  readonly peak_rss_mb_whole_bench: number;
  /** Peak RSS within each phase, MB: says which part of the run the peak belongs to. */
  readonly peak_rss_mb_by_phase: Readonly<Record<string, number>>;
  readonly not_placed: number;
  readonly wall_s: number;
  readonly node: string;
  readonly finished_at: string;
}

/** Runs every bench in turn (each on its own private nats-server) and returns the figures. */
export async function runBench(
  sizes: BenchSizes,
  mode: string,
  progress: (line: string) => void = () => {},
): Promise<BenchResults> {
  const started = performance.now();
  const rss = rssSampler();
  try {
    progress('calibration (publish, consume, drain)…');
    const phases: Record<string, number> = {};
    const cal = await calibrate(sizes);
    phases.calibration = rss.phasePeakMb();
    progress('end to end (actor, HTTP, convergence)…');
    const e2e = await endToEnd(sizes);
    phases.e2e = rss.phasePeakMb();
    progress('the same HTTP load on the multi-process topology…');
    const processes = await processesRun(sizes);
    phases.processes = rss.phasePeakMb();
    progress(`rebuild over ${sizes.rebuildEvents} events…`);
    const rb = await rebuild(sizes);
    phases.rebuild = rss.phasePeakMb();
    progress('simulation…');
    const sim = await simSpeed(sizes);
    phases.sim = rss.phasePeakMb();
    return {
      mode,
      cores: availableParallelism(),
      payload_bytes: cal.payloadBytes,
      R_pub: cal.R_pub,
      R_pub_r3: cal.R_pub_r3,
      r3_pub_ratio: cal.R_pub_r3 / cal.R_pub,
      R_cons: cal.R_cons,
      R_drain: cal.R_drain,
      e2e_orders_per_s: e2e.e2e_orders_per_s,
      e2e_ratio: e2e.e2e_orders_per_s / Math.min(cal.R_pub, cal.R_cons),
      events_per_order: e2e.events_per_order,
      e2e_broker_bound_orders_per_s: brokerBound(e2e.events_per_order, cal.R_pub, cal.R_cons),
      e2e_vs_broker_bound: e2e.e2e_orders_per_s / brokerBound(e2e.events_per_order, cal.R_pub, cal.R_cons),
      R_pipeline_orders: cal.R_pipeline_orders,
      e2e_vs_pipeline: e2e.e2e_orders_per_s / cal.R_pipeline_orders,
      cpu_ms_per_order: e2e.cpu_ms_per_order,
      events_per_batch: e2e.events_per_batch,
      http_orders_per_s: e2e.http_orders_per_s,
      bare_requests_per_s: e2e.bare_requests_per_s,
      http_ratio: e2e.http_orders_per_s / e2e.bare_requests_per_s,
      processes_http_orders_per_s: processes.processes_http_orders_per_s,
      processes_vs_single: processes.processes_http_orders_per_s / e2e.http_orders_per_s,
      rebuild_events_per_s: rb.rebuild_events_per_s,
      rebuild_ratio: rb.rebuild_events_per_s / cal.R_drain,
      convergence_backlog_events: e2e.convergence_backlog_events,
      convergence_ms: e2e.convergence_ms,
      convergence_overhead_ms: e2e.convergence_ms - (e2e.convergence_backlog_events * 1000) / rb.rebuild_events_per_s,
      ack_wait_ms: e2e.ack_wait_ms,
      sim_orders_per_s: sim.sim_orders_per_s,
      sim_seconds_per_wall_s: sim.sim_seconds_per_wall_s,
      sim_ratio: sim.sim_orders_per_s / e2e.e2e_orders_per_s,
      sim_cpu_ms_per_order: sim.sim_cpu_ms_per_order,
      peak_rss_mb: phases.rebuild ?? Number.NaN,
      events_for_rss: rb.rebuild_events,
      rss_mb_by_rebuild_progress: rb.rss_mb_by_rebuild_progress,
      peak_rss_mb_whole_bench: rss.peakMb(),
      peak_rss_mb_by_phase: phases,
      not_placed: e2e.not_placed + processes.processes_not_placed,
      wall_s: (performance.now() - started) / 1000,
      node: process.version,
      finished_at: new Date().toISOString(),
    };
  } finally {
    rss.stop();
  }
}

/** Orders/s the broker allows when each order is `events` publishes and `events × read models` deliveries. */
export function brokerBound(events: number, rPub: number, rCons: number): number {
  return 1 / (events / rPub + (events * READ_MODELS.length) / rCons);
}

const fmt = (v: number | string): string =>
  typeof v === 'string' ? v : Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(2);

/** The table `npm run bench` prints. */
export function formatTable(r: BenchResults): string {
  const rows: [string, number | string, string][] = [
    ['cores', r.cores, ''],
    ['R_pub', r.R_pub, `msg/s (pipelined publish, ${r.payload_bytes} B OrderPlaced)`],
    ['R_pub_r3', r.R_pub_r3, 'msg/s, the same on a 3-node cluster, stream on 3 replicas'],
    ['r3_pub_ratio', r.r3_pub_ratio, 'R_pub_r3 ÷ R_pub: what replication costs a publisher'],
    ['R_cons', r.R_cons, 'msg/s (durable pull, ack, empty handler)'],
    ['R_drain', r.R_drain, 'msg/s (ordered readRange, empty handler)'],
    ['e2e_orders_per_s', r.e2e_orders_per_s, 'orders/s, actor → every read model caught up'],
    ['e2e_ratio', r.e2e_ratio, 'e2e ÷ min(R_pub, R_cons)   target ≥ 0.5'],
    [
      'events_per_order',
      r.events_per_order,
      `stream events per order, each delivered to ${READ_MODELS.length} read models`,
    ],
    [
      'e2e_broker_bound',
      r.e2e_broker_bound_orders_per_s,
      'orders/s the broker allows: 1 ÷ (events/R_pub + events×models/R_cons)',
    ],
    ['e2e_vs_broker_bound', r.e2e_vs_broker_bound, 'e2e ÷ that bound'],
    [
      'R_pipeline_orders',
      r.R_pipeline_orders,
      'orders/s measured: 3 events published per order, 3 empty consumers acking each',
    ],
    ['e2e_vs_pipeline', r.e2e_vs_pipeline, "e2e ÷ R_pipeline_orders: share of the design's ceiling reached"],
    [
      'cpu_ms_per_order',
      `${fmt(r.cpu_ms_per_order.testbed)} + ${fmt(r.cpu_ms_per_order.broker)}`,
      'ms CPU per order: testbed process + broker',
    ],
    ['http_orders_per_s', r.http_orders_per_s, 'orders/s through POST /orders'],
    ['bare_requests_per_s', r.bare_requests_per_s, 'req/s, bare route, same server and load loop'],
    ['http_ratio', r.http_ratio, 'HTTP orders/s ÷ bare req/s'],
    ['processes_http', r.processes_http_orders_per_s, 'orders/s, the same HTTP load on five service processes'],
    ['processes_vs_single', r.processes_vs_single, 'that ÷ http_orders_per_s (one process)'],
    ['rebuild_events_per_s', r.rebuild_events_per_s, `events/s, summary rebuilt from seq 1 over ${r.events_for_rss}`],
    ['rebuild_ratio', r.rebuild_ratio, 'rebuild ÷ R_drain   target ≥ 0.6'],
    ['convergence_ms', r.convergence_ms, `ms to catch up a backlog of ${r.convergence_backlog_events} events`],
    [
      'convergence_overhead_ms',
      r.convergence_overhead_ms,
      `ms beyond backlog ÷ rebuild rate   target ≤ ack wait (${r.ack_wait_ms} ms)`,
    ],
    [
      'sim_orders_per_s',
      r.sim_orders_per_s,
      `orders/s through the simulation (${fmt(r.sim_seconds_per_wall_s)} simulated s per wall s)`,
    ],
    ['sim_ratio', r.sim_ratio, 'sim ÷ real e2e   target ≥ 20'],
    [
      'sim_cpu_ms_per_order',
      r.sim_cpu_ms_per_order,
      'ms CPU per order through the simulation (same actors and SQLite)',
    ],
    ['peak_rss_mb', r.peak_rss_mb, `MB, publishing and rebuilding ${r.events_for_rss} events   target < 400 at 1M`],
    [
      'rss_by_progress',
      Object.entries(r.rss_mb_by_rebuild_progress)
        .map(([k, v]) => `${k}:${fmt(v)}`)
        .join(' '),
      'MB at that share of the rebuild (flat = bounded)',
    ],
    ['peak_rss_whole', r.peak_rss_mb_whole_bench, 'MB, every phase (the simulation holds its stream in memory)'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v, note]) => `${k.padEnd(width)}  ${fmt(v).padStart(10)}  ${note}`).join('\n');
}

/** Keys every results file must carry (the smoke test checks them). */
export const REQUIRED_KEYS = [
  'cores',
  'R_pub',
  'R_cons',
  'R_drain',
  'e2e_orders_per_s',
  'e2e_ratio',
  'http_ratio',
  'rebuild_events_per_s',
  'rebuild_ratio',
  'convergence_overhead_ms',
  'ack_wait_ms',
  'sim_ratio',
  'peak_rss_mb',
  'events_for_rss',
  'R_pipeline_orders',
  'e2e_vs_pipeline',
  'R_pub_r3',
  'r3_pub_ratio',
] as const satisfies readonly (keyof BenchResults)[];
