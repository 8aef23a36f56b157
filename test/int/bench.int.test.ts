/**
 * Smoke test of the bench: the quick bench's code paths at even smaller sizes, on real nats-server processes. It
 * checks the shape of the result (every key present, finite, positive), never the figures: machines are noisy.
 */
import { describe, expect, it } from 'vitest';
import { REQUIRED_KEYS, runBench } from '../../src/bench/runBench.js';
import { SMOKE_SIZES } from '../../src/bench/sizes.js';

describe('bench', () => {
  it('produces every figure, finite and positive', async () => {
    const results = await runBench(SMOKE_SIZES, 'smoke');
    for (const key of REQUIRED_KEYS) {
      const value = results[key];
      expect(typeof value, key).toBe('number');
      expect(Number.isFinite(value), key).toBe(true);
      // The overhead is convergence time minus backlog ÷ rebuild rate: negative when the live consumer catches up
      // faster than a rebuild replays, which is a legitimate outcome, so only its finiteness is checked.
      if (key !== 'convergence_overhead_ms') expect(value, key).toBeGreaterThan(0);
    }
  }, 120_000);
});
