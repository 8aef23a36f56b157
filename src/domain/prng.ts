/**
 * The one source of randomness a run owns: a seeded PRNG (mulberry32, 32-bit state), so a seed replays a workload
 * and a fault schedule exactly. Not for cryptography.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

/** Samples indexes 0..n-1 with probability ∝ 1/(k+1)^exponent: 0 is uniform, larger is more skewed to index 0. */
export class ZipfSampler {
  private readonly cdf: number[];

  constructor(n: number, exponent: number) {
    const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1) ** exponent);
    const total = weights.reduce((a, b) => a + b, 0);
    let acc = 0;
    this.cdf = weights.map((w) => (acc += w / total));
  }

  sample(prng: Prng): number {
    const u = prng.next();
    let lo = 0,
      hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cdf[mid] ?? 1) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
