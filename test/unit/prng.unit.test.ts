import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prng, ZipfSampler } from '../../src/domain/prng.js';

// The run's one source of randomness: a seed must replay exactly, and every draw must stay in its range.

const draws = (prng: Prng, n: number) => Array.from({ length: n }, () => prng.next());

describe('Prng', () => {
  it('replays the same sequence from the same seed and a different one from another seed', () => {
    expect(draws(new Prng(42), 100)).toEqual(draws(new Prng(42), 100));
    expect(draws(new Prng(43), 100)).not.toEqual(draws(new Prng(42), 100));
  });

  it('treats seeds modulo 2^32, so a negative seed (from a xor) is a valid, distinct seed', () => {
    expect(draws(new Prng(-1), 10)).toEqual(draws(new Prng(0xffffffff), 10));
    expect(draws(new Prng(-1), 10)).not.toEqual(draws(new Prng(1), 10));
  });

  it('next() is in [0, 1) and int(min, max) in [min, max], reaching both ends', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -1_000, max: 1_000 }),
        fc.integer({ min: 0, max: 20 }),
        (seed, min, span) => {
          const prng = new Prng(seed);
          const units = draws(prng, 400);
          const ints = Array.from({ length: 400 }, () => prng.int(min, min + span));
          expect(units.filter((u) => !(u >= 0 && u < 1))).toEqual([]);
          expect(ints.filter((k) => !Number.isInteger(k) || k < min || k > min + span)).toEqual([]);
          // 400 draws over at most 21 values: missing an end has probability < 2 × (20/21)^400 ≈ 6e-9.
          expect(ints).toContain(min);
          expect(ints).toContain(min + span);
        },
      ),
    );
  });

  it('pick() returns a member and refuses an empty list', () => {
    const prng = new Prng(7);
    for (let i = 0; i < 50; i++) expect(['a', 'b', 'c']).toContain(prng.pick(['a', 'b', 'c']));
    expect(() => prng.pick([])).toThrow(/empty/);
  });
});

describe('ZipfSampler', () => {
  it('samples indexes in [0, n) for any size, exponent and seed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.integer(),
        (n, exponent, seed) => {
          const sampler = new ZipfSampler(n, exponent);
          const prng = new Prng(seed);
          const out = Array.from({ length: 200 }, () => sampler.sample(prng)).filter(
            (k) => !Number.isInteger(k) || k < 0 || k >= n,
          );
          expect(out).toEqual([]);
        },
      ),
    );
  });

  it('is uniform at exponent 0 and skewed to index 0 as the exponent grows', () => {
    const share0 = (exponent: number) => {
      const sampler = new ZipfSampler(10, exponent);
      const prng = new Prng(1);
      let zeros = 0;
      for (let i = 0; i < 20_000; i++) if (sampler.sample(prng) === 0) zeros++;
      return zeros / 20_000;
    };
    // Expected: 1/10 uniform; 1/H(10) ≈ 0.34 at 1; 1/ζ₁₀(2) ≈ 0.65 at 2.
    expect(share0(0)).toBeCloseTo(0.1, 1);
    expect(share0(1)).toBeGreaterThan(share0(0) + 0.15);
    expect(share0(2)).toBeGreaterThan(share0(1) + 0.15);
  });
});
