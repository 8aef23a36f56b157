/**
 * What the simulation does that the port cannot show the contract: the virtual clock itself (and XState running on
 * it), consumer options the adapter never sets (backoff, max deliver), latency, stale detection of a hung broker,
 * and several connections sharing one broker.
 */
import { describe, expect, it } from 'vitest';
import { createActor, setup, type ActorOptions, type AnyActorLogic } from 'xstate';
import { Prng } from '../../src/domain/prng.js';
import { TransportError, type BrokerStatus, type Delivery } from '../../src/transport/port.js';
import { SimBroker } from '../../src/transport/sim/simBroker.js';
import { createSimTransport } from '../../src/transport/sim/simTransport.js';
import { SIM_EPOCH_MS, VirtualClock } from '../../src/transport/sim/virtualClock.js';

const enc = new TextEncoder();
/** XState's clock type (not exported by name). */
type Clock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

describe('VirtualClock', () => {
  it('fires timers in (time, insertion) order and never on its own', async () => {
    const clock = new VirtualClock();
    expect(clock.now()).toBe(SIM_EPOCH_MS);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 15);
    clock.clearTimeout(cancelled);
    expect(clock.pending()).toBe(3);
    await new Promise((r) => setTimeout(r, 30)); // real time passing changes nothing
    expect(fired).toEqual([]);
    await clock.advance(19);
    expect(fired).toEqual(['a@10']);
    await clock.advance(1);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect([clock.pending(), clock.now()]).toEqual([0, SIM_EPOCH_MS + 20]);
  });

  it('lets promise chains run between timers, so awaited sleeps progress within one advance', async () => {
    const clock = new VirtualClock();
    const steps: string[] = [];
    const work = async (): Promise<void> => {
      await Promise.resolve(); // stands for an I/O-free async call
      for (let i = 1; i <= 3; i++) {
        await clock.sleep(10);
        await Promise.resolve();
        steps.push(`step ${i} at ${clock.now() - SIM_EPOCH_MS}`);
      }
    };
    const done = work();
    await clock.advance(25);
    expect(steps).toEqual(['step 1 at 10', 'step 2 at 20']);
    await clock.advance(100);
    await done;
    expect(steps).toEqual(['step 1 at 10', 'step 2 at 20', 'step 3 at 30']);
    // A zero-delay timer scheduled by a timer fires in the same advance, at the same time.
    clock.setTimeout(() => clock.setTimeout(() => steps.push(`nested at ${clock.now() - SIM_EPOCH_MS}`), 0), 5);
    expect(await clock.runFor(5)).toBe(2);
    expect(steps.at(-1)).toBe('nested at 130');
  });

  it('serialises overlapping advances: concurrent sleeps end at the later target', async () => {
    const clock = new VirtualClock();
    await Promise.all([clock.advance(100), clock.advance(50)]);
    expect(clock.now() - SIM_EPOCH_MS).toBe(100);
  });

  it('holds time while real I/O runs: however slow the I/O, it finishes before the next timer fires', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    clock.setTimeout(() => {
      // A timer that starts real work (a restarted process importing its module), then carries on when it is done.
      void clock
        .holdFor(new Promise((r) => setTimeout(r, 40)))
        .then(() => order.push(`loaded at ${clock.now() - SIM_EPOCH_MS}`));
    }, 10);
    clock.setTimeout(() => order.push('next timer at 11'), 11);
    await clock.advance(100);
    expect(order).toEqual(['loaded at 10', 'next timer at 11']);
    // A failure is the caller's to see, and does not stop the clock.
    await expect(clock.holdFor(Promise.reject(new Error('no such module')))).rejects.toThrow('no such module');
    await clock.advance(1);
    expect(clock.now() - SIM_EPOCH_MS).toBe(101);
  });

  it('is a clock XState actors run on', async () => {
    const clock = new VirtualClock();
    const xstateClock: Clock = clock;
    const machine = setup({}).createMachine({
      initial: 'waiting',
      states: { waiting: { after: { 1_000: 'done' } }, done: {} },
    });
    const actor = createActor(machine, { clock: xstateClock }).start();
    await clock.advance(999);
    expect(actor.getSnapshot().value).toBe('waiting');
    await clock.advance(1);
    expect(actor.getSnapshot().value).toBe('done');
    actor.stop();
  });
});

