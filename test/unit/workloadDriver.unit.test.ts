import { describe, expect, it } from 'vitest';
import { realClock } from '../../src/actors/clock.js';
import type { OrderServiceEvent, OrderServiceOutcome } from '../../src/actors/orderService.js';
import type { RunningSystem } from '../../src/system/startSystem.js';
import { driveWorkload, emptyCounters } from '../../src/scenarios/workloadDriver.js';
import type { WorkloadOp } from '../../src/scenarios/workload.js';
import { systemPort } from '../../src/system/systemPort.js';

// The driver counts every order by outcome: the reports show refusals with their reasons, so it must not lump them.

const OUTCOMES: Readonly<Record<string, OrderServiceOutcome>> = {
  cust_placed: { kind: 'placed', orderId: 'ord_1' },
  cust_short: {
    kind: 'rejected',
    orderId: 'ord_2',
    shortages: [{ productId: 'prod_0000', requested: 3, available: 1 }],
  },
  cust_invalid: { kind: 'invalid', errors: [{ field: 'items[0].productId', message: 'unknown product' }] },
  cust_busy: { kind: 'busy', message: '64 orders already in flight' },
  cust_down: { kind: 'unavailable', message: 'inventory service is not running' },
};

/** The order service as the driver sees it: answers by customer, and throws for `cust_boom` (a bug, not a refusal). */
const system = {
  orderService: {
    send(event: OrderServiceEvent) {
      if (event.type !== 'PLACE_ORDER') return;
      const outcome = OUTCOMES[event.command.customerId];
      if (!outcome) throw new Error(`no answer for ${event.command.customerId}`);
      event.reply(outcome);
    },
  },
} as unknown as RunningSystem;

const order = (customerId: string): WorkloadOp => ({
  atMs: 0,
  kind: 'placeOrder',
  customerId,
  items: [{ productId: 'prod_0000', quantity: 1 }],
});

describe('driveWorkload', () => {
  it('counts placed, refused by reason (stock, unavailable incl. busy, invalid) and failed orders, keeping why one failed', async () => {
    const counters = emptyCounters();
    const ops = ['cust_placed', 'cust_placed', 'cust_short', 'cust_invalid', 'cust_busy', 'cust_down', 'cust_boom'].map(
      order,
    );
    await driveWorkload(systemPort(system, { newId: () => 'x', now: () => '' }), ops, {
      clock: realClock,
      startMs: realClock.now(),
      concurrency: 2,
      counters,
      signal: new AbortController().signal,
    });
    expect(counters).toMatchObject({
      placed: 2,
      rejected: 1,
      invalid: 1,
      unavailable: 2,
      failed: 1,
      lastFailure: 'no answer for cust_boom',
    });
  });
});
