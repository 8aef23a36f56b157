import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.js';

describe('eventually (the test suites’ polling helper)', () => {
  it('returns the first answer that is neither false nor undefined, after as many polls as it took', async () => {
    let polls = 0;
    const value = await eventually(() => (++polls === 3 ? { seq: 7 } : undefined), { what: 'seq 7', intervalMs: 1 });
    expect(value).toEqual({ seq: 7 });
    expect(polls).toBe(3);
  });

  it('fails after the timeout with a message that says what it waited for', async () => {
    await expect(
      eventually(() => false, { what: 'the summary to catch up', timeoutMs: 30, intervalMs: 5 }),
    ).rejects.toThrow('timed out after 30 ms waiting for: the summary to catch up');
  });

  it('fails at once when the check throws, unless told to retry', async () => {
    let polls = 0;
    const broken = () => {
      polls++;
      throw new Error('no such table');
    };
    await expect(eventually(broken, { what: 'rows', timeoutMs: 5_000 })).rejects.toThrow('no such table');
    expect(polls).toBe(1);
  });

  it('with retryOnError, polls through errors and names the last one when it gives up', async () => {
    let polls = 0;
    const refused = () => {
      polls++;
      throw new Error(`ECONNREFUSED #${polls}`);
    };
    const failure = await eventually(refused, {
      what: 'the HTTP API',
      timeoutMs: 30,
      intervalMs: 5,
      retryOnError: true,
    }).catch((e: unknown) => e);
    expect(polls).toBeGreaterThan(1);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      `timed out after 30 ms waiting for: the HTTP API (last error: ECONNREFUSED #${polls})`,
    );
    expect(((failure as Error).cause as Error).message).toBe(`ECONNREFUSED #${polls}`);
  });
});
