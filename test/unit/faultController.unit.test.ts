import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/actors/clock.js';
import { encodeEnvelope, type Positioned } from '../../src/domain/envelope.js';
import type { DomainEvent } from '../../src/domain/events.js';
import { foldLog } from '../../src/domain/projections/oracle.js';
import type { ReadModelName } from '../../src/domain/readModels.js';
import { compareMaps } from '../../src/scenarios/divergence.js';
import { corruptedEvent, FaultController, InjectedHandlerBug, matches } from '../../src/scenarios/faultController.js';
import { readInventoryModel, readProductsModel, readSummaryModel } from '../../src/store/readModelState.js';
import { ProjectionStore, type IncomingEvent } from '../../src/store/projectionStore.js';
import type { ProjectionView } from '../../src/store/projectionView.js';
import { SelfManagedStore } from '../../src/store/selfManagedStore.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { customerOrderSummaryView } from '../../src/store/views/customerOrderSummaryView.js';
import { productInventoryView } from '../../src/store/views/productInventoryView.js';
import { productsView } from '../../src/store/views/productsView.js';
import { logOf, orderPlaced, orderRejected, productAdded, productRenamed, stockAdjusted } from './fixtures.js';

// The fault switchboard: which events a bug hits, what a silent corruption writes, and how many crashes it injects.

const at = (seq: number, data: DomainEvent): Positioned => logOf(data).map((p) => ({ ...p, seq }))[0] as Positioned;
const incoming = (log: readonly Positioned[]): IncomingEvent[] =>
  log.map(({ seq, envelope }) => ({ seq, subject: 's', data: encodeEnvelope(envelope), msgId: envelope.eventId }));

describe('matches', () => {
  const order = at(
    1,
    orderPlaced('o1', [
      ['p1', 1],
      ['p2', 2],
    ]),
  );
  it.each<[string, Parameters<typeof matches>[0], Positioned, boolean]>([
    ['an empty match hits everything', {}, at(1, stockAdjusted('p1', 1)), true],
    ['eventType alone', { eventType: 'ProductRenamed' }, at(1, productRenamed('p1', 'x')), true],
    ['eventType alone, another type', { eventType: 'ProductRenamed' }, at(1, productAdded('p1', 'x', 1)), false],
    ['productId alone', { productId: 'p1' }, at(1, stockAdjusted('p1', 1)), true],
    ['productId alone, another product', { productId: 'p1' }, at(1, stockAdjusted('p2', 1)), false],
    ['productId of any OrderPlaced line', { productId: 'p2' }, order, true],
    ['productId on none of the lines', { productId: 'p3' }, order, false],
    ['both given, both match', { eventType: 'OrderPlaced', productId: 'p1' }, order, true],
    ['both given, only the product matches', { eventType: 'StockAdjusted', productId: 'p1' }, order, false],
    [
      'a productId match on an event without products',
      { productId: 'p1' },
      at(1, orderRejected('o2', 'p1', 5, 0)),
      false,
    ],
  ])('%s', (_title, match, event, expected) => {
    expect(matches(match, event)).toBe(expected);
  });
});

/** A view that records what reaches its writer and applies everything. */
function recordingView(applied: number[]): ProjectionView {
  return { ...productsView, bind: () => ({ apply: (e) => (applied.push(e.seq), { kind: 'applied' }) }) };
}

