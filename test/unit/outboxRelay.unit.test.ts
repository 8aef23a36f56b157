/**
 * The outbox relay machine on the virtual clock, against the simulated broker and a real outbox in in-memory
 * SQLite: it publishes committed rows in order (event id as msg id) and marks them sent; it backs off, doubling up
 * to its cap, while the broker is down, and drains the backlog once it is back; a row the broker already has is
 * counted as a duplicate, not stored twice.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { outboxRelayMachine, type OutboxRelayInput } from '../../src/actors/outboxRelay.js';
import { encodeEnvelope, envelop } from '../../src/domain/envelope.js';
import { subjectFor, type DomainEvent } from '../../src/domain/events.js';
import { silentLogger } from '../../src/log/logger.js';
import { Outbox, OUTBOX_DDL } from '../../src/store/outboxStore.js';
import { migrate, openDatabase } from '../../src/store/sqlite.js';
import { entries, startSimHarness, stateTrail, type SimHarness } from '../helpers/simHarness.js';
import { productAdded } from './fixtures.js';

function relayRig(sim: SimHarness, options: Partial<OutboxRelayInput> = {}) {
  const db = openDatabase(':memory:');
  migrate(db, OUTBOX_DDL);
  const outbox = new Outbox(db);
  let n = 0;
  /** Commits events to the outbox, as a command's transaction does; returns their event ids. */
  const commit = (...events: DomainEvent[]): string[] =>
    events.map((data) => {
      const eventId = `evt_row_${++n}`;
      outbox.append(envelop(data, { eventId, occurredAt: sim.isoNow(), causationId: 'cmd_unit' }));
      return eventId;
    });
  const input: OutboxRelayInput = {
    name: 'unit-outbox',
    outbox,
    transport: sim.transport,
    log: silentLogger(),
    now: () => sim.isoNow(),
    ...options,
  };
  const actor = createActor(outboxRelayMachine, { clock: sim.clock, input });
  const trail = stateTrail(actor, sim.clock);
  /** What the stream holds, as `seq msgId`. */
  const stream = () => sim.broker.jetstream.readRange(1, 100).map((m) => `${m.seq} ${m.msgId}`);
  const sentAt = () => db.prepare('SELECT sent_at FROM outbox ORDER BY id').pluck().all();
  return { db, outbox, commit, actor, trail, stream, sentAt };
}

const products = (n: number) =>
  Array.from({ length: n }, (_, i) => productAdded(`p${i + 1}`, `Product ${i + 1}`, 100 * (i + 1)));

