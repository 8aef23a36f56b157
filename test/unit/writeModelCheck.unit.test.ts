import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/scenarios/eventLog.js';
import { checkWriteModel } from '../../src/scenarios/writeModelCheck.js';
import type { OrderStore } from '../../src/store/orderStore.js';
import { logOf, orderPlaced, stockAdjusted } from './fixtures.js';

// Every accepted order published exactly once: the write model's accepted orders against the stream.

/** The write model's accepted orders, paged by order id as orders.db does. */
function storeOf(orderIds: readonly string[]): OrderStore {
  const sorted = [...orderIds].sort();
  const store: Pick<OrderStore, 'placedOrders'> = {
    placedOrders: (after = '', limit = 10_000) =>
      sorted
        .filter((id) => id > after)
        .slice(0, limit)
        .map((orderId) => ({ orderId, eventId: `e_${orderId}` })),
  };
  return store as OrderStore;
}

const published = (...orderIds: string[]): LogEntry[] => logOf(...orderIds.map((id) => orderPlaced(id, [['p1', 1]])));

describe('checkWriteModel', () => {
  it('finds unpublished, twice-published and phantom orders', () => {
    const log = [...published('o1', 'o2', 'o2', 'o5'), ...logOf(stockAdjusted('p1', 1))];
    const check = checkWriteModel(storeOf(['o1', 'o2', 'o3', 'o4']), log);
    expect(check).toMatchObject({ accepted: 4, unpublished: 2, publishedTwice: 1, phantom: 1 });
    expect(check.examples).toEqual(['o2 published 2×', 'o3 published 0×', 'o4 published 0×']);
  });

  it('is clean when every accepted order is in the stream once', () => {
    expect(checkWriteModel(storeOf(['a', 'b']), published('b', 'a'))).toEqual({
      accepted: 2,
      unpublished: 0,
      publishedTwice: 0,
      phantom: 0,
      examples: [],
    });
  });

  it('reads the write model in pages without counting an order twice, and keeps at most 5 examples', () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => `o${String(i).padStart(6, '0')}`);
    const check = checkWriteModel(storeOf(ids), published(...ids.filter((_, i) => i % 2 === 0)));
    expect(check).toMatchObject({ accepted: 10_001, unpublished: 5_000, publishedTwice: 0, phantom: 0 });
    expect(check.examples).toHaveLength(5);
  });
});
