/** Contract cases for durable pull consumers: delivery order, acks, naks, ack wait, term, working, bounds, info. */
import { expect, it } from 'vitest';
import type { Delivery } from '../../src/transport/port.js';
import { expectWithin, publishNamed, rejects, resolves, seen, spec, type ContractHarness } from './contractKit.js';

export function consumerCases(harness: () => ContractHarness): void {
  const ready = async (): Promise<ContractHarness> => {
    const h = harness();
    await h.transport.provisionStream();
    return h;
  };

  it('fetch hands out messages in stream order with delivery count 1, at once when fewer than asked', async () => {
    const h = await ready();
    const t = h.transport;
    await publishNamed(t, 'other', ['x']);
    await publishNamed(t, 'order', ['a', 'b', 'c']);
    const consumer = await t.durableConsumer(spec('order'));
    const { value, elapsedMs } = await resolves(h, consumer.fetch(10, 5_000), 6_000);
    expect(elapsedMs).toBeLessThan(1_000);
    expect(value.map((d) => [d.seq, d.subject, d.msgId, d.deliveryCount])).toEqual([
      [2, 'shop.order.a', 'order-a', 1],
      [3, 'shop.order.b', 'order-b', 1],
      [4, 'shop.order.c', 'order-c', 1],
    ]);
    const stored = await t.readRange(2, 3);
    expect(value.map((d) => [d.data, d.timestampMs])).toEqual(stored.map((e) => [e.data, e.timestampMs]));
    for (const d of value) d.ack();
  });

  it('fetch on an empty stream waits about expiresMs and returns []; expires 0 answers at once', async () => {
    const h = await ready();
    const consumer = await h.transport.durableConsumer(spec('empty'));
    const waited = await resolves(h, consumer.fetch(5, 500), 3_000);
    expect(waited.value).toEqual([]);
    expectWithin(waited.elapsedMs, 500, 1_500);
    const immediate = await resolves(h, consumer.fetch(5, 0), 3_000);
    expect(immediate.value).toEqual([]);
    expect(immediate.elapsedMs).toBeLessThan(500);
  });

  it('a waiting fetch returns as soon as a message arrives', async () => {
    const h = await ready();
    const t = h.transport;
    const consumer = await t.durableConsumer(spec('wake'));
    const fetching = consumer.fetch(10, 5_000);
    await h.sleep(300);
    await publishNamed(t, 'wake', ['a']);
    const { value, elapsedMs } = await resolves(h, fetching, 6_000);
    expect(seen(value)).toEqual([['a', 1]]);
    expect(elapsedMs).toBeLessThan(1_000);
    value[0]?.ack();
  });

  it('acked messages never come back', async () => {
    const h = await ready();
    const t = h.transport;
    await publishNamed(t, 'acked', ['a', 'b']);
    const consumer = await t.durableConsumer(spec('acked', { ackWaitMs: 800 }));
    const first = (await resolves(h, consumer.fetch(10, 1_000), 2_000)).value;
    for (const d of first) d.ack();
    // Twice the ack wait: anything acked above would be back by now if the acks had not counted.
    expect((await resolves(h, consumer.fetch(10, 1_600), 3_000)).value).toEqual([]);
    expect(await consumer.info()).toEqual({ pending: 0, ackPending: 0, redelivered: 0, ackFloorSeq: 2 });
  });

  it('nak(delay) brings a message back with delivery count 2, not before the delay; a bare nak at once', async () => {
    const h = await ready();
    const t = h.transport;
    await publishNamed(t, 'nak', ['a']);
    const consumer = await t.durableConsumer(spec('nak', { ackWaitMs: 10_000 }));
    const [a] = (await resolves(h, consumer.fetch(10, 1_000), 2_000)).value as [Delivery];
    const nakAt = h.now();
    a.nak(600);
    const back = await resolves(h, consumer.fetch(10, 3_000), 4_000);
    expect(seen(back.value)).toEqual([['a', 2]]);
    expectWithin(back.atMs - nakAt, 600, 1_600);
    back.value[0]?.nak();
    const again = await resolves(h, consumer.fetch(10, 3_000), 4_000);
    expect(seen(again.value)).toEqual([['a', 3]]);
    expect(again.elapsedMs).toBeLessThan(500);
    again.value[0]?.ack();
  });

  it('un-acked messages come back after the ack wait; redeliveries go first, in stream order', async () => {
    const h = await ready();
    const t = h.transport;
    await publishNamed(t, 'wait', ['a', 'b']);
    const consumer = await t.durableConsumer(spec('wait', { ackWaitMs: 1_000 }));
    // Measured from before the first fetch: the delivery (and so its ack wait) cannot start earlier.
    const sentAt = h.now();
    expect(seen((await resolves(h, consumer.fetch(10, 1_000), 2_000)).value)).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    const back = await resolves(h, consumer.fetch(10, 3_000), 4_000);
    expect(seen(back.value)).toEqual([
      ['a', 2],
      ['b', 2],
    ]);
    expectWithin(back.atMs - sentAt, 1_000, 2_000);
    // Let them expire again with nobody pulling, then add a new one: the expired pair goes out first.
    await h.sleep(1_500);
    await publishNamed(t, 'wait', ['c']);
    const mixed = (await resolves(h, consumer.fetch(10, 1_000), 2_000)).value;
    expect(seen(mixed)).toEqual([
      ['a', 3],
      ['b', 3],
      ['c', 1],
    ]);
    expect(await consumer.info()).toMatchObject({ ackPending: 3, redelivered: 2 });
    for (const d of mixed) d.ack();
    await h.sleep(100); // acks are one-way: give the broker a moment before asking
    expect(await consumer.info()).toEqual({ pending: 0, ackPending: 0, redelivered: 0, ackFloorSeq: 3 });
  });

  it("term'd messages never come back", async () => {
    const h = await ready();
    const t = h.transport;
    await publishNamed(t, 'term', ['a', 'b']);
    const consumer = await t.durableConsumer(spec('term', { ackWaitMs: 700 }));
    const [a, b] = (await resolves(h, consumer.fetch(10, 1_000), 2_000)).value as [Delivery, Delivery];
    a.term();
    b.nak();
    const back = await resolves(h, consumer.fetch(10, 1_000), 2_000);
    expect(seen(back.value)).toEqual([['b', 2]]);
    back.value[0]?.term();
    expect((await resolves(h, consumer.fetch(10, 1_500), 3_000)).value).toEqual([]);
    expect(await consumer.info()).toEqual({ pending: 0, ackPending: 0, redelivered: 0, ackFloorSeq: 2 });
  });

  it('working() restarts the ack wait', async () => {
    const h = await ready();
    const t = h.transport;
    await publishNamed(t, 'wpi', ['a']);
    const consumer = await t.durableConsumer(spec('wpi', { ackWaitMs: 1_000 }));
    const [a] = (await resolves(h, consumer.fetch(10, 1_000), 2_000)).value as [Delivery];
    await h.sleep(600);
    const workingAt = h.now();
    a.working();
    const back = await resolves(h, consumer.fetch(10, 3_000), 4_000);
    expect(seen(back.value)).toEqual([['a', 2]]);
    expectWithin(back.atMs - workingAt, 1_000, 2_000);
    back.value[0]?.ack();
  });

  it('max_ack_pending bounds what is in flight; a blocked fetch waits out its expiry', async () => {
    const h = await ready();
    const t = h.transport;
    await publishNamed(t, 'map', ['a', 'b', 'c', 'd']);
    const consumer = await t.durableConsumer(spec('map', { maxAckPending: 2 }));
    const first = await resolves(h, consumer.fetch(10, 500), 2_000);
    expect(seen(first.value)).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(first.elapsedMs).toBeLessThan(400);
    const blocked = await resolves(h, consumer.fetch(10, 500), 2_000);
    expect(blocked.value).toEqual([]);
    expectWithin(blocked.elapsedMs, 500, 1_500);
    first.value[0]?.ack();
    // Room for one: it comes, then the full consumer is not "nothing left", so the pull runs to its expiry.
    const one = await resolves(h, consumer.fetch(10, 500), 2_000);
    expect(seen(one.value)).toEqual([['c', 1]]);
    expectWithin(one.elapsedMs, 500, 1_500);
    expect(await consumer.info()).toMatchObject({ pending: 1, ackPending: 2 });
  });

  it('filter subjects select with * and >', async () => {
    const h = await ready();
    const t = h.transport;
    for (const subject of ['shop.fa.1', 'shop.fa.1.deep', 'shop.fb.x', 'shop.fa.x']) {
      await t.publish({ subject, msgId: subject, data: new Uint8Array() });
    }
    let n = 0;
    const subjectsOf = async (filterSubject: string): Promise<string[]> => {
      const consumer = await t.durableConsumer(spec(`filter${++n}`, { filterSubject }));
      return (await resolves(h, consumer.fetch(10, 0), 2_000)).value.map((d) => d.subject);
    };
    expect(await subjectsOf('shop.fa.*')).toEqual(['shop.fa.1', 'shop.fa.x']);
    expect(await subjectsOf('shop.fa.>')).toEqual(['shop.fa.1', 'shop.fa.1.deep', 'shop.fa.x']);
    expect(await subjectsOf('shop.*.x')).toEqual(['shop.fb.x', 'shop.fa.x']);
    expect(await subjectsOf('shop.>')).toHaveLength(4);
  });

  it('consumer info counts pending, in flight, redelivered, and the ack floor', async () => {
    const h = await ready();
    const t = h.transport;
    await t.publish({ subject: 'shop.ci.1', msgId: 'ci-1', data: new Uint8Array() });
    await t.publish({ subject: 'shop.other.1', msgId: 'other-1', data: new Uint8Array() });
    await publishNamed(t, 'ci', ['2', '3']);
    const consumer = await t.durableConsumer(spec('ci'));
    expect(await consumer.info()).toEqual({ pending: 3, ackPending: 0, redelivered: 0, ackFloorSeq: 0 });
    const [one, three] = (await resolves(h, consumer.fetch(2, 0), 2_000)).value as [Delivery, Delivery];
    expect([one.seq, three.seq]).toEqual([1, 3]);
    expect(await consumer.info()).toEqual({ pending: 1, ackPending: 2, redelivered: 0, ackFloorSeq: 0 });
    one.nak();
    // nats-server handles acks and pull requests on separate queues: a fetch sent right after a nak may overtake it.
    await h.sleep(100);
    const [oneAgain] = (await resolves(h, consumer.fetch(1, 1_000), 2_000)).value as [Delivery];
    expect([oneAgain.seq, oneAgain.deliveryCount]).toEqual([1, 2]);
    expect(await consumer.info()).toEqual({ pending: 1, ackPending: 2, redelivered: 1, ackFloorSeq: 0 });
    // Acked out of delivery order: the floor waits for the earliest delivery.
    three.ack();
    await h.sleep(100); // acks are one-way: give the broker a moment before asking
    expect(await consumer.info()).toEqual({ pending: 1, ackPending: 1, redelivered: 1, ackFloorSeq: 0 });
    oneAgain.ack();
    await h.sleep(100);
    expect(await consumer.info()).toEqual({ pending: 1, ackPending: 0, redelivered: 0, ackFloorSeq: 3 });
    // A trailing message the filter skips: once the consumer has scanned past it, the floor moves over it.
    await t.publish({ subject: 'shop.other.2', msgId: 'other-2', data: new Uint8Array() });
    const [four] = (await resolves(h, consumer.fetch(5, 0), 2_000)).value as [Delivery];
    four.ack();
    await h.sleep(100);
    expect(await consumer.info()).toEqual({ pending: 0, ackPending: 0, redelivered: 0, ackFloorSeq: 5 });
  });

  it('a durable keeps its position when provisioned again; deleting is repeatable; a deleted one is not-found', async () => {
    const h = await ready();
    const t = h.transport;
    await publishNamed(t, 'pos', ['a', 'b']);
    const first = await t.durableConsumer(spec('pos'));
    for (const d of (await resolves(h, first.fetch(10, 0), 2_000)).value) d.ack();
    const same = await t.durableConsumer(spec('pos'));
    const drifted = await t.durableConsumer(spec('pos', { ackWaitMs: 7_000 }));
    await publishNamed(t, 'pos', ['c']);
    expect(seen((await resolves(h, same.fetch(10, 0), 2_000)).value)).toEqual([['c', 1]]);
    expect(await drifted.info()).toMatchObject({ pending: 0, ackPending: 1 });

    await t.deleteConsumer('pos');
    await t.deleteConsumer('pos');
    const gone = await rejects(h, first.fetch(5, 200), 4_000, 'not-found');
    expect(gone.elapsedMs).toBeLessThan(4_000);
    await rejects(h, first.info(), 2_000, 'not-found');
  });
}
