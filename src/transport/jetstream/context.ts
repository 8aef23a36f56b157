import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { StatusHub } from './status.js';

/** What the adapter's parts share. Internal: NATS types stay inside `jetstream/`. */
export interface AdapterContext {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Same API with a short timeout, for "is it still there?" checks on an unhappy path. */
  readonly probe: JetStreamManager;
  readonly hub: StatusHub;
  /** Messages per pull request in readRange. */
  readonly readPullBatch: number;
  /** Replicas the stream is provisioned with. */
  readonly streamReplicas: number;
  readonly log: Logger;
}
