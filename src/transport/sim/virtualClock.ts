/**
 * Virtual time for the deterministic simulation. Nothing here reads the real clock: time moves only when a driver
 * calls `advance`/`advanceTo`/`runFor`, and timers fire in (due time, insertion) order, so the same calls give the
 * same run. The shape of `setTimeout`/`clearTimeout` is XState v5's `Clock`, so `createActor(machine, { clock })`
 * runs machines on it.
 */
import { setImmediate } from 'node:timers';

export type TimerId = number;

/** The timer half of a clock: what the simulated server's parts are given (the broker gates it while paused). */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId | undefined): void;
}

/** 2026-01-01T00:00:00Z: a fixed epoch, so timestamps in traces do not depend on when the run happened. */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1);

/** A runaway loop of zero-delay timers would otherwise spin forever inside one `advance`. */
const maxTimersPerAdvance = 1_000_000;

interface Timer {
  readonly id: TimerId;
  readonly dueMs: number;
  readonly fn: () => void;
}

/**
 * Lets every pending promise continuation run: a macrotask boundary comes only after the microtask queue (and
 * process.nextTick) is empty, however long the `await` chain. Work that waits on real I/O or real timers is not
 * waited for — the simulation has none.
 */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class VirtualClock implements Timers {
  #nowMs: number;
  #nextId = 1;
  /** Min-heap on (dueMs, id); cleared timers stay in the heap and are skipped when they surface. */
  readonly #heap: Timer[] = [];
  readonly #live = new Set<TimerId>();
  /** Real work in flight (see `holdFor`): time does not move until it has settled. */
  readonly #held = new Set<Promise<unknown>>();
  /** Advances run one after another: two overlapping drivers would otherwise interleave timer firing. */
  #driving: Promise<void> = Promise.resolve();

  constructor(options?: { readonly startMs?: number }) {
    this.#nowMs = options?.startMs ?? SIM_EPOCH_MS;
  }

  now(): number {
    return this.#nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: Timer = { id: this.#nextId++, dueMs: this.#nowMs + delay, fn };
    this.#live.add(timer.id);
    this.#push(timer);
    return timer.id;
  }

  clearTimeout(id: TimerId | undefined): void {
    if (id !== undefined) this.#live.delete(id);
  }

  /**
   * Holds virtual time while `work` (real I/O: a module import) is in flight: no timer fires until it settles, so
   * how long the I/O takes in wall time cannot change the run. Without this, the number of timers that fire during
   * an import would depend on the machine's speed, and the same seed could give two different verdicts.
   */
  holdFor<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#held.add(settled);
    void settled.then(() => this.#held.delete(settled));
    return work;
  }

  /** Timers scheduled and not yet fired or cleared. */
  pending(): number {
    return this.#live.size;
  }

  /** A promise resolved by a virtual timer: `await clock.sleep(10)` in code under simulation. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Fires every timer due within the next `ms`, letting promise continuations run after each; ends at now + ms. */
  advance(ms: number): Promise<void> {
    const target = this.#nowMs + Math.max(0, ms);
    return this.advanceTo(target).then(() => undefined);
  }

  /** Like `advance`, but returns how many timers fired: handy for reporting how busy a simulated stretch was. */
  runFor(ms: number): Promise<number> {
    return this.advanceTo(this.#nowMs + Math.max(0, ms));
  }

  /** Advances to an absolute time (no-op if it is already past). Resolves with the number of timers fired. */
  advanceTo(targetMs: number): Promise<number> {
    const run = this.#driving.then(() => this.#runUntil(targetMs));
    // The chain must survive a failed advance (a timer callback that threw): the next driver starts afresh.
    this.#driving = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #runUntil(targetMs: number): Promise<number> {
    await this.#settle();
    let fired = 0;
    for (;;) {
      const timer = this.#popDue(targetMs);
      if (timer === undefined) break;
      if (++fired > maxTimersPerAdvance) {
        throw new Error(`more than ${maxTimersPerAdvance} timers fired in one advance: a zero-delay timer loop?`);
      }
      this.#nowMs = Math.max(this.#nowMs, timer.dueMs);
      timer.fn();
      await this.#settle();
    }
    this.#nowMs = Math.max(this.#nowMs, targetMs);
    await this.#settle();
    return fired;
  }

  /** Pending continuations run, and any held real work (and what it sets off) completes, before time moves on. */
  async #settle(): Promise<void> {
    await flushMicrotasks();
    while (this.#held.size > 0) {
      await Promise.all(this.#held);
      await flushMicrotasks();
    }
  }

  #popDue(targetMs: number): Timer | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || top.dueMs > targetMs) return undefined;
      this.#pop();
      if (this.#live.delete(top.id)) return top;
    }
  }

  #before(a: Timer, b: Timer): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.id < b.id);
  }

  #push(timer: Timer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Timer;
      if (!this.#before(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const l = heap[left] as Timer;
      const r = heap[right];
      const child = r !== undefined && this.#before(r, l) ? right : left;
      const c = heap[child] as Timer;
      if (!this.#before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}
