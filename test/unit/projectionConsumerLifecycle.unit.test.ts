/**
 * The projection consumer's lifecycle on the virtual clock: STOP and START, a process death (the actor gone: `down`)
 * and a fresh actor on the same store, a broker outage waited out with backoff, and REBUILD replaying the stream
 * from sequence 1 into fresh tables.
 */
import { describe, expect, it } from 'vitest';
import { consumerRig } from '../helpers/consumerRig.js';
import { entries, startSimHarness } from '../helpers/simHarness.js';
import { productAdded, productRenamed, productRepriced } from './fixtures.js';

describe('projection consumer: stopping and coming back', () => {
  it('STOP: stays stopped, applying nothing, while events arrive; START: resumes from its checkpoint', async () => {
    const sim = await startSimHarness();
    const rig = consumerRig(sim);
    await sim.publish(productAdded('p1', 'Lamp', 1_000));
    const { actor } = rig.startActor();
    await sim.clock.advance(300);
    expect(rig.state(actor)).toBe('idle');

    actor.send({ type: 'STOP' });
    expect(rig.state(actor)).toBe('stopped');
    await sim.publish(productRenamed('p1', 'Lamp XL'), productRepriced('p1', 1_200));
    await sim.clock.advance(10_000);
    expect(rig.state(actor)).toBe('stopped');
    expect(rig.store.checkpoint()).toBe(1);
    expect(rig.products()).toEqual(['p1: Lamp @ 1000']);
    // The long poll that was out when STOP came took seq 2 and handed it back untouched (nak): still pending.
    expect(rig.brokerSide()).toEqual({ pending: 1, ackPending: 1, redelivered: 0, ackFloorSeq: 1 });

    actor.send({ type: 'START' });
    await sim.clock.advance(10);
    expect(rig.store.checkpoint()).toBe(3);
    expect(rig.products()).toEqual(['p1: Lamp XL @ 1200']);
    expect(actor.getSnapshot().context.counters).toMatchObject({ applied: 3, duplicates: 0, redeliveries: 1 });
    await sim.clock.advance(300);
    expect(rig.state(actor)).toBe('idle');
    actor.stop();
  });

  it('a dead process shows as down; a fresh actor on the same store and durable applies what arrived meanwhile, once', async () => {
    const sim = await startSimHarness();
    const rig = consumerRig(sim);
    await sim.publish(productAdded('p1', 'Lamp', 1_000), productAdded('p2', 'Desk', 5_000));
    const first = rig.startActor().actor;
    await sim.clock.advance(300);
    first.stop();
    expect(rig.state(first)).toBe('down');

    await sim.publish(productRenamed('p2', 'Desk XL'));
    await sim.clock.advance(5_000);
    expect(rig.store.checkpoint()).toBe(2);

    const second = rig.startActor().actor;
    expect(second.getSnapshot().context.checkpoint).toBe(2); // read from the store at start
    await sim.clock.advance(300);
    expect(rig.state(second)).toBe('idle');
    expect(rig.store.checkpoint()).toBe(3);
    expect(rig.products()).toEqual(['p1: Lamp @ 1000', 'p2: Desk XL @ 5000']);
    expect(second.getSnapshot().context.counters).toMatchObject({ applied: 1, duplicates: 0 });
    expect(rig.calls.map((c) => c.seq)).toEqual([1, 2, 3]);
    expect(rig.brokerSide()).toMatchObject({ ackPending: 0, ackFloorSeq: 3 });
    second.stop();
  });

  it('waits out a broker outage in backingOff, every brokerRetryMs, and catches up once the broker is back', async () => {
    const sim = await startSimHarness();
    const rig = consumerRig(sim);
    await sim.publish(productAdded('p1', 'Lamp', 1_000));
    const { actor, trail } = rig.startActor();
    await sim.clock.advance(300);

    sim.broker.down();
    await sim.clock.advance(1);
    expect(rig.state(actor)).toBe('backingOff');
    const { lastProblem, retryDelayMs } = actor.getSnapshot().context;
    expect(lastProblem).toMatch(/^broker: fetch products-unit: /);
    expect(retryDelayMs).toBe(rig.settings.brokerRetryMs);
    const downAtMs = trail.at(-1)?.atMs ?? -1;

    await sim.clock.advance(2_000);
    // Each retry fails at once (the connection is down) and backs off again: exactly every 500 ms.
    const retries = entries(trail, 'backingOff').filter((t) => t >= downAtMs);
    expect(retries.slice(1).map((t, i) => t - (retries[i] ?? 0))).toEqual([500, 500, 500, 500]);
    expect(rig.state(actor)).toBe('backingOff');

    sim.broker.up();
    await sim.clock.advance(1_000); // reconnect (250 ms + jitter), then the next retry
    await sim.publish(productRenamed('p1', 'Lamp XL'));
    await sim.clock.advance(1_000);
    expect(rig.store.checkpoint()).toBe(2);
    expect(rig.products()).toEqual(['p1: Lamp XL @ 1000']);
    expect(actor.getSnapshot().context.lastProblem).toBeUndefined();
    expect(rig.state(actor)).toBe('idle');
    actor.stop();
  });
});

describe('projection consumer: REBUILD', () => {
  it('replays the stream from sequence 1 into fresh tables, swaps them in, and resumes live at the end', async () => {
    const sim = await startSimHarness();
    const rig = consumerRig(sim);
    await sim.publish(
      productAdded('p1', 'Lamp', 1_000),
      productAdded('p2', 'Desk', 5_000),
      productRenamed('p1', 'Lamp XL'),
      productRepriced('p2', 4_500),
    );
    const { actor, trail } = rig.startActor();
    await sim.clock.advance(300);
    // The live view drifts (what a buggy handler leaves behind); only a replay repairs it.
    rig.db.prepare("UPDATE products SET name = 'corrupted' WHERE product_id = 'p1'").run();
    rig.db.prepare("INSERT INTO products VALUES ('ghost', 'never added', 1)").run();

    actor.send({ type: 'REBUILD' });
    await sim.clock.advance(10);

    expect(entries(trail, 'rebuilding')).toHaveLength(1);
    expect(rig.calls.filter((c) => c.mode === 'rebuild').map((c) => c.seq)).toEqual([1, 2, 3, 4]);
    expect(rig.products()).toEqual(['p1: Lamp XL @ 1000', 'p2: Desk @ 4500']);
    expect(actor.getSnapshot().context).toMatchObject({ rebuilds: 1, checkpoint: 4, lastProblem: undefined });
    expect(rig.store.checkpoint()).toBe(4);

    // Live again: a new event is applied once, by the live consumer.
    await sim.publish(productRepriced('p1', 1_100));
    await sim.clock.advance(300);
    expect(rig.calls.filter((c) => c.mode === 'live').map((c) => c.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rig.products()).toEqual(['p1: Lamp XL @ 1100', 'p2: Desk @ 4500']);
    expect(rig.state(actor)).toBe('idle');
    actor.stop();
  });
});
