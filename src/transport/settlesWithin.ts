/** Timers to race against: the real ones by default, a virtual clock's on the simulation. */
export interface RaceTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const realTimers: RaceTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

/** True if `p` settles within `ms` (of `timers`' time); the timer never outlives the race. */
export async function settlesWithin(
  p: Promise<unknown>,
  ms: number,
  timers: RaceTimers = realTimers,
): Promise<boolean> {
  let timer: unknown;
  const timeout = new Promise<false>((resolve) => {
    timer = timers.setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    timers.clearTimeout(timer);
  }
}