describe('outbox relay', () => {
  it('publishes committed rows in order with their event id as msg id, marks them sent, then idles', async () => {
    const sim = await startSimHarness();
    const r = relayRig(sim);
    const ids = r.commit(...products(3));
    const startedAt = sim.isoNow();
    r.actor.start();
    await sim.clock.advance(1);

    expect(r.stream()).toEqual([`1 ${ids[0]}`, `2 ${ids[1]}`, `3 ${ids[2]}`]);
    expect(r.outbox.backlog()).toBe(0);
    expect(r.sentAt()).toEqual([startedAt, startedAt, startedAt]);
    expect(r.actor.getSnapshot().context).toMatchObject({
      published: 3,
      rounds: 1,
      duplicates: 0,
      backlog: 0,
      failures: 0,
    });
    expect(r.actor.getSnapshot().value).toBe('idle');
    r.actor.stop();
  });

  it('publishes a later row at once when nudged, and otherwise at the next poll (200 ms)', async () => {
    const sim = await startSimHarness();
    const r = relayRig(sim);
    r.actor.start();
    await sim.clock.advance(1);

    r.commit(productAdded('p1', 'Lamp', 1_000));
    r.actor.send({ type: 'NUDGE' });
    await sim.clock.advance(0);
    expect(r.stream()).toHaveLength(1);

    // Idle again since the nudged round, just now: the poll comes 200 ms later.
    r.commit(productAdded('p2', 'Desk', 5_000));
    await sim.clock.advance(199);
    expect(r.outbox.backlog()).toBe(1);
    await sim.clock.advance(1);
    expect(r.outbox.backlog()).toBe(0);
    expect(r.stream()).toHaveLength(2);
    r.actor.stop();
  });

  it('drains a backlog larger than its window in rounds of at most windowSize rows, in order', async () => {
    const sim = await startSimHarness();
    const r = relayRig(sim, { windowSize: 2 });
    const ids = r.commit(...products(5));
    r.actor.start();
    await sim.clock.advance(1);

    expect(r.stream()).toEqual(ids.map((id, i) => `${i + 1} ${id}`));
    expect(r.actor.getSnapshot().context).toMatchObject({ published: 5, rounds: 3, backlog: 0 });
    r.actor.stop();
  });

  it('backs off while the broker is down, doubling from retryMs up to retryMaxMs, and drains once it is back', async () => {
    const sim = await startSimHarness();
    const r = relayRig(sim, { retryMs: 100, retryMaxMs: 1_000 });
    r.actor.start();
    await sim.clock.advance(1);

    sim.broker.down();
    const ids = r.commit(...products(2));
    r.actor.send({ type: 'NUDGE' });
    await sim.clock.advance(4_000);

    const drains = entries(r.trail, 'draining').slice(1); // the first is the start, before the outage
    expect(drains.slice(1).map((t, i) => t - (drains[i] ?? 0))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    const { context } = r.actor.getSnapshot();
    expect(context).toMatchObject({ failures: 7, backlog: 2, published: 0 });
    expect(context.lastProblem).toMatch(/publish shop\.products\.added: broker is reconnecting/);
    expect(r.outbox.backlog()).toBe(2);

    sim.broker.up();
    await sim.clock.advance(2_000); // reconnect (250 ms + jitter), then the next retry at most 1 s later
    expect(r.stream()).toEqual([`1 ${ids[0]}`, `2 ${ids[1]}`]);
    expect(r.outbox.backlog()).toBe(0);
    expect(r.actor.getSnapshot().context).toMatchObject({
      failures: 0,
      lastProblem: undefined,
      published: 2,
      backlog: 0,
    });
    expect(r.actor.getSnapshot().value).toBe('idle');
    r.actor.stop();
  });

  it('marks the rows of a partly failed round that the broker acknowledged, so a retry does not publish them again', async () => {
    const sim = await startSimHarness();
    const r = relayRig(sim);
    const [good1] = r.commit(productAdded('p1', 'Lamp', 1_000));
    // A row the broker refuses every time (its subject is not on the event stream): each round fails because of it.
    r.db
      .prepare(
        "INSERT INTO outbox (msg_id, subject, payload, created_at) VALUES ('evt_bad', 'elsewhere.bad', x'00', ?)",
      )
      .run(sim.isoNow());
    const [good2] = r.commit(productAdded('p2', 'Desk', 5_000));
    r.actor.start();
    await sim.clock.advance(1_000);

    expect(r.stream()).toEqual([`1 ${good1}`, `2 ${good2}`]);
    const { context } = r.actor.getSnapshot();
    // Rounds at 0, 100, 300 and 700 ms (retryMs 100, doubling): four failures, and the good rows went out once.
    expect(context).toMatchObject({ failures: 4, backlog: 1, duplicates: 0 });
    expect(context.lastProblem).toMatch(/subject is not on the event stream/);
    expect(r.outbox.pending(10).map((row) => row.msgId)).toEqual(['evt_bad']);
    r.actor.stop();
  });

  it('counts a row the broker already stored (published before a crash, not marked sent) as a duplicate, stored once', async () => {
    const sim = await startSimHarness();
    const r = relayRig(sim);
    const [first, second] = r.commit(...products(2));
    const [row] = r.outbox.pending(1);
    if (row === undefined || first === undefined) throw new Error('expected a pending row');
    await sim.transport.publish({ subject: row.subject, msgId: row.msgId, data: row.payload });
    r.actor.start();
    await sim.clock.advance(1);

    expect(r.stream()).toEqual([`1 ${first}`, `2 ${second}`]);
    expect(r.actor.getSnapshot().context).toMatchObject({ published: 2, duplicates: 1, backlog: 0 });
    r.actor.stop();
  });

  it('publishes nothing while stopped, keeps its backlog count current on NUDGE, and drains on START', async () => {
    const sim = await startSimHarness();
    const r = relayRig(sim, { autoStart: false });
    r.actor.start();
    r.commit(...products(2));
    r.actor.send({ type: 'NUDGE' });
    await sim.clock.advance(5_000);
    expect(r.actor.getSnapshot().value).toBe('stopped');
    expect(r.actor.getSnapshot().context.backlog).toBe(2);
    expect(r.stream()).toEqual([]);

    r.actor.send({ type: 'START' });
    await sim.clock.advance(1);
    expect(r.stream()).toHaveLength(2);
    expect(r.actor.getSnapshot().context).toMatchObject({ published: 2, backlog: 0 });
    r.actor.stop();
  });

  it('publishes the outbox row’s bytes as they were committed', async () => {
    const sim = await startSimHarness();
    const r = relayRig(sim);
    const data = productAdded('p1', 'Lamp', 1_000);
    const committedAt = sim.isoNow();
    const [eventId] = r.commit(data);
    r.actor.start();
    await sim.clock.advance(1);
    const [stored] = sim.broker.jetstream.readRange(1, 1);
    expect(stored?.subject).toBe(subjectFor('ProductAdded'));
    expect(stored?.data).toEqual(
      encodeEnvelope(envelop(data, { eventId: eventId ?? '', occurredAt: committedAt, causationId: 'cmd_unit' })),
    );
    r.actor.stop();
  });
});
