import { silentLogger } from '../log/logger.js';
import type { Scenario } from '../scenarios/scenario.js';
import { runScenarioSim } from '../scenarios/simRig.js';
import { cpuMs, perSecond } from './infra.js';
import type { BenchSizes } from './sizes.js';

export interface SimSpeed {
  readonly sim_orders_per_s: number;
  /** Simulated (virtual) seconds per wall-clock second. */
  readonly sim_seconds_per_wall_s: number;
  readonly sim_orders: number;
  /** CPU of this process per order placed through the simulation, ms (the same actors and SQLite, no sockets). */
  readonly sim_cpu_ms_per_order: number;
}

/** A steady workload, no faults: the simulation's own speed, oracle sampling included (it is part of every sim run). */
export function benchScenario(sizes: BenchSizes): Scenario {
  return {
    name: 'bench-steady',
    description: 'steady workload for the simulation speed bench',
    teaches: 'n/a',
    seed: 1,
    file: '<bench>',
    system: {
      inventoryMode: 'check',
      summaryDependency: 'wait',
      consumer: {
        ackWaitMs: 10_000,
        maxDeliveries: 3,
        batchSize: 256,
        initialBackoffMs: 50,
        maxBackoffMs: 200,
        handlerMsPerEvent: 0,
      },
    },
    workload: {
      durationMs: sizes.simSeconds * 1000,
      ordersPerSecond: sizes.simOrdersPerSecond,
      concurrency: 16,
      customers: 100,
      products: 16,
      hotProductSkew: 1,
      initialStock: { min: 1_000_000, max: 1_000_000 },
      itemsPerOrder: { min: 1, max: 3 },
      quantityPerItem: { min: 1, max: 3 },
      stockAdjustmentsPerSecond: 0,
      renamesPerSecond: 0,
      repricesPerSecond: 0,
      repeatedLineShare: 0,
      stockAdjustmentDelta: { min: 1, max: 20 },
    },
    faults: [],
    remediation: [],
    expect: [{ property: 'converges', withinMs: 10_000 }, { property: 'nothingLost' }],
    timeoutMs: sizes.simSeconds * 1000 + 60_000,
  };
}

export async function simSpeed(sizes: BenchSizes): Promise<SimSpeed> {
  const started = performance.now();
  const cpuBefore = cpuMs();
  const report = await runScenarioSim(benchScenario(sizes), { log: silentLogger() });
  const wallMs = performance.now() - started;
  if (report.verdict !== 'pass')
    throw new Error(
      `bench: the simulation run failed its checks (${report.properties
        .filter((p) => !p.holds)
        .map((p) => p.name)
        .join(', ')})`,
    );
  return {
    sim_orders_per_s: perSecond(report.workload.placed, wallMs),
    sim_seconds_per_wall_s: report.durationMs / wallMs,
    sim_orders: report.workload.placed,
    sim_cpu_ms_per_order: (cpuMs() - cpuBefore) / Math.max(1, report.workload.placed),
  };
}
