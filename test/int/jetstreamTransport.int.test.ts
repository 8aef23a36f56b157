import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connectJetStream } from '../../src/transport/jetstream/jetstreamTransport.js';
import {
  EVENT_STREAM,
  TransportError,
  type BrokerStatus,
  type Delivery,
  type StoredEvent,
  type Transport,
} from '../../src/transport/port.js';
import { eventually } from '../helpers/eventually.js';
import { startTestBroker, type TestBroker } from '../helpers/natsHarness.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

let broker: TestBroker;
let transport: Transport;
/** Log lines of `transport`, to see what provisioning did. */
const logLines: { msg: string }[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line) as { msg: string }) });
  // Small read pulls, so the 2,500-event range below crosses pull boundaries.
  transport = await connectJetStream({ servers: broker.url, name: 'int-test', log, readPullBatch: 1_000 });
});

afterAll(async () => {
  await transport?.close();
  await broker?.stop();
});

/** Inspects the broker directly, to check what the adapter did without trusting the adapter. */
async function withJsm<T>(fn: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: broker.url, name: 'inspector' });
  try {
    return await fn(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

/** Awaits a rejection that must be a TransportError of one of `kinds`; failures show the error itself. */
async function rejects(p: Promise<unknown>, ...kinds: TransportError['kind'][]): Promise<TransportError> {
  const err = await p.then(
    (value: unknown) => new Error(`resolved instead: ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  if (!(err instanceof TransportError) || !kinds.includes(err.kind)) {
    throw new Error(`expected TransportError ${kinds.join('|')}, got ${String(err)}`, { cause: err });
  }
  return err;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const provisionLogs = () => logLines.filter((l) => l.msg === 'stream created' || l.msg === 'stream updated');

describe('JetStream transport against a real nats-server', () => {
  it('provisions the stream idempotently and repairs drift', async () => {
    await transport.provisionStream();
    expect(provisionLogs().map((l) => l.msg)).toEqual(['stream created']);
    const first = await withJsm((jsm) => jsm.streams.info(EVENT_STREAM));
    expect(first.config).toMatchObject({ subjects: ['shop.>'], storage: 'file', num_replicas: 1, retention: 'limits' });
    expect(first.config.duplicate_window).toBe(120_000_000_000);

    await transport.provisionStream();
    expect(provisionLogs()).toHaveLength(1);

    await transport.provisionStream({ duplicateWindowMs: 60_000 });
    const drifted = await withJsm((jsm) => jsm.streams.info(EVENT_STREAM));
    expect(drifted.config.duplicate_window).toBe(60_000_000_000);
    expect(drifted.created).toBe(first.created);
    await transport.provisionStream();
    expect(provisionLogs().map((l) => l.msg)).toEqual(['stream created', 'stream updated', 'stream updated']);
  });

  it('publishes with increasing seqs and drops a duplicate msg id', async () => {
    const a = await transport.publish({ subject: 'shop.pub.1', msgId: 'pub-1', data: enc.encode('a') });
    const b = await transport.publish({ subject: 'shop.pub.2', msgId: 'pub-2', data: enc.encode('b') });
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ seq: a.seq + 1, duplicate: false });

    const before = await transport.streamInfo();
    const again = await transport.publish({ subject: 'shop.pub.1', msgId: 'pub-1', data: enc.encode('other') });
    expect(again.duplicate).toBe(true);
    const after = await transport.streamInfo();
    expect(after.lastSeq).toBe(before.lastSeq);
    expect(after.messages).toBe(before.messages);
    expect(dec.decode((await transport.getEvent(a.seq))?.data)).toBe('a');

    await rejects(transport.publish({ subject: 'elsewhere.x', msgId: 'x', data: enc.encode('') }), 'rejected');
  });

  it('delivers in order, redelivers after nak(delay) and after ack wait, never after ack', async () => {
    const published = [];
    for (const name of ['a', 'b', 'c']) {
      published.push(
        await transport.publish({ subject: `shop.dc.${name}`, msgId: `dc-${name}`, data: enc.encode(name) }),
      );
    }
    const spec = { durable: 'dc', filterSubject: 'shop.dc.>', ackWaitMs: 1_500, maxAckPending: 50 };
    const consumer = await transport.durableConsumer(spec);

    const first = await consumer.fetch(10, 1_000);
    const deliveredAt = Date.now();
    expect(first.map((d) => d.seq)).toEqual(published.map((p) => p.seq));
    expect(first.map((d) => [d.subject, d.msgId, dec.decode(d.data), d.deliveryCount])).toEqual([
      ['shop.dc.a', 'dc-a', 'a', 1],
      ['shop.dc.b', 'dc-b', 'b', 1],
      ['shop.dc.c', 'dc-c', 'c', 1],
    ]);
    expect(Math.abs((first[0]?.timestampMs ?? 0) - Date.now())).toBeLessThan(5_000);
    const [a, b] = first as [Delivery, Delivery, Delivery];
    a.nak(300);
    b.ack();
    // c is neither acked nor nak'd: it must come back once the 1.5 s ack wait runs out.

    const second = await consumer.fetch(10, 3_000);
    const nakElapsedMs = Date.now() - deliveredAt;
    // Only a: it came back after its delay, well before c's ack wait.
    expect(second.map((d) => [d.msgId, d.deliveryCount])).toEqual([['dc-a', 2]]);
    expect(nakElapsedMs).toBeGreaterThanOrEqual(250);
    second[0]?.ack();

    const third = await consumer.fetch(10, 3_000);
    expect(third.map((d) => [d.msgId, d.deliveryCount])).toEqual([['dc-c', 2]]);
    expect(Date.now() - deliveredAt).toBeGreaterThanOrEqual(1_400);
    third[0]?.ack();

    // Longer than the ack wait: anything acked above would be back by now if the acks had not counted.
    expect(await consumer.fetch(10, 1_500)).toEqual([]);
    expect(await consumer.info()).toEqual({
      pending: 0,
      ackPending: 0,
      redelivered: 0,
      ackFloorSeq: published[2]?.seq,
    });

    // Same spec: nothing changes. Drifted spec: updated in place, position kept.
    const created = await withJsm((jsm) => jsm.consumers.info(EVENT_STREAM, 'dc'));
    const consumerLogs = () => logLines.filter((l) => l.msg === 'consumer created' || l.msg === 'consumer updated');
    expect(consumerLogs().map((l) => l.msg)).toEqual(['consumer created']);
    await transport.durableConsumer(spec);
    expect(consumerLogs()).toHaveLength(1);
    await transport.durableConsumer({ ...spec, ackWaitMs: 2_000 });
    expect(consumerLogs().map((l) => l.msg)).toEqual(['consumer created', 'consumer updated']);
    const updated = await withJsm((jsm) => jsm.consumers.info(EVENT_STREAM, 'dc'));
    expect(created.config.ack_wait).toBe(1_500_000_000);
    expect(updated.created).toBe(created.created);
    expect(updated.config).toMatchObject({ ack_wait: 2_000_000_000, max_deliver: -1, ack_policy: 'explicit' });
    expect(updated.ack_floor.stream_seq).toBe(published[2]?.seq);
  });

  it('returns [] from an empty fetch within its bound, and not-found for a deleted consumer', async () => {
    const consumer = await transport.durableConsumer({
      durable: 'empty',
      filterSubject: 'shop.empty.>',
      ackWaitMs: 5_000,
      maxAckPending: 10,
    });
    let t0 = Date.now();
    expect(await consumer.fetch(5, 300)).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(1_200);
    t0 = Date.now();
    expect(await consumer.fetch(5, 0)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(500);

    await transport.deleteConsumer('empty');
    await transport.deleteConsumer('empty'); // already gone: still fine
    t0 = Date.now();
    await rejects(consumer.fetch(5, 200), 'not-found');
    expect(Date.now() - t0).toBeLessThan(4_000);
  });

  it('reads exact ranges across batch boundaries and single events', async () => {
    const before = (await transport.streamInfo()).lastSeq;
    const count = 2_500;
    const indexBySeq = new Map<number, number>();
    for (let start = 0; start < count; start += 250) {
      const acks = await Promise.all(
        Array.from({ length: 250 }, (_, k) =>
          transport.publish({
            subject: `shop.rr.${start + k}`,
            msgId: `rr-${start + k}`,
            data: enc.encode(`${start + k}`),
          }),
        ),
      );
      acks.forEach((ack, k) => indexBySeq.set(ack.seq, start + k));
    }
    const expectMatches = (events: StoredEvent[]) => {
      for (const e of events) {
        const i = indexBySeq.get(e.seq);
        expect([e.subject, e.msgId, dec.decode(e.data)]).toEqual([`shop.rr.${i}`, `rr-${i}`, `${i}`]);
      }
    };

    const all = await transport.readRange(before + 1, count);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: count }, (_, k) => before + 1 + k));
    expectMatches(all);

    const chunks: StoredEvent[] = [];
    for (let from = before + 1; ;) {
      const chunk = await transport.readRange(from, 1_000);
      if (chunk.length === 0) break;
      chunks.push(...chunk);
      from = (chunk.at(-1)?.seq ?? from) + 1;
    }
    expect(chunks).toEqual(all);

    const last = before + count;
    expect((await transport.readRange(last - 9, 5_000)).map((e) => e.seq)).toEqual(
      Array.from({ length: 10 }, (_, k) => last - 9 + k),
    );
    expect(await transport.readRange(last + 1, 10)).toEqual([]);
    expect(await transport.readRange(before + 1, 0)).toEqual([]);

    expect(await transport.getEvent(before + 1_234)).toEqual(all[1_233]);
    expect(await transport.getEvent(last + 100)).toBeUndefined();
    expect(await transport.getEvent(0)).toBeUndefined();

    const info = await transport.streamInfo();
    expect(info).toMatchObject({ firstSeq: 1, lastSeq: last, messages: last });
    expect(info.lastTimestampMs).toBe(all.at(-1)?.timestampMs);
    // The ephemeral readers are gone: only the durables remain.
    const names = await withJsm(async (jsm) => (await jsm.consumers.list(EVENT_STREAM).next()).map((c) => c.name));
    expect(names.sort()).toEqual(['dc']);
  });

  it('answers requests, reports handler errors, missing responders and timeouts', async () => {
    const echo = transport.serve('rpc.echo', (data) => Promise.resolve(enc.encode(`echo:${dec.decode(data)}`)));
    const failing = transport.serve('rpc.fail', () => Promise.reject(new Error('boom\nsecond line')));
    const slow = transport.serve('rpc.slow', async (data) => {
      await sleep(300);
      return data;
    });
    try {
      expect(dec.decode(await transport.request('rpc.echo', enc.encode('hi'), 1_000))).toBe('echo:hi');

      const t0 = Date.now();
      const rejected = await rejects(transport.request('rpc.fail', enc.encode('x'), 2_000), 'rejected');
      expect(rejected.message).toBe('boom second line');
      expect(Date.now() - t0).toBeLessThan(1_000);

      await rejects(transport.request('rpc.nobody', enc.encode('x'), 1_000), 'no-responders');
      await rejects(transport.request('rpc.slow', enc.encode('x'), 100), 'timeout');
    } finally {
      await Promise.all([echo.stop(), failing.stop(), slow.stop()]);
    }
    await rejects(transport.request('rpc.echo', enc.encode('x'), 1_000), 'no-responders');
  });

  it('survives a broker restart: status follows, publishing fails fast during the outage and works after', async () => {
    const statuses: BrokerStatus[] = [];
    const unsubscribe = transport.onStatus((s) => statuses.push(s));
    const consumer = await transport.durableConsumer({
      durable: 'outage',
      filterSubject: 'shop.out.>',
      ackWaitMs: 5_000,
      maxAckPending: 10,
    });
    const lastBefore = (await transport.streamInfo()).lastSeq;

    const stoppedAt = Date.now();
    const inFlight = rejects(consumer.fetch(5, 10_000), 'unavailable'); // handled from the start: rejects during stop()
    await sleep(50);
    await broker.server.stop();
    await inFlight;
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    await eventually(() => transport.status() !== 'connected', { what: 'status to leave connected', timeoutMs: 5_000 });
    const t0 = Date.now();
    const outage = { subject: 'shop.out.1', msgId: 'out-1', data: enc.encode('x') };
    await rejects(transport.publish(outage, { timeoutMs: 1_000 }), 'unavailable', 'timeout');
    expect(Date.now() - t0).toBeLessThan(3_000);
    await rejects(consumer.fetch(5, 500), 'unavailable');

    await broker.server.restart();
    await eventually(() => transport.status() === 'connected', { what: 'reconnect', timeoutMs: 10_000 });
    unsubscribe();
    expect(statuses.some((s) => s === 'disconnected' || s === 'reconnecting')).toBe(true);
    expect(statuses.at(-1)).toBe('connected');

    const ack = await transport.publish(outage);
    expect(ack).toEqual({ seq: lastBefore + 1, duplicate: false });
    const got = await consumer.fetch(5, 2_000);
    expect(got.map((d) => [d.seq, d.msgId, d.deliveryCount])).toEqual([[lastBefore + 1, 'out-1', 1]]);
    got[0]?.ack();
  });

  it('reports a hung (paused) broker as timeout/unavailable within bounds and recovers on resume', async () => {
    const consumer = await transport.durableConsumer({
      durable: 'hung',
      filterSubject: 'shop.hung.>',
      ackWaitMs: 1_000,
      maxAckPending: 10,
    });
    const event = { subject: 'shop.hung.1', msgId: 'hung-1', data: enc.encode('h') };
    broker.server.pause();
    try {
      let t0 = Date.now();
      await rejects(transport.publish(event, { timeoutMs: 500 }), 'timeout');
      expect(Date.now() - t0).toBeLessThan(1_500);
      t0 = Date.now();
      // 300 ms expiry + 1 s grace + 1 s probe.
      await rejects(consumer.fetch(5, 300), 'unavailable');
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(transport.status()).toBe('connected');
    } finally {
      broker.server.resume();
    }
    // The timed-out publish was already in the broker's socket and is stored on resume: a timeout's outcome is
    // unknown, and a retry with the same msg id is what makes that safe.
    expect((await transport.publish(event)).duplicate).toBe(true);
    // The pull sent during the pause may deliver to an inbox we have left; ack wait brings it back.
    const got = await consumer.fetch(5, 3_000);
    expect(got.map((d) => d.msgId)).toEqual(['hung-1']);
    expect(got[0]?.deliveryCount).toBeLessThanOrEqual(2);
    got[0]?.ack();
  });

  it('closes idempotently, and refuses work afterwards', async () => {
    const second = await connectJetStream({ servers: broker.url, name: 'int-test-close' });
    expect(second.status()).toBe('connected');
    await Promise.all([second.close(), second.close()]);
    await second.close();
    expect(second.status()).toBe('closed');
    await rejects(second.publish({ subject: 'shop.closed', msgId: 'c', data: enc.encode('') }), 'unavailable');
  });

  it('fails to connect with unavailable when nothing listens', async () => {
    await rejects(connectJetStream({ servers: 'nats://127.0.0.1:1', name: 'nowhere' }), 'unavailable');
  });
});
