import type { Clock } from '../actors/clock.js';
import type { RunningSystem } from '../system/startSystem.js';
import type { CaughtUpCheck } from './caughtUpCheck.js';
import type { IncrementalOracle } from './incrementalOracle.js';
import type { RunRecorder } from './runRecorder.js';
import type { Scenario } from './scenario.js';
import type { SystemView } from './systemView.js';
import type { WorkloadCounters } from './workloadDriver.js';

/** What the sampler and the judgement of a run both work from: the run's system, its oracle and its records. */
export interface RunParts {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly view: SystemView;
  /** The system, where it runs in this process (the dashboard's telemetry reads it); absent on service processes. */
  readonly system: RunningSystem | undefined;
  readonly clock: Clock;
  readonly oracle: IncrementalOracle;
  readonly caughtUp: CaughtUpCheck;
  readonly recorder: RunRecorder;
  readonly counters: WorkloadCounters;
}
