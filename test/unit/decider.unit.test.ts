import { describe, expect, it } from 'vitest';
import { err, ok } from '../../src/domain/result.js';
import { decider } from '../helpers/decider.js';

// A toy decider: refuses a negative amount, otherwise writes one event with an id from the metadata.
const { given } = decider((balance: number, amount: number, meta) =>
  amount < 0 ? err('negative') : ok([{ id: meta.newId(), balance: balance + amount, at: meta.now }]),
);

describe('the given/when/then decider helper', () => {
  it('passes when the decision is exactly the expected one, and counts the ids taken', () => {
    expect(
      given(10)
        .when(5)
        .then([{ id: 'evt_1', balance: 15, at: '2023-10-27T10:00:00Z' }]).idsIssued,
    ).toBe(1);
    expect(given(10).when(-1).thenRefused('negative').idsIssued).toBe(0);
  });

  it('fails on a different decision, on a refusal where events were expected, and the other way round', () => {
    expect(() =>
      given(10)
        .when(5)
        .then([{ id: 'evt_1', balance: 16, at: '2023-10-27T10:00:00Z' }]),
    ).toThrow(/expected/);
    expect(() => given(10).when(-1).then([])).toThrow(/expected/);
    expect(() => given(10).when(5).thenRefused('negative')).toThrow(/expected/);
  });
});
