/**
 * Testing your own projection with the kit, from your own test suite (vitest here; jest and node:test alike).
 * `projectionKit` plays given/when/then scenarios on the simulated broker; `checkProjection` runs the whole
 * property suite. Both run in cqrs-testbed's own `npm test`, so this example stays true.
 */
import { checkProjection, projectionKit } from 'cqrs-testbed/kit';
import type { DomainEvent } from 'cqrs-testbed';
import { describe, expect, it } from 'vitest';
import myInventory from './myInventory.js';

const added = (productId: string): DomainEvent => ({
  type: 'ProductAdded',
  productId,
  name: productId,
  priceCents: 100,
});
const restock = (productId: string, delta: number): DomainEvent => ({
  type: 'StockAdjusted',
  adjustmentId: `adj-${productId}-${delta}`,
  productId,
  delta,
  reason: 'restock',
});
const ordered = (orderId: string, productId: string, quantity: number): DomainEvent => ({
  type: 'OrderPlaced',
  orderId,
  customerId: 'cust_1',
  orderDate: '2026-12-01T10:00:00.000Z',
  shippingAddress: '1 Main St',
  items: [{ productId, quantity, unitPriceCents: 100 }],
  totalCents: 100 * quantity,
});

describe('my inventory projection', () => {
  const kit = projectionKit(myInventory);
  const history = [added('p1'), added('p2'), restock('p1', 10), ordered('o1', 'p1', 3), ordered('o2', 'p2', 1)];

  it('folds stock changes and orders', async () => {
    await kit.given(history).then(
      new Map([
        ['p1', 7],
        ['p2', -1],
      ]),
    );
  });

  it('applies each event once, whatever happens to the deliveries', async () => {
    await kit
      .given(history)
      .when((d) =>
        d.crashAt('after-stock').loseAcks(2).crashAfterCommit().restart().publish(restock('p2', 5)).rebuild(),
      )
      .thenMatchesOracle();
  });

  it('passes the property suite', async () => {
    const result = await checkProjection(new URL('./myInventory.ts', import.meta.url), { runs: 25 });
    expect(result.ok).toBe(true);
  }, 120_000);
});
