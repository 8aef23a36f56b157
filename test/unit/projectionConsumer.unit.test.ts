/**
 * The projection consumer machine, driven on the virtual clock against the simulated broker and a real in-memory
 * ProjectionStore: a batch is applied and acknowledged only after its commit; a failing handler is retried after the
 * retry policy's backoff; an event that keeps failing, or cannot be decoded, is parked with its reason.
 * Lifecycle (stop, process death, broker outage, rebuild) is in projectionConsumerLifecycle.unit.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/domain/retryPolicy.js';
import { consumerRig } from '../helpers/consumerRig.js';
import { entries, startSimHarness } from '../helpers/simHarness.js';
import { productAdded, productRenamed, productRepriced } from './fixtures.js';

const enc = new TextEncoder();

describe('projection consumer: applying and acknowledging', () => {
  it('applies a batch in stream order, commits the checkpoint with it, then acks every event', async () => {
    const sim = await startSimHarness();
    const rig = consumerRig(sim);
    await sim.publish(
      productAdded('p1', 'Lamp', 1_000),
      productAdded('p2', 'Desk', 5_000),
      productRenamed('p1', 'Lamp XL'),
    );
    const { actor, trail } = rig.startActor();

    await sim.clock.advance(10);

    expect(rig.products()).toEqual(['p1: Lamp XL @ 1000', 'p2: Desk @ 5000']);
    expect(rig.store.checkpoint()).toBe(3);
    expect(rig.calls.map((c) => `${c.seq}:${c.mode}`)).toEqual(['1:live', '2:live', '3:live']);
    const { counters, checkpoint } = actor.getSnapshot().context;
    expect(checkpoint).toBe(3);
    expect(counters).toEqual({
      applied: 3,
      ignored: 0,
      duplicates: 0,
      parked: 0,
      redeliveries: 0,
      batches: 1,
      handlerFailures: 0,
    });
    expect(rig.brokerSide()).toEqual({ pending: 0, ackPending: 0, redelivered: 0, ackFloorSeq: 3 });

    // Caught up: the next pull (catching up waits at most 250 ms) finds nothing, so the consumer goes idle.
    await sim.clock.advance(300);
    expect(trail).toEqual([
      { state: 'starting', atMs: 0 },
      { state: '{"pulling":"catchingUp"}', atMs: 0 },
      { state: '{"pulling":"idle"}', atMs: 250 },
    ]);
    expect(rig.state(actor)).toBe('idle');
    actor.stop();
  });

  it('acks nothing before the commit: a crash between the two leaves the batch committed and unacked, redelivered as duplicates', async () => {
    const sim = await startSimHarness();
    const rig = consumerRig(sim);
    await sim.publish(
      productAdded('p1', 'Lamp', 1_000),
      productAdded('p2', 'Desk', 5_000),
      productRepriced('p2', 4_500),
    );
    let crashes = 1;
    const { actor } = rig.startActor({ crashAfterCommit: () => crashes-- > 0 });

    await sim.clock.advance(10);

    expect(rig.state(actor)).toBe('failed');
    expect(actor.getSnapshot().context.lastProblem).toBe(
      'crashed after committing up to seq 3, before acking 3 deliveries',
    );
    expect(rig.store.checkpoint()).toBe(3);
    expect(rig.brokerSide()).toMatchObject({ ackPending: 3, ackFloorSeq: 0 });

    actor.send({ type: 'START' });
    // The broker hands the batch over again only when its ack wait (2 s) has run out.
    await sim.clock.advance(rig.settings.ackWaitMs - 100);
    expect(actor.getSnapshot().context.counters.duplicates).toBe(0);
    await sim.clock.advance(200);

    // The crashed pull never reported, so its 3 applied events are not in this actor's counters; the redelivery is.
    const { counters } = actor.getSnapshot().context;
    expect(counters).toMatchObject({ applied: 0, duplicates: 3, redeliveries: 3, batches: 1 });
    // Recognised by the checkpoint: the handler was not called again.
    expect(rig.calls.map((c) => c.seq)).toEqual([1, 2, 3]);
    expect(rig.products()).toEqual(['p1: Lamp @ 1000', 'p2: Desk @ 4500']);
    expect(rig.brokerSide()).toMatchObject({ ackPending: 0, ackFloorSeq: 3 });
    actor.stop();
  });
});

describe('projection consumer: a failing handler', () => {
  it('backs off per the retry policy (100, then 150 ms: capped), retries, and applies once the handler recovers', async () => {
    const sim = await startSimHarness();
    const rig = consumerRig(sim, {
      maxDeliveries: 5,
      fault: (e, attempt) => (e.seq === 2 && attempt <= 3 ? 'flaky handler' : undefined),
    });
    await sim.publish(productAdded('p1', 'Lamp', 1_000), productRenamed('p1', 'Lamp XL'), productRepriced('p1', 1_200));
    const { actor, trail } = rig.startActor();
    const delaysMs: number[] = []; // the machine's own retry delay, as it enters each backoff
    let backingOff = false;
    actor.subscribe((s) => {
      if (s.matches('backingOff') && !backingOff) delaysMs.push(s.context.retryDelayMs);
      backingOff = s.matches('backingOff');
    });

    await sim.clock.advance(1);
    expect(rig.state(actor)).toBe('backingOff');
    expect(actor.getSnapshot().context).toMatchObject({
      checkpoint: 1,
      retryDelayMs: 100,
      lastProblem: 'seq 2 failed (attempt 1): Error: flaky handler',
    });
    expect(rig.store.failedAttempts(2)).toBe(1);

    await sim.clock.advance(1_000);

    const attempts = rig.calls.filter((c) => c.seq === 2);
    expect(attempts.map((c) => c.threw)).toEqual([true, true, true, false]);
    const gaps = attempts.slice(1).map((c, i) => c.atMs - (attempts[i]?.atMs ?? 0));
    expect(gaps).toEqual([
      backoffMs(rig.settings.retry, 1),
      backoffMs(rig.settings.retry, 2),
      backoffMs(rig.settings.retry, 3),
    ]);
    expect(gaps).toEqual([100, 150, 150]);
    expect(entries(trail, 'backingOff')).toHaveLength(3);
    expect(delaysMs).toEqual([100, 150, 150]);
    expect(rig.products()).toEqual(['p1: Lamp XL @ 1200']);
    expect(rig.store.checkpoint()).toBe(3);
    expect(rig.store.failedAttempts(2)).toBe(0);
    expect(rig.store.deadLetters.count()).toBe(0);
    expect(actor.getSnapshot().context.counters).toMatchObject({ applied: 3, handlerFailures: 3, parked: 0 });
    expect(actor.getSnapshot().context.lastProblem).toBeUndefined();
    expect(rig.brokerSide()).toMatchObject({ ackPending: 0, ackFloorSeq: 3 });
    actor.stop();
  });

  it('parks an event that fails maxDeliveries times, with the reason and attempts, and moves on past it', async () => {
    const sim = await startSimHarness();
    const rig = consumerRig(sim, { maxDeliveries: 3, fault: (e) => (e.seq === 2 ? 'renamer exploded' : undefined) });
    await sim.publish(productAdded('p1', 'Lamp', 1_000), productRenamed('p1', 'BOOM'), productRepriced('p1', 1_200));
    const { actor, trail } = rig.startActor();

    await sim.clock.advance(1_000);

    const attempts = rig.calls.filter((c) => c.seq === 2);
    expect(attempts.map((c) => c.threw)).toEqual([true, true, true]);
    const parkedAtMs = attempts[2]?.atMs ?? -1;
    expect(rig.store.deadLetters.list()).toEqual([
      {
        seq: 2,
        subject: 'shop.products.renamed',
        msgId: 'evt_sim_2',
        data: expect.any(Uint8Array) as Uint8Array,
        reason: 'handler failed 3 times; last error: Error: renamer exploded',
        attempts: 3,
        parkedAt: new Date(parkedAtMs).toISOString(),
        replayedAt: null,
      },
    ]);
    // Two retries (each a backoff), then the park: no third backoff, and the events after it applied.
    expect(entries(trail, 'backingOff')).toHaveLength(2);
    expect(rig.products()).toEqual(['p1: Lamp @ 1200']);
    expect(rig.store.checkpoint()).toBe(3);
    expect(actor.getSnapshot().context.counters).toMatchObject({ applied: 2, parked: 1, handlerFailures: 2 });
    // Parked is handled: acked, not left to the broker to redeliver for ever.
    expect(rig.brokerSide()).toMatchObject({ ackPending: 0, ackFloorSeq: 3 });
    expect(rig.state(actor)).toBe('idle');
    actor.stop();
  });

  it('parks an undecodable event at once (retrying cannot make bytes decode), without a backoff', async () => {
    const sim = await startSimHarness();
    const rig = consumerRig(sim, { maxDeliveries: 3 });
    await sim.publish(productAdded('p1', 'Lamp', 1_000));
    await sim.publishBytes('shop.products.renamed', enc.encode('{"half a'), 'evt_garbled');
    await sim.publish(productRepriced('p1', 1_200));
    const { actor, trail } = rig.startActor();

    await sim.clock.advance(1_000);

    const [letter, ...others] = rig.store.deadLetters.list();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      seq: 2,
      subject: 'shop.products.renamed',
      msgId: 'evt_garbled',
      attempts: 1,
      replayedAt: null,
    });
    expect(letter?.reason).toMatch(/^undecodable payload: /);
    expect(rig.calls.map((c) => c.seq)).toEqual([1, 3]); // the handler never saw it
    expect(entries(trail, 'backingOff')).toEqual([]);
    expect(actor.getSnapshot().context.counters).toMatchObject({
      applied: 2,
      parked: 1,
      handlerFailures: 0,
      batches: 1,
    });
    expect(rig.brokerSide()).toMatchObject({ ackPending: 0, ackFloorSeq: 3 });
    actor.stop();
  });
});
