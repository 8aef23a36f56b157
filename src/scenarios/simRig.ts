import type { Logger } from 'pino';
import { Prng } from '../domain/prng.js';
import { startSystem } from '../system/startSystem.js';
import { SimBroker } from '../transport/sim/simBroker.js';
import { createSimTransport } from '../transport/sim/simTransport.js';
import { VirtualClock } from '../transport/sim/virtualClock.js';
import { FaultController } from './faultController.js';
import { inProcessParts, type Rig, superviseCrashes, systemOptionsFor } from './rig.js';
import { runOnRig } from './runner.js';
import { InfrastructureError, type RunOptions, type ScenarioReport } from './runTypes.js';
import type { Scenario } from './scenario.js';

/** Virtual time one driver step moves; small enough that nothing observable happens "between" steps. */
const STEP_MS = 25;

/**
 * Drives virtual time until `work` settles. The code under simulation only waits on the virtual clock (and on
 * SQLite, which is synchronous), so advancing the clock is what makes it progress; `limitMs` of virtual time bounds a
 * run that would never settle.
 */
export async function drive<T>(clock: VirtualClock, work: Promise<T>, limitMs: number): Promise<T> {
  let settled = false;
  work.then(
    () => (settled = true),
    () => (settled = true),
  );
  const until = clock.now() + limitMs;
  while (!settled) {
    if (clock.now() >= until) throw new Error(`simulation did not settle within ${limitMs} ms of virtual time`);
    await clock.advance(STEP_MS);
  }
  return work;
}

/**
 * Runs a scenario on the deterministic simulation: the simulated broker and a virtual clock, SQLite in memory, ids
 * from a counter, one seeded PRNG. The same actors and the same runner as on real NATS; the same seed gives the
 * same run, event for event, and simulated seconds pass in milliseconds.
 */
export async function runScenarioSim(scenario: Scenario, options: RunOptions): Promise<ScenarioReport> {
  const seed = options.seed ?? scenario.seed;
  const { brokers = 1, processes = false } = scenario.system.topology ?? {};
  if (brokers > 1)
    throw new InfrastructureError(
      `${scenario.file}: system.topology.brokers is ${brokers}, and the simulation models one broker: run it on real brokers (without --transport sim)`,
    );
  if (processes)
    throw new InfrastructureError(
      `${scenario.file}: system.topology.processes is true, and the simulation runs every service in one process: run it on real processes (without --transport sim)`,
    );
  const log: Logger = options.log.child({ scenario: scenario.name, seed, transport: 'sim' });
  const clock = new VirtualClock();
  const broker = new SimBroker({ clock, prng: new Prng(seed ^ 0x5bd1e995) });
  const transport = createSimTransport(broker, { name: `sim-${scenario.name}` });
  const faults = new FaultController(clock);
  let counter = 0;
  const newId = () => `${seed.toString(36)}-${(++counter).toString(36)}`;
  const limitMs = scenario.timeoutMs + 60_000;
  const system = await drive(
    clock,
    startSystem({
      ...systemOptionsFor(scenario, faults),
      transport,
      log,
      dataDir: ':memory:',
      clock,
      newId,
      ...(options.plugins ? { plugins: options.plugins } : {}),
    }),
    limitMs,
  );
  superviseCrashes(faults, system, clock);
  const rig: Rig = {
    clock,
    transport,
    ...inProcessParts(system, clock, newId),
    faults,
    newId,
    broker: {
      pause: () => broker.pause(),
      resume: () => broker.resume(),
      stop: () => Promise.resolve(broker.down()),
      restart: () => Promise.resolve(broker.up()),
    },
  };
  try {
    return await drive(clock, runOnRig(rig, scenario, seed, options, log), limitMs);
  } finally {
    broker.resume();
    if (broker.state === 'down') broker.up();
    await drive(clock, system.stop(), 60_000);
    await drive(clock, transport.close(), 60_000);
  }
}
