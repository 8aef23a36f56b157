import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlaceOrder } from '../../src/domain/commands.js';
import { SCHEMA_VERSION } from '../../src/domain/envelope.js';
import type { InventoryCheckReply, ProductAvailability } from '../../src/domain/inventoryCheck.js';
import { LIMITS } from '../../src/domain/limits.js';
import { decidePlaceOrder } from '../../src/domain/order.js';
import { decider } from '../helpers/decider.js';
import { NOW } from './fixtures.js';

const ORDER_ID = 'ord_789';

const placeOrder = (...items: readonly (readonly [productId: string, quantity: number])[]): PlaceOrder => ({
  type: 'PlaceOrder',
  customerId: 'cust_123',
  items: items.map(([productId, quantity]) => ({ productId, quantity })),
  shippingAddress: '123 Main St',
});

const stock = (productId: string, availableQuantity: number, priceCents: number): ProductAvailability => ({
  productId,
  known: true,
  availableQuantity,
  priceCents,
});

const placing = decider(
  (reply: InventoryCheckReply, cmd: PlaceOrder, meta) => decidePlaceOrder(cmd, ORDER_ID, reply, meta),
  'cmd_place_1',
);

/** given(what the inventory service answers).when(the command).then(the decision). */
const given = (items: readonly ProductAvailability[], reserved = false) => placing.given({ items, reserved });