describe('wrapView: handler bugs', () => {
  const db = openDatabase(':memory:');
  const setUp = () => {
    const faults = new FaultController();
    const applied: number[] = [];
    const writer = (name: ReadModelName) => faults.wrapView(name, recordingView(applied)).bind(db, (b) => b);
    return { faults, applied, writer };
  };

  it('throws InjectedHandlerBug only for matching events on its target, without reaching the handler', () => {
    const { faults, applied, writer } = setUp();
    faults.setBug('products', { eventType: 'ProductRenamed', productId: 'p2' });
    const products = writer('products');
    const thrown = (() => {
      try {
        products.apply(at(3, productRenamed('p2', 'x')), 'live');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(InjectedHandlerBug);
    expect(thrown).toMatchObject({
      name: 'InjectedHandlerBug',
      message: expect.stringMatching(/products.*ProductRenamed.*seq 3/) as unknown,
    });
    expect(products.apply(at(4, productRenamed('p1', 'x')), 'live')).toEqual({ kind: 'applied' });
    expect(products.apply(at(5, productAdded('p2', 'x', 1)), 'live')).toEqual({ kind: 'applied' });
    expect(writer('customer-order-summary').apply(at(6, productRenamed('p2', 'x')), 'live')).toEqual({
      kind: 'applied',
    });
    expect(applied).toEqual([4, 5, 6]);
  });

  it('hits an OrderPlaced through any of its lines’ productId, in a rebuild too', () => {
    const { faults, writer } = setUp();
    faults.setBug('product-inventory', { productId: 'p2' });
    const inventory = writer('product-inventory');
    expect(() =>
      inventory.apply(
        at(
          1,
          orderPlaced('o1', [
            ['p1', 1],
            ['p2', 1],
          ]),
        ),
        'live',
      ),
    ).toThrow(InjectedHandlerBug);
    expect(() =>
      inventory.apply(
        at(
          1,
          orderPlaced('o1', [
            ['p1', 1],
            ['p2', 1],
          ]),
        ),
        'rebuild',
      ),
    ).toThrow(InjectedHandlerBug);
    expect(inventory.apply(at(2, orderPlaced('o2', [['p1', 1]])), 'live')).toEqual({ kind: 'applied' });
  });

  it('reads the switchboard at each event: a writer bound before the bug feels it, and deployFix stops it', () => {
    const { faults, applied, writer } = setUp();
    const products = writer('products');
    const rename = at(1, productRenamed('p1', 'x'));
    products.apply(rename, 'live');
    faults.setBug('products', { eventType: 'ProductRenamed' });
    expect(() => products.apply(rename, 'live')).toThrow(InjectedHandlerBug);
    faults.deployFix('products');
    products.apply(rename, 'live');
    expect(applied).toEqual([1, 1]);
  });

  it('goes through the projection store as a handler failure: retried, parked, and replayable after the fix', () => {
    const faults = new FaultController();
    faults.setBug('products', { eventType: 'ProductRenamed' });
    const store = new ProjectionStore(openDatabase(':memory:'), faults.wrapView('products', productsView), {
      maxDeliveries: 2,
      now: () => 'now',
    });
    const batch = incoming(
      logOf(productAdded('p1', 'One', 1), productRenamed('p1', 'Uno'), productAdded('p2', 'Two', 2)),
    );
    expect(store.applyBatch(batch).stop).toMatchObject({
      kind: 'failed',
      seq: 2,
      error: expect.stringMatching(/^InjectedHandlerBug: /) as unknown,
    });
    expect(store.applyBatch(batch)).toMatchObject({ checkpoint: 3, parked: 1 });
    faults.deployFix('products');
    expect(store.replayDeadLetters()).toEqual({ replayed: 1, stillFailing: 0 });
    expect(readProductsModel(store.db).state.get('p1')?.name).toBe('Uno');
  });
});

describe('wrapView: silent corruption', () => {
  const store = (faults: FaultController, name: ReadModelName, view: ProjectionView) =>
    new ProjectionStore(openDatabase(':memory:'), faults.wrapView(name, view), { maxDeliveries: 3, now: () => 'now' });

  it('products: writes a wrong name after the right change, for matching events only, and nothing fails', () => {
    const faults = new FaultController();
    faults.setCorruption('products', { eventType: 'ProductRenamed' });
    const s = store(faults, 'products', productsView);
    const log = logOf(productAdded('p1', 'One', 1), productAdded('p2', 'Two', 2), productRenamed('p1', 'Uno'));
    const r = s.applyBatch(incoming(log));
    expect(r).toMatchObject({ checkpoint: 3, applied: 3, parked: 0 });
    expect(r.stop).toBeUndefined();
    const model = readProductsModel(s.db).state;
    expect(model.get('p1')).toEqual({ name: 'Uno (corrupt)', priceCents: 1 });
    expect(compareMaps(foldLog(log).products, model)).toMatchObject({ ok: 1, wrong: 1 });
  });

  it('product-inventory: one more than the correct quantity, and only when the view applied the event', () => {
    const faults = new FaultController();
    faults.setCorruption('product-inventory', { productId: 'p1' });
    const s = store(faults, 'product-inventory', productInventoryView);
    // The rename is ignored by this view: an ignored event is not corrupted.
    const log = logOf(
      productAdded('p1', 'One', 1),
      productAdded('p2', 'Two', 1),
      stockAdjusted('p1', 10),
      stockAdjusted('p2', 5),
      productRenamed('p1', 'x'),
    );
    s.applyBatch(incoming(log));
    // p1: ProductAdded +1 and StockAdjusted +1 on top of the right 10.
    expect(readInventoryModel(s.db).state).toEqual(
      new Map([
        ['p1', 12],
        ['p2', 5],
      ]),
    );
  });

  it('customer-order-summary: one more on every line of a matching order', () => {
    const faults = new FaultController();
    faults.setCorruption('customer-order-summary', { eventType: 'OrderPlaced', productId: 'p2' });
    const lookup = {
      snapshot: () => ({
        checkpoint: Number.MAX_SAFE_INTEGER,
        names: new Map([
          ['p1', 'One'],
          ['p2', 'Two'],
        ]),
      }),
    };
    const s = store(faults, 'customer-order-summary', customerOrderSummaryView(lookup));
    s.applyBatch(
      incoming(
        logOf(
          orderPlaced('o1', [
            ['p1', 1],
            ['p2', 2],
          ]),
          orderPlaced('o2', [['p1', 3]]),
        ),
      ),
    );
    const model = readSummaryModel(s.db).state;
    expect(model.get('o1')?.items.map((i) => i.quantity)).toEqual([2, 3]);
    expect(model.get('o2')?.items.map((i) => i.quantity)).toEqual([3]);
  });

  it('corrupts a rebuild while active; after deployFix a rebuild repairs the view', () => {
    const faults = new FaultController();
    faults.setCorruption('product-inventory', { eventType: 'StockAdjusted' });
    const s = store(faults, 'product-inventory', productInventoryView);
    const log = logOf(productAdded('p1', 'One', 1), stockAdjusted('p1', 10));
    s.applyBatch(incoming(log));
    const rebuild = () => {
      s.beginRebuild();
      s.applyRebuildBatch(incoming(log));
      s.finishRebuild();
      return readInventoryModel(s.db).state.get('p1');
    };
    expect(readInventoryModel(s.db).state.get('p1')).toBe(11);
    expect(rebuild()).toBe(11);
    faults.deployFix('product-inventory');
    expect(rebuild()).toBe(10);
  });
});

/** A clock whose timers fire only when told to. */
function manualClock() {
  let nowMs = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: Clock = {
    now: () => nowMs,
    setTimeout: (fn, ms) => {
      const timer = { at: nowMs + ms, fn };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (id) => {
      const i = timers.indexOf(id as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    nowMs += ms;
    for (const t of timers.filter((x) => x.at <= nowMs)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { clock, advance, pending: () => timers.length };
}

describe('hooks', () => {
  it('crashAfterCommit says true exactly `times` times, then false, and reports each crash once, later', () => {
    const { clock, advance } = manualClock();
    const faults = new FaultController(clock);
    const crashed: ReadModelName[] = [];
    faults.onCrash = (name) => crashed.push(name);
    faults.addCrashes('products', 2);
    faults.addCrashes('products', 1); // crashes accumulate
    const hooks = faults.hooks('products');
    const answers = Array.from({ length: 5 }, () => hooks.crashAfterCommit?.());
    expect(answers).toEqual([true, true, true, false, false]);
    expect(crashed).toEqual([]); // not from inside the consumer's own call
    advance(0);
    expect(crashed).toEqual(['products', 'products', 'products']);
    expect(faults.hooks('customer-order-summary').crashAfterCommit?.()).toBe(false);
  });

  it('beforeFetch waits the injected latency on the clock, and not at all without it', async () => {
    const { clock, advance, pending } = manualClock();
    const faults = new FaultController(clock);
    const hooks = faults.hooks('product-inventory');
    await hooks.beforeFetch?.();
    expect(pending()).toBe(0);

    faults.setLatency('product-inventory', 50);
    let done = false;
    const waiting = hooks.beforeFetch?.().then(() => (done = true));
    await Promise.resolve();
    advance(49);
    await Promise.resolve();
    expect(done).toBe(false);
    advance(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('ackLost drops the given share of acks, the same ones for the same seed, and none once ended', () => {
    const draws = (seed: number) => {
      const faults = new FaultController(manualClock().clock);
      faults.setAckLoss('products', { ratio: 0.3, seed });
      const hooks = faults.hooks('products');
      return Array.from({ length: 2_000 }, () => hooks.ackLost?.() === true);
    };
    const lost = draws(7).filter(Boolean).length;
    expect(lost).toBeGreaterThan(450);
    expect(lost).toBeLessThan(750);
    expect(draws(7)).toEqual(draws(7));
    expect(draws(8)).not.toEqual(draws(7));
    const faults = new FaultController(manualClock().clock);
    faults.setAckLoss('products', { ratio: 1, seed: 1 });
    faults.setAckLoss('products', undefined);
    expect(faults.hooks('products').ackLost?.()).toBe(false);
    expect(faults.hooks('product-inventory').ackLost?.()).toBe(false);
  });

  it('nextCommit resolves true at the next commit (which then stops before its acks), false after the wait', async () => {
    const { clock, advance } = manualClock();
    const faults = new FaultController(clock);
    const crashed: ReadModelName[] = [];
    faults.onCrash = (name) => crashed.push(name);
    const atCommit = faults.nextCommit('products', 1_000);
    expect(faults.hooks('products').crashAfterCommit?.()).toBe(true); // the commit: the kill takes it from here
    await expect(atCommit).resolves.toBe(true);
    expect(faults.hooks('products').crashAfterCommit?.()).toBe(false); // once only
    advance(0);
    expect(crashed).toEqual([]); // a kill is not a crash for the supervisor to restart
    const idle = faults.nextCommit('products', 1_000);
    advance(1_000);
    await expect(idle).resolves.toBe(false);
    expect(faults.hooks('products').crashAfterCommit?.()).toBe(false);
  });

  it('crashBeforeCommit kills exactly the next `times` orders', () => {
    const faults = new FaultController(manualClock().clock);
    faults.addOrderCrashes(2);
    expect(Array.from({ length: 4 }, () => faults.orderHooks.crashBeforeCommit?.())).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(faults.orderCrashesPending()).toBe(0);
  });
});

describe('wrapHandler: bugs reach self-managed plug-ins too', () => {
  // The correct self-managed inventory fixture, driven by the real SelfManagedStore through the fault switchboard.
  const selfManaged = async (faults: FaultController) => {
    const plugin = (await import('../fixtures/projections/correctInventorySelfManaged.js')).default;
    if (plugin.mode !== 'self-managed') throw new Error('fixture is not self-managed');
    const db = openDatabase(':memory:');
    const products = { snapshot: () => ({ checkpoint: 0, names: new Map<string, string>() }) };
    return {
      db,
      store: new SelfManagedStore(db, faults.wrapHandler('product-inventory', plugin), {
        maxDeliveries: 2,
        now: () => 'now',
        products,
      }),
    };
  };

  it('a handler bug fails the matching event before the plug-in sees it: retried, then parked; others apply', async () => {
    const faults = new FaultController();
    faults.setBug('product-inventory', { eventType: 'StockAdjusted' });
    const { db, store: s } = await selfManaged(faults);
    const log = incoming(logOf(productAdded('p1', 'One', 1), stockAdjusted('p1', 10)));
    const first = s.applyBatch(log);
    expect(first.stop).toMatchObject({ kind: 'failed', seq: 2, attempts: 1 });
    expect(first.stop?.kind === 'failed' && first.stop.error).toMatch(
      /InjectedHandlerBug: injected bug in product-inventory for StockAdjusted at seq 2/,
    );
    expect(s.applyBatch(log.slice(1))).toMatchObject({ parked: 1, checkpoint: 2 });
    expect(s.deadLetters.count()).toBe(1);
    expect(db.prepare('SELECT available FROM my_stock').pluck().all()).toEqual([0]); // the adjustment never reached it
  });

  it('a silent corruption hands the plug-in a wrong event, which it writes as if right; deployFix ends it', async () => {
    const faults = new FaultController();
    faults.setCorruption('product-inventory', { eventType: 'StockAdjusted' });
    const { db, store: s } = await selfManaged(faults);
    s.applyBatch(incoming(logOf(productAdded('p1', 'One', 1), stockAdjusted('p1', 10))));
    expect(db.prepare('SELECT available FROM my_stock').pluck().get()).toBe(11);
    faults.deployFix('product-inventory');
    s.applyBatch(
      incoming(logOf(productAdded('p1', 'One', 1), stockAdjusted('p1', 10), stockAdjusted('p1', 5))).slice(2),
    );
    expect(db.prepare('SELECT available FROM my_stock').pluck().get()).toBe(16);
  });

  it('what each model gets wrong: names, prices, deltas and quantities; nothing for what it cannot make wrong', () => {
    const wrong = (name: ReadModelName, data: DomainEvent) => corruptedEvent(name, at(1, data))?.envelope.data;
    expect(wrong('products', productRenamed('p1', 'New'))).toMatchObject({ name: 'New (corrupt)' });
    expect(wrong('products', productAdded('p1', 'One', 100))).toMatchObject({ name: 'One (corrupt)', priceCents: 100 });
    expect(wrong('product-inventory', stockAdjusted('p1', -3))).toMatchObject({ delta: -2 });
    expect(
      wrong(
        'customer-order-summary',
        orderPlaced('o1', [
          ['p1', 1],
          ['p2', 2],
        ]),
      ),
    ).toMatchObject({ items: [{ quantity: 2 }, { quantity: 3 }] });
    expect(wrong('product-inventory', productAdded('p1', 'One', 1))).toBeUndefined();
    expect(wrong('customer-order-summary', productRenamed('p1', 'New'))).toBeUndefined();
  });
});
