/**
 * The one polling helper of the test suites: asks `check` every `intervalMs` until it answers something other than
 * `false` or `undefined` (and returns that), or fails after `timeoutMs` with a message naming what it waited for.
 * Real time only: code on the virtual clock is driven by `clock.advance`, never polled.
 */

export interface EventuallyOptions {
  /** What is awaited, as the failure message puts it: "timed out after 15000 ms waiting for: <what>". */
  readonly what: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /**
   * Poll on when `check` throws (an HTTP server that is still starting refuses connections); the last error becomes
   * the failure's cause. Off by default: a check that throws is a broken test, and should fail at once, not in 15 s.
   */
  readonly retryOnError?: boolean;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_INTERVAL_MS = 25;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function eventually<T>(
  check: () => T | false | undefined | Promise<T | false | undefined>,
  options: EventuallyOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value;
    } catch (error: unknown) {
      if (options.retryOnError !== true) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const why = lastError === undefined ? '' : ` (last error: ${messageOf(lastError)})`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${options.what}${why}`, { cause: lastError });
}
