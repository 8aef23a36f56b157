import { describe, expect, it } from 'vitest';
import { realClock, type Clock } from '../../src/actors/clock.js';
import type { RunningSystem } from '../../src/system/startSystem.js';
import type { ReadModelName } from '../../src/domain/readModels.js';
import type { FaultController } from '../../src/scenarios/faultController.js';
import { createLiveControl, type LiveStep } from '../../src/scenarios/liveControl.js';
import { timelineEntries, type RanStep } from '../../src/scenarios/runTelemetry.js';
import type { EventMatch } from '../../src/scenarios/scenario.js';
import { expectationNames, lagMsOf, occurredAtMs, parseControlAction } from '../../src/scenarios/telemetry.js';
import { createTelemetryFeed } from '../../src/ui/feed.js';
import { envOf, orderPlaced } from './fixtures.js';
import { midFault, passed } from './uiFixtures.js';

// What the runner hands the dashboard: lag in ms from the oracle's log, the timeline's active faults, live control.

const entry = (seq: number, occurredAt: string) => ({
  seq,
  envelope: { ...envOf(orderPlaced(`o${seq}`, [['p1', 1]])), occurredAt },
});

describe('lag in ms', () => {
  const log = [
    entry(1, '2026-01-01T00:00:01.000Z'),
    entry(2, '2026-01-01T00:00:02.000Z'),
    entry(4, '2026-01-01T00:00:04.000Z'),
  ];
  const now = Date.parse('2026-01-01T00:00:05.500Z');

  it('is the age of the oldest event the model has not applied', () => {
    expect(occurredAtMs(log, 2)).toBe(Date.parse('2026-01-01T00:00:02.000Z'));
    expect(lagMsOf(log, 1, 4, now)).toBe(3_500);
    expect(lagMsOf(log, 0, 4, now)).toBe(4_500);
  });

  it('dates an undecodable event by the next one, and is 0 when caught up or past what the log holds', () => {
    expect(lagMsOf(log, 2, 4, now)).toBe(1_500); // seq 3 is not in the log
    expect(lagMsOf(log, 4, 4, now)).toBe(0);
    expect(lagMsOf(log, 4, 9, now)).toBe(0);
  });
});

describe('expectationNames', () => {
  it('names each expectation as its verdict will be named', () => {
    expect(
      expectationNames([
        { property: 'converges', withinMs: 5_000 },
        { property: 'deadLetters', target: 'products', count: 0 },
        { violation: 'nothingLost' },
      ]),
    ).toEqual(['converges', 'deadLetters:products', 'violation:nothingLost']);
  });
});

describe('parseControlAction', () => {
  it('takes the actions a dashboard sends over the wire and nothing else', () => {
    expect(parseControlAction({ kind: 'rebuild', target: 'products' })).toEqual({
      kind: 'rebuild',
      target: 'products',
    });
    expect(parseControlAction({ kind: 'pauseBroker', target: 'ignored' })).toEqual({ kind: 'pauseBroker' });
    for (const bad of [
      null,
      'rebuild',
      {},
      { kind: 'rebuild' },
      { kind: 'rebuild', target: 'orders' },
      { kind: 'toString', target: 'products' },
    ]) {
      expect(parseControlAction(bad)).toBeUndefined();
    }
  });
});

describe('timelineEntries', () => {
  const ran = (atMs: number, label: string, phase: RanStep['phase'], key?: string, instant = false): RanStep => ({
    atMs,
    label,
    phase,
    key,
    live: false,
    instant,
  });

  it('marks a fault active until it heals, an instant fault never, and lists what is still to come', () => {
    const steps = [
      ran(1_000, 'poison', 'fault-start', 'fault#0', true),
      ran(2_000, 'summary down', 'fault-start', 'fault#1'),
    ];
    const entries = timelineEntries(steps, new Set(['fault#0', 'fault#1']), [
      { atMs: 5_000, label: 'summary back', phase: 'fault-end' },
      { atMs: null, label: 'rebuild products', phase: 'remediation' },
    ]);
    expect(entries.map((e) => [e.label, e.status])).toEqual([
      ['poison', 'past'],
      ['summary down', 'active'],
      ['summary back', 'upcoming'],
      ['rebuild products', 'upcoming'],
    ]);
  });

  it('shows only the latest start of a fault that started twice as active', () => {
    const steps = [
      ran(1_000, 'stop', 'fault-start', 'live:stop:products'),
      ran(2_000, 'start', 'fault-end', 'live:stop:products'),
      ran(3_000, 'stop', 'fault-start', 'live:stop:products'),
    ];
    expect(timelineEntries(steps, new Set(['live:stop:products']), []).map((e) => e.status)).toEqual([
      'past',
      'past',
      'active',
    ]);
  });
});

