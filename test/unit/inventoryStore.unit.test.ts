import { describe, expect, it } from 'vitest';
import { envelop } from '../../src/domain/envelope.js';
import { InventoryStore } from '../../src/store/inventoryStore.js';
import { openDatabase } from '../../src/store/sqlite.js';

const meta = (eventId: string) => ({ eventId, occurredAt: '2026-01-01T00:00:00.000Z', causationId: 'cmd' });

describe('InventoryStore', () => {
  it('knows whether a product was ever stocked, even if its adjustments sum to zero (seeding resumes on it)', () => {
    const store = new InventoryStore(openDatabase(':memory:'));
    store.record([envelop({ type: 'ProductAdded', productId: 'p1', name: 'P', priceCents: 100 }, meta('e1'))]);
    expect(store.everAdjusted('p1')).toBe(false);
    store.record([
      envelop({ type: 'StockAdjusted', adjustmentId: 'a1', productId: 'p1', delta: 5, reason: 'in' }, meta('e2')),
    ]);
    store.record([
      envelop({ type: 'StockAdjusted', adjustmentId: 'a2', productId: 'p1', delta: -5, reason: 'out' }, meta('e3')),
    ]);
    expect(store.ledgerAvailable('p1')).toBe(0);
    expect(store.everAdjusted('p1')).toBe(true);
    expect(store.everAdjusted('p2')).toBe(false);
  });

  it('reserves all lines or none, and a repeated check for the same order reserves nothing twice', () => {
    const store = new InventoryStore(openDatabase(':memory:'));
    store.record([
      envelop({ type: 'ProductAdded', productId: 'a', name: 'A', priceCents: 100 }, meta('e1')),
      envelop({ type: 'ProductAdded', productId: 'b', name: 'B', priceCents: 200 }, meta('e2')),
      envelop({ type: 'StockAdjusted', adjustmentId: 'x', productId: 'a', delta: 3, reason: 'in' }, meta('e3')),
      envelop({ type: 'StockAdjusted', adjustmentId: 'y', productId: 'b', delta: 1, reason: 'in' }, meta('e4')),
    ]);
    const tooMuch = store.check({
      orderId: 'o1',
      reserve: true,
      items: [
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 2 },
      ],
    });
    expect(tooMuch.reserved).toBe(false);
    expect([store.ledgerAvailable('a'), store.ledgerAvailable('b')]).toEqual([3, 1]);
    const fits = {
      orderId: 'o2',
      reserve: true,
      items: [
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 1 },
      ],
    };
    expect(store.check(fits).reserved).toBe(true);
    expect(store.check(fits).reserved).toBe(true);
    expect([store.ledgerAvailable('a'), store.ledgerAvailable('b')]).toEqual([1, 0]);
  });
});
