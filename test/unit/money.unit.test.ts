import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/limits.js';
import { amountToCents, centsToAmount } from '../../src/domain/money.js';

describe('amountToCents', () => {
  it.each([
    [19.99, 1999],
    [150.75, 15075],
    [0.1, 10],
    [0.29, 29], // 0.29 * 100 is 28.999999999999996 in binary floating point
    [1.1, 110],
    [1, 100],
    [0, 0],
    [1_000_000, 100_000_000],
  ])('parses %d into %d cents', (amount, cents) => {
    expect(amountToCents(amount)).toBe(cents);
  });

  it.each([
    ['three decimals', 0.001],
    ['three decimals above a whole amount', 19.999],
    ['1.005 (half a cent)', 1.005],
    ['a negative amount', -1],
    ['a negative cent', -0.01],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['an amount whose cents are not a safe integer', Number.MAX_SAFE_INTEGER],
  ])('refuses %s', (_label, amount) => {
    expect(amountToCents(amount)).toBeUndefined();
  });

  it('inverts centsToAmount for every price the system accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LIMITS.priceCentsMax }), (cents) => {
        expect(amountToCents(centsToAmount(cents))).toBe(cents);
      }),
    );
  });

  it('refuses any amount with a non-zero third decimal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: LIMITS.priceCentsMax }),
        fc.integer({ min: 1, max: 9 }),
        (cents, tenthOfCent) => {
          expect(amountToCents((cents * 10 + tenthOfCent) / 1000)).toBeUndefined();
        },
      ),
    );
  });
});

describe('centsToAmount', () => {
  it('renders cents as currency units, as the article shows 150.75', () => {
    expect(centsToAmount(15075)).toBe(150.75);
    expect(centsToAmount(1)).toBe(0.01);
    expect(centsToAmount(0)).toBe(0);
    expect(centsToAmount(100)).toBe(1);
  });

  it('rounds a stray fractional cent to the nearest whole cent first', () => {
    expect(centsToAmount(1999.4)).toBe(19.99);
    expect(centsToAmount(1999.6)).toBe(20);
  });
});