describe('createLiveControl', () => {
  function rig(
    options: { broker?: boolean; faults?: boolean; autoResumeMs?: number; pauseDelayMs?: number; clock?: Clock } = {},
  ) {
    const sent: [ReadModelName, string][] = [];
    const bugs: [ReadModelName, EventMatch | undefined][] = [];
    const brokerCalls: string[] = [];
    const steps: LiveStep[] = [];
    const consumer = (name: ReadModelName) => ({
      consumer: { send: (e: { type: string }) => sent.push([name, e.type]), getSnapshot: () => ({ status: 'active' }) },
    });
    const system = {
      readModels: {
        'product-inventory': consumer('product-inventory'),
        products: consumer('products'),
        'customer-order-summary': consumer('customer-order-summary'),
      },
    } as unknown as RunningSystem;
    const faults = {
      setBug: (name: ReadModelName, match: EventMatch | undefined) => bugs.push([name, match]),
    } as unknown as FaultController;
    const control = createLiveControl({
      system,
      clock: options.clock ?? realClock,
      record: (s) => steps.push(s),
      ...(options.faults === false ? {} : { faults }),
      ...(options.broker === false
        ? {}
        : { broker: { pause: () => brokerCalls.push('pause'), resume: () => brokerCalls.push('resume') } }),
      ...(options.autoResumeMs === undefined ? {} : { autoResumeMs: options.autoResumeMs }),
      ...(options.pauseDelayMs === undefined ? {} : { pauseDelayMs: options.pauseDelayMs }),
    });
    return { control, sent, bugs, brokerCalls, steps };
  }

  it('sends the consumer verbs and records each as a timeline step', async () => {
    const r = rig();
    await r.control.send({ kind: 'stopConsumer', target: 'products' });
    await r.control.send({ kind: 'startConsumer', target: 'products' });
    await r.control.send({ kind: 'rebuild', target: 'customer-order-summary' });
    await r.control.send({ kind: 'replayDeadLetters', target: 'customer-order-summary' });
    expect(r.sent).toEqual([
      ['products', 'STOP'],
      ['products', 'START'],
      ['customer-order-summary', 'REBUILD'],
      ['customer-order-summary', 'REPLAY_DEAD_LETTERS'],
    ]);
    expect(r.steps.map((s) => [s.phase, s.key])).toEqual([
      ['fault-start', 'live:stop:products'],
      ['fault-end', 'live:stop:products'],
      ['remediation', 'live:rebuild:customer-order-summary'],
      ['remediation', 'live:replay:customer-order-summary'],
    ]);
  });

  it('answers in plain English whatever the model is called (no "products\'s")', async () => {
    const r = rig();
    const messages: string[] = [];
    for (const target of ['products', 'customer-order-summary'] as const) {
      for (const kind of [
        'toggleBug',
        'toggleBug',
        'replayDeadLetters',
        'rebuild',
        'stopConsumer',
        'startConsumer',
      ] as const) {
        messages.push((await r.control.send({ kind, target })).message);
      }
    }
    expect(messages.filter((m) => /'s\b|’s\b/.test(m))).toEqual([]);
    expect(messages).toContain('replaying the dead letters of products');
    expect(messages).toContain('the handler of products now throws for ProductRenamed');
    expect(messages).toContain('fixed the handler of products (parked events stay parked: replay them)');
  });

  it('toggles a handler bug on and off through the fault controller', async () => {
    const r = rig();
    expect((await r.control.send({ kind: 'toggleBug', target: 'customer-order-summary' })).ok).toBe(true);
    expect([...r.control.bugs()]).toEqual(['customer-order-summary']);
    await r.control.send({ kind: 'toggleBug', target: 'customer-order-summary' });
    expect(r.bugs).toEqual([
      ['customer-order-summary', { eventType: 'OrderPlaced' }],
      ['customer-order-summary', undefined],
    ]);
    expect(r.control.bugs().size).toBe(0);
    expect((await rig({ faults: false }).control.send({ kind: 'toggleBug', target: 'products' })).ok).toBe(false);
  });

  it('pauses and resumes the broker once each, and refuses what it cannot do', async () => {
    const r = rig();
    expect((await r.control.send({ kind: 'resumeBroker' })).ok).toBe(false);
    await r.control.send({ kind: 'pauseBroker' });
    expect(r.control.brokerPaused()).toBe(true);
    expect((await r.control.send({ kind: 'pauseBroker' })).ok).toBe(false);
    await r.control.send({ kind: 'resumeBroker' });
    expect(r.brokerCalls).toEqual(['pause', 'resume']);
    expect(r.control.brokerPaused()).toBe(false);
    expect(await rig({ broker: false }).control.send({ kind: 'pauseBroker' })).toEqual({
      ok: false,
      message: 'the broker is not ours to pause (NATS_URL)',
    });
  });

  it('pauses after answering and resumes on its own when asked to (a remote dashboard cannot reach a paused broker)', async () => {
    const timers: (() => void)[] = [];
    const clock: Clock = { now: () => 0, setTimeout: (fn) => timers.push(fn), clearTimeout: () => undefined };
    const r = rig({ clock, autoResumeMs: 5_000, pauseDelayMs: 200 });
    expect((await r.control.send({ kind: 'pauseBroker' })).message).toBe('broker paused for 5 s');
    expect(r.brokerCalls).toEqual([]); // the answer goes out first
    for (let i = 0; i < timers.length; i++) timers[i]?.();
    expect(r.brokerCalls).toEqual(['pause', 'resume']);
    expect(r.steps.map((s) => s.label)).toEqual(['broker paused (live)', 'broker resumed (live)']);
  });
});

describe('telemetry feed', () => {
  it('keeps the latest snapshot and its history, and tells subscribers which changes are urgent', () => {
    let now = 1_000;
    const feed = createTelemetryFeed(() => now);
    const calls: boolean[] = [];
    const unsubscribe = feed.subscribe((urgent) => calls.push(urgent));
    feed.push(midFault);
    now = 1_250;
    feed.push({ ...midFault, elapsedMs: 3_750 });
    feed.finish(passed);
    expect(feed.snapshot()).toMatchObject({ receivedAtMs: 1_250, report: passed });
    expect(feed.snapshot().history.points).toHaveLength(2);
    feed.reset('next scenario');
    expect(feed.snapshot()).toMatchObject({ telemetry: undefined, waiting: 'next scenario' });
    expect(feed.snapshot().history.points).toHaveLength(0);
    unsubscribe();
    feed.push(midFault);
    expect(calls).toEqual([false, false, true, true]);
  });
});
