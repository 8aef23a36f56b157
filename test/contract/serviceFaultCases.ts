/** Contract cases for request/reply, a broker outage, and closing. */
import { expect, it } from 'vitest';
import type { BrokerStatus } from '../../src/transport/port.js';
import {
  dec,
  enc,
  expectWithin,
  publishNamed,
  rejects,
  resolves,
  seen,
  spec,
  waitUntil,
  watch,
  type ContractHarness,
} from './contractKit.js';

export function serviceFaultCases(harness: () => ContractHarness): void {
  it('request/reply: round trip, handler error → rejected, nobody serving → no-responders, slow → timeout', async () => {
    const h = harness();
    const t = h.transport;
    const echo = t.serve('rpc.echo', (data) => Promise.resolve(enc.encode(`echo:${dec.decode(data)}`)));
    const failing = t.serve('rpc.fail', () => Promise.reject(new Error('boom\nsecond line')));
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const slow = t.serve('rpc.slow', async (data) => {
      await gate;
      return data;
    });
    try {
      const round = await resolves(h, t.request('rpc.echo', enc.encode('hi'), 1_000), 2_000);
      expect(dec.decode(round.value)).toBe('echo:hi');
      const failed = await rejects(h, t.request('rpc.fail', enc.encode('x'), 2_000), 3_000, 'rejected');
      expect(failed.error.message).toBe('boom second line');
      expect(failed.elapsedMs).toBeLessThan(1_000);
      await rejects(h, t.request('rpc.nobody', enc.encode('x'), 1_000), 2_000, 'no-responders');
      const timedOut = await rejects(h, t.request('rpc.slow', enc.encode('x'), 200), 2_000, 'timeout');
      expect(timedOut.elapsedMs).toBeGreaterThanOrEqual(180);
    } finally {
      openGate();
      await Promise.all([echo.stop(), failing.stop(), slow.stop()]);
    }
    await rejects(h, t.request('rpc.echo', enc.encode('x'), 1_000), 2_000, 'no-responders');
  });

  it('several servers of one subject: each request is answered exactly once', async () => {
    const h = harness();
    const t = h.transport;
    const calls: string[] = [];
    const servers = ['s1', 's2', 's3'].map((id) =>
      t.serve('rpc.group', (data) => {
        calls.push(id);
        return Promise.resolve(data);
      }),
    );
    try {
      const replies = await resolves(
        h,
        Promise.all(Array.from({ length: 12 }, (_, k) => t.request('rpc.group', enc.encode(`${k}`), 2_000))),
        3_000,
      );
      expect(replies.value.map((r) => dec.decode(r))).toEqual(Array.from({ length: 12 }, (_, k) => `${k}`));
      expect(calls).toHaveLength(12);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });

  it('broker outage: fails fast while down, status follows, works again after restart with the stream intact', async () => {
    const h = harness();
    const t = h.transport;
    await t.provisionStream();
    await publishNamed(t, 'out', ['a', 'b']);
    const consumer = await t.durableConsumer(spec('out'));
    for (const d of (await resolves(h, consumer.fetch(10, 0), 2_000)).value) d.ack();
    // Acks are fire-and-forget: wait until the broker has recorded them, or a busy machine may stop it first and
    // (correctly, at least once) redeliver a and b after the restart.
    await waitUntil(h, async () => (await consumer.info()).ackFloorSeq === 2, 2_000, 'the acks of a and b to count');
    const statuses: BrokerStatus[] = [];
    const unsubscribe = t.onStatus((s) => statuses.push(s));
    expect(t.status()).toBe('connected');

    const inFlight = watch(h, consumer.fetch(5, 10_000));
    await h.sleep(50);
    await h.stopBroker();
    const interrupted = await rejects(h, inFlight, 6_000, 'unavailable');
    expect(interrupted.elapsedMs).toBeLessThan(5_000);
    await waitUntil(h, () => t.status() !== 'connected', 5_000, 'status to leave connected');
    const event = { subject: 'shop.out.c', msgId: 'out-c', data: enc.encode('c') };
    const failed = await rejects(h, t.publish(event, { timeoutMs: 1_000 }), 3_000, 'unavailable', 'timeout');
    expect(failed.elapsedMs).toBeLessThan(2_000);
    await rejects(h, consumer.fetch(5, 500), 2_000, 'unavailable');
    await rejects(h, t.streamInfo(), 2_000, 'unavailable', 'timeout');

    await h.startBroker();
    await waitUntil(h, () => t.status() === 'connected', 10_000, 'reconnect');
    unsubscribe();
    expect(statuses.slice(0, 2)).toEqual(['disconnected', 'reconnecting']);
    expect(statuses.at(-1)).toBe('connected');

    expect(await t.publish(event)).toEqual({ seq: 3, duplicate: false });
    expect((await t.readRange(1, 10)).map((e) => dec.decode(e.data))).toEqual(['a', 'b', 'c']);
    expect(await t.streamInfo()).toMatchObject({ firstSeq: 1, lastSeq: 3, messages: 3 });
    const after = await resolves(h, consumer.fetch(5, 2_000), 3_000);
    expect(seen(after.value)).toEqual([['c', 1]]);
    after.value[0]?.ack();
  });

  it('a restart keeps un-acked messages pending: they come back after the ack wait', async () => {
    const h = harness();
    const t = h.transport;
    await t.provisionStream();
    await publishNamed(t, 'keep', ['a']);
    const consumer = await t.durableConsumer(spec('keep', { ackWaitMs: 1_000 }));
    expect(seen((await resolves(h, consumer.fetch(10, 0), 2_000)).value)).toEqual([['a', 1]]);
    await h.stopBroker();
    await h.startBroker();
    await waitUntil(h, () => t.status() === 'connected', 10_000, 'reconnect');
    const back = await resolves(h, consumer.fetch(10, 5_000), 6_000);
    expect(seen(back.value)).toEqual([['a', 2]]);
    back.value[0]?.ack();
  });

  it('a hung broker: publish times out, fetch is unavailable within bounds, status stays connected; resume recovers', async () => {
    const h = harness();
    const t = h.transport;
    await t.provisionStream();
    const consumer = await t.durableConsumer(spec('hung', { ackWaitMs: 1_000 }));
    const event = { subject: 'shop.hung.1', msgId: 'hung-1', data: enc.encode('h') };
    await h.pauseBroker();
    try {
      const published = await rejects(h, t.publish(event, { timeoutMs: 500 }), 3_000, 'timeout');
      expectWithin(published.elapsedMs, 500, 1_500);
      // 300 ms expiry + 1 s grace + 1 s probe.
      const fetched = await rejects(h, consumer.fetch(5, 300), 5_000, 'unavailable');
      expectWithin(fetched.elapsedMs, 2_300, 4_000);
      expect(t.status()).toBe('connected');
    } finally {
      await h.resumeBroker();
    }
    // The timed-out publish was already on its way and is stored on resume: a timeout's outcome is unknown, and a
    // retry with the same msg id is what makes that safe.
    expect((await resolves(h, t.publish(event), 3_000)).value.duplicate).toBe(true);
    // The pull sent during the pause may have delivered to a requester that left; ack wait brings it back.
    const got = (await resolves(h, consumer.fetch(5, 3_000), 4_000)).value;
    expect(got.map((d) => d.msgId)).toEqual(['hung-1']);
    expect(got[0]?.deliveryCount).toBeLessThanOrEqual(2);
    got[0]?.ack();
  });

  it('closing is idempotent and refuses work afterwards', async () => {
    const h = harness();
    const t = h.transport;
    await Promise.all([t.close(), t.close()]);
    await t.close();
    expect(t.status()).toBe('closed');
    await rejects(h, t.publish({ subject: 'shop.closed.1', msgId: 'c', data: enc.encode('') }), 2_000, 'unavailable');
    await rejects(h, t.streamInfo(), 2_000, 'unavailable');
  });
}
