/**
 * Time, injected. Every timer the actors use goes through a Clock, so the same machines run in real time on
 * NATS and in virtual time on the deterministic simulation (where minutes pass in milliseconds). The shape is
 * XState's own `clock` option, plus `now`.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  /**
   * Real I/O (loading a module) under virtual time: the simulation holds its clock until `work` settles, so the
   * work takes no virtual time and the run stays reproducible from its seed. In real time it is `work` itself.
   */
  holdFor?<T>(work: Promise<T>): Promise<T>;
}

/** `work`, with the clock held while it runs where the clock can be held (see {@link Clock.holdFor}). */
export function heldFor<T>(clock: Clock, work: Promise<T>): Promise<T> {
  return clock.holdFor ? clock.holdFor(work) : work;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

/** Resolves after `ms` on `clock`; resolves early (not rejects) when `signal` aborts, so callers check the signal. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clock.clearTimeout(id);
      resolve();
    };
    const id = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const isoNow = (clock: Clock) => (): string => new Date(clock.now()).toISOString();
