import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActor, type Actor } from 'xstate';
import { projectionConsumerMachine } from '../../src/actors/projectionConsumer.js';
import { foldLog } from '../../src/domain/projections/oracle.js';
import { silentLogger } from '../../src/log/logger.js';
import { readEventLog } from '../../src/scenarios/eventLog.js';
import { readInventoryModel, readProductsModel } from '../../src/store/readModelState.js';
import type { ProjectionStore } from '../../src/store/projectionStore.js';
import type { ProjectionView } from '../../src/store/projectionView.js';
import { productInventoryView } from '../../src/store/views/productInventoryView.js';
import { productsView } from '../../src/store/views/productsView.js';
import type { Db } from '../../src/store/sqlite.js';
import { eventually } from '../helpers/eventually.js';
import { fastSettings, publishAll, recordStates, startBareStream, type BareStream } from '../helpers/streamHarness.js';
import { orderPlaced, productAdded, productRenamed, productRepriced, stockAdjusted } from '../unit/fixtures.js';

const MAX_DELIVERIES = 3;
const BOOM_ERROR = 'renamer exploded on BOOM';

/**
 * The Products view with a bug: renaming a product to 'BOOM' throws, every time, until `bug.present` is cleared
 * ("the fix is deployed"). Everything else goes to the real view.
 */
function buggyProductsView(bug: { present: boolean }): ProjectionView {
  return {
    ...productsView,
    bind(db, t) {
      const inner = productsView.bind(db, t);
      return {
        apply(event, mode) {
          const e = event.envelope.data;
          if (bug.present && e.type === 'ProductRenamed' && e.name === 'BOOM') throw new Error(BOOM_ERROR);
          return inner.apply(event, mode);
        },
      };
    },
  };
}

/** ProductInventory whose handler throws on a stock adjustment of exactly +7 while `bug.present`. */
function buggyInventoryView(bug: { present: boolean }): ProjectionView {
  return {
    ...productInventoryView,
    bind(db, t) {
      const inner = productInventoryView.bind(db, t);
      return {
        apply(event, mode) {
          const e = event.envelope.data;
          if (bug.present && e.type === 'StockAdjusted' && e.delta === 7) throw new Error('adjuster exploded on 7');
          return inner.apply(event, mode);
        },
      };
    },
  };
}

