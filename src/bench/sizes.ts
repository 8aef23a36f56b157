/** How much each bench does. Every loop in src/bench is bounded by one of these counts and by `phaseTimeoutMs`. */
export interface BenchSizes {
  /** Events published, consumed and drained by the calibration. */
  readonly calibrationEvents: number;
  /** Orders placed through the order service actor (and again through HTTP). */
  readonly e2eOrders: number;
  /** Requests sent to the bare HTTP route (baseline of the load generator and server). */
  readonly bareRequests: number;
  /** Orders placed while the summary consumer is stopped (the backlog of the convergence bench). */
  readonly convergenceOrders: number;
  /** Events replayed by the rebuild bench (also the run over which peak RSS is reported). */
  readonly rebuildEvents: number;
  /** Virtual seconds of workload through the simulation, at `simOrdersPerSecond`. */
  readonly simSeconds: number;
  readonly simOrdersPerSecond: number;
  /** Publishes in flight at most (pipelined publish window) and orders/requests in flight at most. */
  readonly publishWindow: number;
  readonly concurrency: number;
  /** Bound on any one phase's wait for the system to catch up. */
  readonly phaseTimeoutMs: number;
}

export const FULL_SIZES: BenchSizes = {
  calibrationEvents: 100_000,
  e2eOrders: 5_000,
  bareRequests: 20_000,
  convergenceOrders: 2_000,
  rebuildEvents: 1_000_000,
  simSeconds: 30,
  simOrdersPerSecond: 200,
  publishWindow: 512,
  concurrency: 64,
  phaseTimeoutMs: 180_000,
};

export const QUICK_SIZES: BenchSizes = {
  ...FULL_SIZES,
  calibrationEvents: 20_000,
  e2eOrders: 2_000,
  bareRequests: 5_000,
  convergenceOrders: 1_000,
  rebuildEvents: 100_000,
  simSeconds: 10,
  phaseTimeoutMs: 60_000,
};

/** For the smoke test: everything tiny, the same code paths. */
export const SMOKE_SIZES: BenchSizes = {
  ...QUICK_SIZES,
  calibrationEvents: 2_000,
  e2eOrders: 200,
  bareRequests: 500,
  convergenceOrders: 100,
  rebuildEvents: 5_000,
  simSeconds: 2,
  simOrdersPerSecond: 50,
};