describe('decidePlaceOrder', () => {
  it('places an order with unit prices captured and an exact integer total', () => {
    given([stock('prod_abc', 50, 4999), stock('prod_xyz', 10, 5077)])
      .when(placeOrder(['prod_abc', 2], ['prod_xyz', 1]))
      .then({
        kind: 'placed',
        event: {
          eventId: 'evt_1',
          type: 'OrderPlaced',
          schemaVersion: SCHEMA_VERSION,
          occurredAt: NOW,
          causationId: 'cmd_place_1',
          data: {
            type: 'OrderPlaced',
            orderId: ORDER_ID,
            customerId: 'cust_123',
            orderDate: NOW,
            shippingAddress: '123 Main St',
            items: [
              { productId: 'prod_abc', quantity: 2, unitPriceCents: 4999 },
              { productId: 'prod_xyz', quantity: 1, unitPriceCents: 5077 },
            ],
            totalCents: 15075, // the article's 150.75
          },
        },
      });
  });

  it('places an order that takes exactly the available quantity', () => {
    const { result } = given([stock('prod_abc', 2, 100)]).when(placeOrder(['prod_abc', 2]));
    expect(result.ok && result.value.kind).toBe('placed');
  });

  it('sums prices that would drift as floating-point amounts exactly in cents', () => {
    // 0.1 + 0.2 !== 0.3 in floats; 10 + 20 === 30 in cents.
    const { result } = given([stock('a', 9, 10), stock('b', 9, 20)]).when(placeOrder(['a', 1], ['b', 1]));
    expect(result.ok && result.value.event.data.type === 'OrderPlaced' && result.value.event.data.totalCents).toBe(30);
  });

  it('rejects with every shortage when more is requested than available (check mode)', () => {
    given([stock('prod_abc', 1, 100), stock('prod_xyz', 5, 100), stock('prod_q', 0, 100)])
      .when(placeOrder(['prod_abc', 2], ['prod_xyz', 5], ['prod_q', 1]))
      .then({
        kind: 'rejected',
        event: {
          eventId: 'evt_1',
          type: 'OrderRejected',
          schemaVersion: SCHEMA_VERSION,
          occurredAt: NOW,
          causationId: 'cmd_place_1',
          data: {
            type: 'OrderRejected',
            orderId: ORDER_ID,
            customerId: 'cust_123',
            reason: 'insufficient-stock',
            shortages: [
              { productId: 'prod_abc', requested: 2, available: 1 },
              { productId: 'prod_q', requested: 1, available: 0 },
            ],
          },
        },
      });
  });

  it('judges a product listed on two lines by its total, and keeps both lines in the event', () => {
    const short = given([stock('prod_abc', 3, 100)]).when(placeOrder(['prod_abc', 2], ['prod_abc', 2]));
    expect(short.result.ok && short.result.value.event.data).toMatchObject({
      type: 'OrderRejected',
      shortages: [{ productId: 'prod_abc', requested: 4, available: 3 }],
    });
    const fits = given([stock('prod_abc', 4, 100)]).when(placeOrder(['prod_abc', 2], ['prod_abc', 2]));
    expect(fits.result.ok && fits.result.value.event.data).toMatchObject({
      type: 'OrderPlaced',
      items: [
        { productId: 'prod_abc', quantity: 2 },
        { productId: 'prod_abc', quantity: 2 },
      ],
      totalCents: 400,
    });
  });

  it('reports a negative (oversold) availability as it is', () => {
    const { result } = given([stock('prod_abc', -3, 100)]).when(placeOrder(['prod_abc', 1]));
    expect(result.ok && result.value.event.data).toMatchObject({
      shortages: [{ productId: 'prod_abc', requested: 1, available: -3 }],
    });
  });

  it('places the order when the inventory service says it reserved the stock', () => {
    // In reserve mode the availability is read after the stock was taken, so it may look short; reserved wins.
    const { result } = given([stock('prod_abc', 0, 250)], true).when(placeOrder(['prod_abc', 4]));
    expect(result.ok && result.value.kind).toBe('placed');
    expect(result.ok && result.value.event.data).toMatchObject({
      items: [{ productId: 'prod_abc', quantity: 4, unitPriceCents: 250 }],
      totalCents: 1000,
    });
  });

  it('refuses unknown products with one field error per line and consumes no id', () => {
    const unknown: ProductAvailability = { productId: 'prod_gone', known: false, availableQuantity: 0, priceCents: 0 };
    const { idsIssued } = given([stock('prod_abc', 50, 100), unknown])
      .when(placeOrder(['prod_abc', 1], ['prod_gone', 1], ['prod_never', 1]))
      .thenRefused([
        { field: 'items[1].productId', message: 'unknown product prod_gone' },
        { field: 'items[2].productId', message: 'unknown product prod_never' },
      ]);
    expect(idsIssued).toBe(0);
  });

  it('treats unknown products as a bad request even when the stock is also short', () => {
    const { result } = given([stock('prod_abc', 0, 100)]).when(placeOrder(['prod_abc', 5], ['prod_never', 1]));
    expect(result.ok).toBe(false);
  });

  it('takes exactly one id from meta for the event', () => {
    expect(given([stock('a', 5, 1)]).when(placeOrder(['a', 1])).idsIssued).toBe(1);
    expect(given([stock('a', 0, 1)]).when(placeOrder(['a', 1])).idsIssued).toBe(1);
  });

  it('is a pure function of its inputs', () => {
    const once = () => given([stock('a', 5, 199), stock('b', 1, 1)]).when(placeOrder(['a', 3], ['b', 2])).result;
    expect(once()).toEqual(once());
  });

  it('totals every placed order exactly as the integer sum of quantity × unit price', () => {
    const lineArb = fc.record({
      quantity: fc.integer({ min: 1, max: LIMITS.quantityMax }),
      priceCents: fc.integer({ min: 0, max: LIMITS.priceCentsMax }),
    });
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: LIMITS.orderLinesMax }), (lines) => {
        const availability = lines.map((l, i) => stock(`p${i}`, LIMITS.quantityMax, l.priceCents));
        const { result } = given(availability).when(placeOrder(...lines.map((l, i) => [`p${i}`, l.quantity] as const)));
        if (!result.ok || result.value.event.data.type !== 'OrderPlaced') throw new Error('expected OrderPlaced');
        const total = result.value.event.data.totalCents;
        expect(Number.isSafeInteger(total)).toBe(true);
        expect(BigInt(total)).toBe(lines.reduce((s, l) => s + BigInt(l.quantity) * BigInt(l.priceCents), 0n));
      }),
    );
  });

  it('rejects exactly when some line asks for more than is available (check mode)', () => {
    const lineArb = fc.record({
      quantity: fc.integer({ min: 1, max: 20 }),
      available: fc.integer({ min: -5, max: 20 }),
    });
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 8 }), (lines) => {
        const availability = lines.map((l, i) => stock(`p${i}`, l.available, 100));
        const { result } = given(availability).when(placeOrder(...lines.map((l, i) => [`p${i}`, l.quantity] as const)));
        const short = lines.flatMap((l, i) => (l.quantity > l.available ? [`p${i}`] : []));
        if (!result.ok) throw new Error('expected a decision');
        expect(result.value.kind).toBe(short.length > 0 ? 'rejected' : 'placed');
        if (result.value.event.data.type === 'OrderRejected') {
          expect(result.value.event.data.shortages.map((s) => s.productId)).toEqual(short);
        }
      }),
    );
  });
});
