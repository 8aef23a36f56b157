/**
 * A real nats-server and the JetStream transport without the rest of the system, for tests that drive one
 * projection store or one consumer actor by hand: publish hand-made events, open a projection on a temp SQLite file,
 * record the states an actor goes through.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor, AnyStateMachine } from 'xstate';
import { DEFAULT_CONSUMER_SETTINGS, type ConsumerSettings } from '../../src/actors/consumerSettings.js';
import { encodeEnvelope, envelop } from '../../src/domain/envelope.js';
import { subjectFor, type DomainEvent } from '../../src/domain/events.js';
import { ProjectionStore } from '../../src/store/projectionStore.js';
import type { ProjectionView } from '../../src/store/projectionView.js';
import { openDatabase, type Db } from '../../src/store/sqlite.js';
import { connectJetStream } from '../../src/transport/jetstream/jetstreamTransport.js';
import type { Transport } from '../../src/transport/port.js';
import { startTestBroker, type TestBroker } from './natsHarness.js';

export interface BareStream {
  readonly broker: TestBroker;
  readonly transport: Transport;
  /** Temp directory for SQLite files; removed by `stop`. */
  readonly dir: string;
  /** A projection store on its own SQLite file in `dir`, closed by `stop`. */
  openProjection(file: string, view: ProjectionView, maxDeliveries?: number): { db: Db; store: ProjectionStore };
  stop(): Promise<void>;
}

export async function startBareStream(): Promise<BareStream> {
  const broker = await startTestBroker();
  const dir = await mkdtemp(join(tmpdir(), 'cqrs-bare-'));
  const transport = await connectJetStream({ servers: broker.url, name: 'bare-test' });
  await transport.provisionStream();
  const dbs: Db[] = [];
  return {
    broker,
    transport,
    dir,
    openProjection(file, view, maxDeliveries = 5) {
      const db = openDatabase(join(dir, file));
      dbs.push(db);
      return { db, store: new ProjectionStore(db, view, { maxDeliveries, now: () => new Date().toISOString() }) };
    },
    async stop() {
      for (const db of dbs) if (db.open) db.close();
      await transport.close();
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Publishes one domain event the way the outbox relay would (event id as msg id); returns its stream sequence. */
export async function publishEvent(
  transport: Transport,
  data: DomainEvent,
  eventId = `evt_${randomUUID()}`,
): Promise<number> {
  const envelope = envelop(data, { eventId, occurredAt: new Date().toISOString(), causationId: 'cmd_test' });
  const ack = await transport.publish({
    subject: subjectFor(data.type),
    msgId: eventId,
    data: encodeEnvelope(envelope),
  });
  return ack.seq;
}

/** Publishes events one after another (so their stream order is the argument order); returns their sequences. */
export async function publishAll(transport: Transport, events: readonly DomainEvent[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const e of events) seqs.push(await publishEvent(transport, e));
  return seqs;
}

/** Consumer settings for tests: short waits and backoffs so retries happen in milliseconds. */
export function fastSettings(overrides: Partial<ConsumerSettings> = {}): ConsumerSettings {
  return {
    ...DEFAULT_CONSUMER_SETTINGS,
    retry: { initialBackoffMs: 20, maxBackoffMs: 100, multiplier: 2, maxDeliveries: 3 },
    idleWaitMs: 200,
    dependencyPollMs: 50,
    reorderDelayMs: 50,
    brokerRetryMs: 200,
    ...overrides,
  };
}

/** Every distinct state value an actor has been in, as a JSON string (`"backingOff"`, `{"pulling":"idle"}`), in order. */
export function recordStates(actor: Actor<AnyStateMachine>): string[] {
  const seen: string[] = [];
  const note = (value: unknown) => {
    const key = typeof value === 'string' ? value : JSON.stringify(value);
    if (seen.at(-1) !== key) seen.push(key);
  };
  note(actor.getSnapshot().value);
  actor.subscribe((snapshot) => note(snapshot.value));
  return seen;
}
