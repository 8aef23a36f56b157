/**
 * One projection consumer actor on the simulation: the real machine, the real ProjectionStore on in-memory SQLite,
 * the Products view (instrumented, see instrumentedView.ts), the simulated broker. For the consumer's unit tests.
 */
import { createActor, type Actor } from 'xstate';
import { DEFAULT_CONSUMER_SETTINGS, type ConsumerSettings } from '../../src/actors/consumerSettings.js';
import { consumerState, type ConsumerState } from '../../src/actors/consumerStatus.js';
import { projectionConsumerMachine } from '../../src/actors/projectionConsumer.js';
import type { PullHooks } from '../../src/actors/pullBatch.js';
import { silentLogger } from '../../src/log/logger.js';
import { ProjectionStore } from '../../src/store/projectionStore.js';
import { openDatabase, type Db } from '../../src/store/sqlite.js';
import type { ConsumerInfo } from '../../src/transport/port.js';
import { instrumentedProductsView, type Fault, type HandlerCall } from './instrumentedView.js';
import { stateTrail, type SimHarness, type StateStep } from './simHarness.js';

export const DURABLE = 'products-unit';

/** Round numbers, so the expected times in the tests can be worked out by hand. */
export function unitSettings(sim: SimHarness, maxDeliveries: number): ConsumerSettings {
  return {
    ...DEFAULT_CONSUMER_SETTINGS,
    retry: { initialBackoffMs: 100, multiplier: 2, maxBackoffMs: 150, maxDeliveries },
    batchSize: 16,
    ackWaitMs: 2_000,
    idleWaitMs: 1_000,
    dependencyPollMs: 250,
    reorderDelayMs: 100,
    brokerRetryMs: 500,
    handlerMsPerEvent: 0,
    clock: sim.clock,
  };
}

export type ConsumerActor = Actor<typeof projectionConsumerMachine>;

export interface ConsumerRig {
  readonly db: Db;
  readonly store: ProjectionStore;
  readonly settings: ConsumerSettings;
  /** Every call of the view's handler, across every actor started on this store. */
  readonly calls: HandlerCall[];
  /** Starts a consumer actor on the store (again, after a "process death"), with its state trail. */
  startActor(hooks?: PullHooks): { actor: ConsumerActor; trail: StateStep[] };
  /** The Products view's rows, `id: name @ price`. */
  products(): string[];
  /** The durable consumer as the broker holds it (asked at the server, so it works while the actor is gone). */
  brokerSide(): ConsumerInfo;
  state(actor: ConsumerActor): ConsumerState;
}

export function consumerRig(
  sim: SimHarness,
  options: { readonly maxDeliveries?: number; readonly fault?: Fault } = {},
): ConsumerRig {
  const maxDeliveries = options.maxDeliveries ?? 3;
  const db = openDatabase(':memory:');
  const { view, calls } = instrumentedProductsView(() => sim.clock.now(), options.fault);
  const store = new ProjectionStore(db, view, { maxDeliveries, now: () => sim.isoNow() });
  const settings = unitSettings(sim, maxDeliveries);
  return {
    db,
    store,
    settings,
    calls,
    startActor(hooks) {
      const input = {
        name: DURABLE,
        transport: sim.transport,
        store,
        settings,
        log: silentLogger(),
        ...(hooks ? { hooks } : {}),
      };
      const actor = createActor(projectionConsumerMachine, { clock: sim.clock, input });
      const trail = stateTrail(actor, sim.clock);
      actor.start();
      return { actor, trail };
    },
    products: () =>
      (
        db.prepare('SELECT product_id AS id, name, price_cents AS price FROM products ORDER BY product_id').all() as {
          id: string;
          name: string;
          price: number;
        }[]
      ).map((r) => `${r.id}: ${r.name} @ ${r.price}`),
    brokerSide: () => sim.broker.jetstream.consumerInfo(DURABLE),
    state: (actor) => consumerState(actor.getSnapshot()),
  };
}