describe('SimBroker beyond the port', () => {
  it('max deliver stops redelivery; backoff needs max deliver above its length', async () => {
    const broker = new SimBroker();
    const t = createSimTransport(broker);
    await t.provisionStream();
    await t.publish({ subject: 'shop.md.1', msgId: 'md-1', data: enc.encode('x') });
    const spec = { durable: 'md', filterSubject: 'shop.md.>', ackWaitMs: 30_000, maxAckPending: 10 };
    const consumer = await t.durableConsumer(spec);
    // Options the adapter never sets, so only the broker's own API reaches them.
    broker.jetstream.upsertConsumer({ ...spec, maxDeliver: 4, backoffMs: [200, 500, 1_000] });
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const fetched = consumer.fetch(1, 5_000);
      await broker.clock.advance(5_000);
      counts.push(...(await fetched).map((d) => d.deliveryCount));
    }
    expect(counts).toEqual([1, 2, 3, 4]);
    expect(await consumer.info()).toMatchObject({ ackPending: 0 });
    expect(() => broker.jetstream.upsertConsumer({ ...spec, maxDeliver: 2, backoffMs: [1, 2] })).toThrow(
      TransportError,
    );
  });

  it('backoff deadlines follow the attempt: 200, then 500, then 1000 ms', async () => {
    const broker = new SimBroker();
    const t = createSimTransport(broker);
    await t.provisionStream();
    await t.publish({ subject: 'shop.gap.1', msgId: 'gap-1', data: enc.encode('x') });
    const spec = { durable: 'gap', filterSubject: 'shop.gap.>', ackWaitMs: 30_000, maxAckPending: 10 };
    const consumer = await t.durableConsumer(spec);
    broker.jetstream.upsertConsumer({ ...spec, maxDeliver: 10, backoffMs: [200, 500, 1_000] });
    let last = broker.clock.now();
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const fetched = consumer.fetch(1, 10_000);
      let got: Delivery[] | undefined;
      void fetched.then((d) => (got = d));
      await broker.clock.advance(0); // lets an immediate answer land before any time passes
      while (got === undefined) await broker.clock.advance(1);
      gaps.push(broker.clock.now() - last);
      last = broker.clock.now();
    }
    expect(gaps).toEqual([0, 200, 500, 1_000]);
  });

  it('keeps each connection FIFO under jittered latency', async () => {
    const broker = new SimBroker({ prng: new Prng(7), latencyMs: { min: 0, max: 40 } });
    const t = createSimTransport(broker);
    const provisioned = t.provisionStream();
    await broker.clock.advance(100);
    await provisioned;
    const acks = Array.from({ length: 20 }, (_, i) =>
      t.publish({ subject: `shop.l.${i}`, msgId: `l-${i}`, data: enc.encode(`${i}`) }),
    );
    await broker.clock.advance(1_000);
    expect((await Promise.all(acks)).map((a) => a.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('notices a hung broker after missed pings, and reconnects on resume', async () => {
    const broker = new SimBroker({ staleAfterMs: 15_000 });
    const t = createSimTransport(broker);
    const statuses: BrokerStatus[] = [];
    t.onStatus((s) => statuses.push(s));
    broker.pause();
    await broker.clock.advance(14_999);
    expect(t.status()).toBe('connected');
    await broker.clock.advance(1);
    expect(statuses).toEqual(['disconnected', 'reconnecting']);
    await expect(t.streamInfo()).rejects.toMatchObject({ kind: 'unavailable' });
    broker.resume();
    await broker.clock.advance(250);
    expect(statuses.at(-1)).toBe('connected');
  });

  it('shares one broker between connections; acks sent while disconnected go out after reconnecting', async () => {
    const broker = new SimBroker();
    const writer = createSimTransport(broker, { name: 'writer' });
    const reader = createSimTransport(broker, { name: 'reader' });
    await writer.provisionStream();
    await writer.publish({ subject: 'shop.sh.1', msgId: 'sh-1', data: enc.encode('x') });
    const consumer = await reader.durableConsumer({
      durable: 'sh',
      filterSubject: 'shop.sh.>',
      ackWaitMs: 60_000,
      maxAckPending: 5,
    });
    const [d] = (await consumer.fetch(5, 0)) as [Delivery];
    broker.down();
    d.ack(); // buffered by the client, as nats.js buffers publishes while reconnecting
    broker.up();
    await broker.clock.advance(2_000);
    expect(await consumer.info()).toMatchObject({ ackPending: 0, ackFloorSeq: 1 });

    const service = writer.serve('rpc.sh', (data) => Promise.resolve(data));
    expect(await reader.request('rpc.sh', enc.encode('ping'), 1_000)).toEqual(enc.encode('ping'));
    await writer.close();
    await expect(reader.request('rpc.sh', enc.encode('ping'), 1_000)).rejects.toMatchObject({ kind: 'no-responders' });
    await service.stop();
    expect(reader.status()).toBe('connected');
    broker.down();
    expect(() => createSimTransport(broker)).toThrow(TransportError);
  });
});
