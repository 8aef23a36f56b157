import type { DomainEvent } from '../domain/events.js';

/** One thing that happens to the projection's deliveries, in order (see {@link Deliveries}). */
export type DeliveryStep =
  | { readonly kind: 'deliver' }
  | { readonly kind: 'publish'; readonly events: readonly DomainEvent[] }
  | { readonly kind: 'crashAt'; readonly point: string; readonly times: number }
  | { readonly kind: 'crashAfterCommit'; readonly times: number }
  | { readonly kind: 'loseAcks'; readonly count: number }
  | { readonly kind: 'restart' }
  | { readonly kind: 'rebuild' };

/** Steps any one scenario may take: a bound, so a scenario built in a loop by mistake ends with a clear error. */
export const MAX_STEPS = 1_000;
/** Crashes or lost acks one step may ask for. */
export const MAX_TIMES = 100;

/**
 * What happens to the deliveries of the projection under test, step by step, on the simulated broker. Each method
 * adds a step and returns the same builder. Whatever the steps, the kit delivers everything at the end before it
 * reads the state (the faults are over by then: the question is where the projection ends up).
 */
export class Deliveries {
  readonly steps: DeliveryStep[] = [];

  /** Lets the projection catch up with every event published so far (bounded in virtual time). */
  deliver(): this {
    return this.add({ kind: 'deliver' });
  }

  /** Appends more events to the stream (they are delivered by the next `deliver`, or at the end). */
  publish(...events: DomainEvent[]): this {
    return this.add({ kind: 'publish', events });
  }

  /**
   * Arms a self-managed plug-in's named crash point (`ctx.crashPoint(name)` in its `handle`): the next `times` passes
   * through it kill the consumer there, mid-event, and a supervisor restarts it. Then delivers until caught up.
   */
  crashAt(point: string, times = 1): this {
    return this.add({ kind: 'crashAt', point, times: checkedTimes('crashAt', times) });
  }

  /** The next `times` batches commit and the consumer dies before acking them: they come back after the ack wait. */
  crashAfterCommit(times = 1): this {
    return this.add({ kind: 'crashAfterCommit', times: checkedTimes('crashAfterCommit', times) });
  }

  /** The next `count` acks are lost on their way to the broker: those events are delivered again after the ack wait. */
  loseAcks(count = 1): this {
    return this.add({ kind: 'loseAcks', count: checkedTimes('loseAcks', count) });
  }

  /** The consumer process dies and comes back: nothing in memory survives; a plug-in loaded from a file is re-imported. */
  restart(): this {
    return this.add({ kind: 'restart' });
  }

  /** Rebuilds the model from sequence 1 (`reset`, then every event through the handler again), until caught up. */
  rebuild(): this {
    return this.add({ kind: 'rebuild' });
  }

  private add(step: DeliveryStep): this {
    if (this.steps.length >= MAX_STEPS) throw new RangeError(`a kit scenario takes at most ${MAX_STEPS} steps`);
    this.steps.push(step);
    return this;
  }
}

function checkedTimes(step: string, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_TIMES)
    throw new RangeError(`${step}: expected an integer from 1 to ${MAX_TIMES}, got ${String(n)}`);
  return n;
}
