import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../src/bench/main.js';
import { brokerBound } from '../../src/bench/runBench.js';

describe('npm run bench arguments', () => {
  it('takes --quick and --out FILE', () => {
    // Git-ignored by default: a casual run never overwrites the committed baseline.
    expect(parseBenchArgs([])).toEqual({ quick: false, out: 'bench/results/latest.json' });
    expect(parseBenchArgs(['--quick', '--out', 'x.json'])).toEqual({ quick: true, out: 'x.json' });
  });

  it.each([[['--quik']], [['--out']], [['--out', '--quick']], [['quick']]])('refuses %j with a reason', (argv) => {
    expect(parseBenchArgs(argv)).toEqual({
      error: expect.stringMatching(/unknown argument|needs a file path/) as unknown,
    });
  });
});

describe('broker bound', () => {
  it('charges every event one publish and one delivery per read model', () => {
    // 3 events: 3/30,000 s publishing + 9/90,000 s consuming = 0.2 ms per order.
    expect(brokerBound(3, 30_000, 90_000)).toBeCloseTo(5_000, 6);
  });
});