describe('dead letters: a poison event is parked after a bounded number of deliveries (real nats-server, real SQLite)', () => {
  let bare: BareStream;
  let actor: Actor<typeof projectionConsumerMachine> | undefined;
  const bug = { present: true };

  beforeEach(async () => {
    bare = await startBareStream();
    bug.present = true;
  });
  afterEach(async () => {
    actor?.stop();
    actor = undefined;
    await bare?.stop();
  });

  function startConsumer(
    file: string,
    view = buggyProductsView(bug),
  ): { db: Db; store: ProjectionStore; consumer: Actor<typeof projectionConsumerMachine>; states: string[] } {
    const { db, store } = bare.openProjection(file, view, MAX_DELIVERIES);
    const settings = fastSettings({
      retry: { initialBackoffMs: 20, maxBackoffMs: 100, multiplier: 2, maxDeliveries: MAX_DELIVERIES },
    });
    const consumer = createActor(projectionConsumerMachine, {
      input: { name: `dl-${file.replace('.db', '')}`, transport: bare.transport, store, settings, log: silentLogger() },
    });
    const states = recordStates(consumer);
    actor = consumer;
    consumer.start();
    return { db, store, consumer, states };
  }

  const atStreamEnd = async (store: ProjectionStore) =>
    store.checkpoint() === (await bare.transport.streamInfo()).lastSeq;

  it('retries a failing event with backoff, parks it after maxDeliveries attempts, and moves on past it', async () => {
    const seqs = await publishAll(bare.transport, [
      productAdded('p1', 'Lamp', 1_000),
      productAdded('p2', 'Desk', 5_000),
      productRenamed('p2', 'BOOM'),
      productRenamed('p1', 'Lamp XL'),
      productRepriced('p1', 1_200),
    ]);
    const boomSeq = seqs[2];
    const { db, store, consumer, states } = startConsumer('products-dl.db');

    await eventually(async () => store.deadLetters.count() === 1 && (await atStreamEnd(store)), {
      what: 'poison event parked and the rest applied',
    });

    const [letter, ...others] = store.deadLetters.list();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      seq: boomSeq,
      subject: 'shop.products.renamed',
      attempts: MAX_DELIVERIES,
      replayedAt: null,
    });
    expect(letter?.reason).toContain(`handler failed ${MAX_DELIVERIES} times`);
    expect(letter?.reason).toContain(BOOM_ERROR);
    // The attempt count lives in the failures table until the park; parking clears it.
    expect(store.failedAttempts(boomSeq ?? -1)).toBe(0);

    // The consumer moved on: the events after the poison one are in the view, the poison rename is not.
    expect(readProductsModel(db).state).toEqual(
      new Map([
        ['p1', { name: 'Lamp XL', priceCents: 1_200 }],
        ['p2', { name: 'Desk', priceCents: 5_000 }],
      ]),
    );
    expect(store.checkpoint()).toBe(seqs.at(-1));

    // Two failed attempts were retried (each a 'failed' stop → backingOff); the third parked the event.
    const { counters } = consumer.getSnapshot().context;
    expect(counters.handlerFailures).toBe(MAX_DELIVERIES - 1);
    expect(counters.parked).toBe(1);
    expect(counters.applied).toBe(4);
    expect(counters.redeliveries).toBeGreaterThanOrEqual(MAX_DELIVERIES - 1);
    expect(states.filter((s) => s === 'backingOff')).toHaveLength(MAX_DELIVERIES - 1);

    // The broker holds nothing back: the parked event was acknowledged, not left to be redelivered forever.
    await eventually(() => consumer.getSnapshot().matches({ pulling: 'idle' }), { what: 'settled back to idle' });
    const info = await consumer.getSnapshot().context.consumer?.info();
    expect(info).toMatchObject({ ackPending: 0, pending: 0, ackFloorSeq: seqs.at(-1) });
    expect(consumer.getSnapshot().context.lastProblem).toBeUndefined();
  });

  it('parks an undecodable payload at once, without retrying it', async () => {
    const [added] = await publishAll(bare.transport, [productAdded('p1', 'Lamp', 1_000)]);
    const raw = await bare.transport.publish({
      subject: 'shop.products.added',
      msgId: 'raw-not-json',
      data: new TextEncoder().encode('not json'),
    });
    const [after] = await publishAll(bare.transport, [productAdded('p2', 'Desk', 5_000)]);
    expect([added, raw.seq, after]).toEqual([1, 2, 3]);
    const { db, store, consumer, states } = startConsumer('products-raw.db');

    await eventually(async () => store.deadLetters.count() === 1 && (await atStreamEnd(store)), {
      what: 'undecodable event parked and the next applied',
    });

    expect(store.deadLetters.list()).toEqual([
      expect.objectContaining({
        seq: raw.seq,
        subject: 'shop.products.added',
        msgId: 'raw-not-json',
        attempts: 1,
        reason: expect.stringMatching(/^undecodable payload/) as unknown,
      }),
    ]);
    expect(new TextDecoder().decode(store.deadLetters.list()[0]?.data)).toBe('not json');
    expect(readProductsModel(db).state).toEqual(
      new Map([
        ['p1', { name: 'Lamp', priceCents: 1_000 }],
        ['p2', { name: 'Desk', priceCents: 5_000 }],
      ]),
    );
    const { counters } = consumer.getSnapshot().context;
    expect(counters).toMatchObject({ handlerFailures: 0, parked: 1, applied: 2, redeliveries: 0 });
    expect(states).not.toContain('backingOff');
  });

  it('REPLAY_DEAD_LETTERS after the fix applies the parked event, marks it replayed, and keeps the undecodable one parked', async () => {
    const seqs = await publishAll(bare.transport, [
      productAdded('p1', 'Lamp', 1_000),
      productAdded('p2', 'Desk', 5_000),
      productRenamed('p2', 'BOOM'),
    ]);
    await bare.transport.publish({
      subject: 'shop.products.added',
      msgId: 'raw-garbage',
      data: new TextEncoder().encode('not json'),
    });
    await publishAll(bare.transport, [productRepriced('p1', 1_500)]);
    const { db, store, consumer } = startConsumer('products-replay.db');
    await eventually(async () => store.deadLetters.count() === 2 && (await atStreamEnd(store)), {
      what: 'both parked, the rest applied',
    });
    expect(readProductsModel(db).state.get('p2')).toEqual({ name: 'Desk', priceCents: 5_000 });

    bug.present = false; // the fix is deployed
    consumer.send({ type: 'REPLAY_DEAD_LETTERS' });
    await eventually(() => store.deadLetters.list().some((l) => l.seq === seqs[2] && l.replayedAt !== null), {
      what: 'the fixed event replayed',
    });

    expect(readProductsModel(db).state.get('p2')).toEqual({ name: 'BOOM', priceCents: 5_000 });
    const letters = store.deadLetters.list();
    expect(letters.map((l) => [l.seq, l.replayedAt === null])).toEqual([
      [seqs[2], false],
      [4, true],
    ]);
    expect(letters[1]?.reason).toMatch(/^undecodable payload.* \| replay failed: undecodable payload/);
    expect(store.deadLetters.count()).toBe(1);

    // The consumer went back to work: a new event is applied, and the view equals the reference fold of the stream
    // (which skips the undecodable event, as the projection parks it).
    const [renamed] = await publishAll(bare.transport, [productRenamed('p1', 'Lamp XL')]);
    await eventually(() => store.checkpoint() === renamed, { what: 'new event applied after the replay' });
    const log = await readEventLog(bare.transport);
    expect(log.undecodable.map((u) => u.seq)).toEqual([4]);
    expect(readProductsModel(db).state).toEqual(foldLog(log.entries).products);

    // A second replay finds nothing new to apply: the replayed letter is not applied again.
    consumer.send({ type: 'REPLAY_DEAD_LETTERS' });
    await eventually(() => consumer.getSnapshot().matches('pulling'), { what: 'pulling again' });
    expect(store.deadLetters.list().map((l) => l.replayedAt)).toEqual([letters[0]?.replayedAt, null]);
  });

  it('a rebuild after the fix applies the parked event in order and resolves it: a later replay does not apply it twice', async () => {
    const seqs = await publishAll(bare.transport, [
      productAdded('p1', 'Lamp', 1_000),
      stockAdjusted('p1', 10),
      stockAdjusted('p1', 7),
      orderPlaced('o1', [['p1', 4]]),
    ]);
    const { db, store, consumer } = startConsumer('inventory-rebuild.db', buggyInventoryView(bug));
    await eventually(async () => store.deadLetters.count() === 1 && (await atStreamEnd(store)), {
      what: '+7 parked, the rest applied',
    });
    expect(readInventoryModel(db).state).toEqual(new Map([['p1', 6]]));

    bug.present = false; // the fix is deployed; the operator rebuilds the view instead of replaying
    consumer.send({ type: 'REBUILD' });
    await eventually(() => consumer.getSnapshot().context.rebuilds === 1 && consumer.getSnapshot().matches('pulling'), {
      what: 'rebuilt',
    });
    const oracle = foldLog((await readEventLog(bare.transport)).entries);
    expect(readInventoryModel(db).state).toEqual(oracle.inventory);
    expect(oracle.inventory.get('p1')).toBe(13);
    // The rebuild applied seq 3, so the letter is no longer open...
    expect(store.deadLetters.list()).toEqual([
      expect.objectContaining({ seq: seqs[2], replayedAt: expect.any(String) as unknown }),
    ]);
    expect(store.deadLetters.count()).toBe(0);

    // ...and a replay (a second operator, or a retry of the runbook) does not add 7 a second time.
    consumer.send({ type: 'REPLAY_DEAD_LETTERS' });
    await eventually(() => consumer.getSnapshot().matches('pulling'), { what: 'pulling again' });
    expect(readInventoryModel(db).state).toEqual(oracle.inventory);
  });
});
