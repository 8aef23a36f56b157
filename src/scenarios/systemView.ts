import { consumerState, type ConsumerState } from '../actors/consumerStatus.js';
import type { ReadModelName, ReadModelStates } from '../domain/readModels.js';
import type { ProjectionPlugin } from '../plugins/projectionPlugin.js';
import type { InventoryStore } from '../store/inventoryStore.js';
import type { OrderStore } from '../store/orderStore.js';
import { readModelStates } from '../system/pluginWiring.js';
import type { RunningSystem } from '../system/startSystem.js';

/** What the runner knows of one read model's consumer. */
export interface ConsumerView {
  readonly state: ConsumerState;
  readonly lastProblem: string | null;
  readonly redeliveries: number;
  /** Rebuilds finished since the consumer started. */
  readonly rebuilds: number;
}

/**
 * The system under test as the runner reads it — to sample, decide convergence and judge — whichever topology runs
 * it: its stores, its read models' contents and positions, its consumers' states. Every read is synchronous, so the
 * simulation's schedule does not depend on how the system is observed. Commands and queries go through the
 * system's port instead (src/system/systemPort.ts).
 */
export interface SystemView {
  readonly orderStore: OrderStore;
  readonly inventoryStore: InventoryStore;
  readModelStates(): ReadModelStates;
  checkpoint(name: ReadModelName): number;
  deadLetters(name: ReadModelName): number;
  consumer(name: ReadModelName): ConsumerView;
  /** Orders between their inventory check and their commit. */
  ordersInFlight(): number;
  /** The plug-in in place of a built-in read model, if one. */
  plugin(name: ReadModelName): ProjectionPlugin | undefined;
}

/** The view of a system running in this process: every answer read from its actors and stores as they are now. */
export function inProcessView(system: RunningSystem): SystemView {
  // Looked up on every read: a read model's runtime is replaced when its process restarts.
  const model = (name: ReadModelName) => system.readModels[name];
  return {
    orderStore: system.orderStore,
    inventoryStore: system.inventoryStore,
    readModelStates: () => readModelStates(system.readModels),
    checkpoint: (name) => model(name).store.checkpoint(),
    deadLetters: (name) => model(name).store.deadLetters.count(),
    consumer: (name) => {
      const snapshot = model(name).consumer.getSnapshot();
      return {
        state: consumerState(snapshot),
        lastProblem: snapshot.context.lastProblem ?? null,
        redeliveries: snapshot.context.counters.redeliveries,
        rebuilds: snapshot.context.rebuilds,
      };
    },
    ordersInFlight: () => system.orderService.getSnapshot().context.inFlight.size,
    plugin: (name) => model(name).plugin,
  };
}
