import { isoNow, type Clock } from '../actors/clock.js';
import type { RunningSystem, SystemOptions } from '../system/startSystem.js';
import { systemPort, type SystemPort } from '../system/systemPort.js';
import type { Transport } from '../transport/port.js';
import type { FaultController } from './faultController.js';
import type { Scenario } from './scenario.js';
import { inProcessView, type SystemView } from './systemView.js';
import type { BrokerControl, ServiceProcesses } from './timeline.js';

/** Everything a run needs, real (nats-server, files, wall clock) or simulated (virtual clock, in memory). */
export interface Rig {
  readonly clock: Clock;
  readonly broker: BrokerControl;
  readonly transport: Transport;
  /** The system as the runner reads it (sampling, convergence, the judgement). */
  readonly view: SystemView;
  /** Its commands and queries: the workload's way in. */
  readonly port: SystemPort;
  /** The system, where it runs in this process: in-process faults, live control and the dashboard act on it. */
  readonly system: RunningSystem | undefined;
  /** The service processes, where each service runs as its own: what process faults act on. */
  readonly processes?: ServiceProcesses;
  readonly faults: FaultController;
  readonly newId: () => string;
}

/** A rig's view and port on a system running in this process. */
export function inProcessParts(
  system: RunningSystem,
  clock: Clock,
  newId: () => string,
): Pick<Rig, 'view' | 'port'> & { readonly system: RunningSystem } {
  return { system, view: inProcessView(system), port: systemPort(system, { newId, now: isoNow(clock) }) };
}

/** The system options a scenario asks for, with the fault controller's hooks wired in. */
export function systemOptionsFor(
  scenario: Scenario,
  faults: FaultController,
): Pick<
  SystemOptions,
  'inventoryMode' | 'summary' | 'consumer' | 'wrapView' | 'wrapHandler' | 'consumerHooks' | 'orderHooks'
> {
  const c = scenario.system.consumer;
  return {
    inventoryMode: scenario.system.inventoryMode,
    summary: { dependency: scenario.system.summaryDependency },
    consumer: {
      ackWaitMs: c.ackWaitMs,
      batchSize: c.batchSize,
      handlerMsPerEvent: c.handlerMsPerEvent,
      retry: {
        maxDeliveries: c.maxDeliveries,
        initialBackoffMs: c.initialBackoffMs,
        maxBackoffMs: c.maxBackoffMs,
        multiplier: 2,
      },
    },
    wrapView: faults.wrapView,
    wrapHandler: faults.wrapHandler,
    consumerHooks: faults.hooks,
    orderHooks: faults.orderHooks,
  };
}

/** An injected crash kills the consumer; a supervisor would restart it shortly after. */
export function superviseCrashes(faults: FaultController, system: RunningSystem, clock: Clock): void {
  faults.onCrash = (name) =>
    clock.setTimeout(() => {
      const consumer = system.readModels[name].consumer;
      if (consumer.getSnapshot().status === 'active') consumer.send({ type: 'START' }); // not after the system stopped
    }, 250);
}
