import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../domain/retryPolicy.js';
import { realClock, type Clock } from './clock.js';

/** Every knob of a projection consumer, each bounded. Units are last in the names. */
export interface ConsumerSettings {
  readonly retry: RetryPolicy;
  /** Events fetched, and applied in one SQLite transaction, at most. */
  readonly batchSize: number;
  /** Broker redelivers an unacknowledged message after this long (a crashed consumer's batch comes back). */
  readonly ackWaitMs: number;
  /** How long an idle consumer's pull waits for new events before it reports idle again. */
  readonly idleWaitMs: number;
  /** How often a consumer waiting for a dependency (Products, for the summary) looks again. */
  readonly dependencyPollMs: number;
  /** After an out-of-order delivery, how long before the consumer asks again for the event due next. */
  readonly reorderDelayMs: number;
  /** Retry delay while the broker is unreachable. */
  readonly brokerRetryMs: number;
  /** Time the handler takes per event, between fetch and apply (0 in production; a knob of the fault injector). */
  readonly handlerMsPerEvent: number;
  /** The clock every wait of the consumer runs on (virtual in the simulation). */
  readonly clock: Clock;
}

export const DEFAULT_CONSUMER_SETTINGS: ConsumerSettings = {
  retry: DEFAULT_RETRY_POLICY,
  batchSize: 256,
  ackWaitMs: 10_000,
  idleWaitMs: 1_000,
  dependencyPollMs: 250,
  reorderDelayMs: 100,
  brokerRetryMs: 500,
  handlerMsPerEvent: 0,
  clock: realClock,
};
