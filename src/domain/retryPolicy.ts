/** How a failing event is retried: exponential backoff, capped, for at most `maxDeliveries` handler attempts. */
export interface RetryPolicy {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly multiplier: number;
  /** Handler attempts after which the event is parked in the dead-letter store. */
  readonly maxDeliveries: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialBackoffMs: 200,
  maxBackoffMs: 5_000,
  multiplier: 2,
  maxDeliveries: 5,
};

/** Delay before attempt `attempts + 1`, given `attempts` failures so far (≥ 1). No jitter: runs must replay from a seed. */
export function backoffMs(policy: RetryPolicy, attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(policy.maxBackoffMs, Math.round(policy.initialBackoffMs * policy.multiplier ** exponent));
}
