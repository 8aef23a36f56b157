import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SCHEMA_VERSION,
  decodeEnvelope,
  encodeEnvelope,
  envelop,
  type EventEnvelope,
} from '../../src/domain/envelope.js';
import { EVENT_TYPES, subjectFor, type DomainEvent, type DomainEventType } from '../../src/domain/events.js';
import type { Result } from '../../src/domain/result.js';
import {
  NOW,
  envOf,
  inventoryUpdated,
  orderPlaced,
  orderRejected,
  productAdded,
  productRenamed,
  productRepriced,
  stockAdjusted,
} from './fixtures.js';

/** One sample per event type; the Record type makes the compiler insist on every member of the union. */
const samples: Record<DomainEventType, DomainEvent> = {
  OrderPlaced: orderPlaced('ord_789', [
    ['prod_abc', 2, 4999],
    ['prod_xyz', 1, 5077],
  ]),
  OrderRejected: orderRejected('ord_790', 'prod_abc', 3, 1),
  StockAdjusted: stockAdjusted('prod_abc', -2),
  InventoryUpdated: inventoryUpdated('prod_abc', 48),
  ProductAdded: productAdded('prod_abc', 'Gadget Pro — édition ✨', 4999),
  ProductRenamed: productRenamed('prod_abc', 'Gadget Pro 2'),
  ProductRepriced: productRepriced('prod_abc', 0),
};

const utf8 = new TextEncoder();
const bytesOf = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value));

/** A valid envelope as plain JSON, to be broken one field at a time. */
const validRaw = (): Record<string, unknown> =>
  JSON.parse(JSON.stringify(envOf(samples.ProductAdded))) as Record<string, unknown>;

function errorOf(r: Result<EventEnvelope, string>): string {
  if (r.ok) throw new Error(`expected a decode error, got ${JSON.stringify(r.value)}`);
  return r.error;
}

describe('envelop', () => {
  it('copies the type from the payload and stamps the schema version', () => {
    expect(envelop(samples.StockAdjusted, { eventId: 'e', occurredAt: NOW, causationId: 'c' })).toEqual({
      eventId: 'e',
      type: 'StockAdjusted',
      schemaVersion: SCHEMA_VERSION,
      occurredAt: NOW,
      causationId: 'c',
      data: samples.StockAdjusted,
    });
  });
});

describe('encodeEnvelope → decodeEnvelope', () => {
  it('has a sample for every event type', () => {
    expect(Object.keys(samples).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(EVENT_TYPES)('round-trips %s', (type) => {
    const envelope = envOf(samples[type], `evt_${type}`);
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual({ ok: true, value: envelope });
  });

  it('round-trips arbitrary well-formed payloads, including non-ASCII text', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
    const int = fc.integer({ min: -1_000_000, max: 1_000_000 });
    const line = fc.record({
      productId: text,
      quantity: fc.integer({ min: 1, max: 10_000 }),
      unitPriceCents: fc.nat(),
    });
    const event: fc.Arbitrary<DomainEvent> = fc.oneof(
      fc.record({
        type: fc.constant('OrderPlaced' as const),
        orderId: text,
        customerId: text,
        orderDate: text,
        shippingAddress: text,
        items: fc.array(line, { minLength: 1, maxLength: 5 }),
        totalCents: fc.nat(),
      }),
      fc.record({
        type: fc.constant('OrderRejected' as const),
        orderId: text,
        customerId: text,
        reason: fc.constant('insufficient-stock' as const),
        shortages: fc.array(fc.record({ productId: text, requested: fc.nat(), available: int })),
      }),
      fc.record({
        type: fc.constant('StockAdjusted' as const),
        adjustmentId: text,
        productId: text,
        delta: int,
        reason: text,
      }),
      fc.record({
        type: fc.constant('InventoryUpdated' as const),
        productId: text,
        availableQuantity: int,
        sourceEventId: text,
      }),
      fc.record({ type: fc.constant('ProductAdded' as const), productId: text, name: text, priceCents: fc.nat() }),
      fc.record({ type: fc.constant('ProductRenamed' as const), productId: text, name: text }),
      fc.record({ type: fc.constant('ProductRepriced' as const), productId: text, priceCents: fc.nat() }),
    );
    fc.assert(
      fc.property(event, text, text, text, (data, eventId, occurredAt, causationId) => {
        const envelope = envelop(data, { eventId, occurredAt, causationId });
        expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual({ ok: true, value: envelope });
      }),
    );
  });
});

describe('decodeEnvelope errors', () => {
  it('names a payload that is not JSON', () => {
    expect(errorOf(decodeEnvelope(utf8.encode('{"eventId": ')))).toMatch(/^undecodable payload: /);
  });

  it('names bytes that are not UTF-8', () => {
    const bytes = Uint8Array.from([...utf8.encode('{"eventId":"'), 0xff, 0xfe, ...utf8.encode('"}')]);
    expect(errorOf(decodeEnvelope(bytes))).toMatch(/^undecodable payload: .*(utf-8|encoded data)/i);
  });

  it('refuses an empty message', () => {
    expect(errorOf(decodeEnvelope(new Uint8Array()))).toMatch(/^undecodable payload: /);
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'OrderPlaced'],
  ])('refuses JSON that is %s', (_label, value) => {
    expect(errorOf(decodeEnvelope(bytesOf(value)))).toBe('undecodable payload: not a JSON object');
  });

  it('refuses a JSON array as an envelope without an eventId', () => {
    expect(errorOf(decodeEnvelope(bytesOf([validRaw()])))).toBe('bad envelope: eventId must be a non-empty string');
  });

  it.each(['eventId', 'type', 'occurredAt', 'causationId'])('names a missing or empty %s', (key) => {
    const missing = validRaw();
    delete missing[key];
    expect(errorOf(decodeEnvelope(bytesOf(missing)))).toBe(`bad envelope: ${key} must be a non-empty string`);
    expect(errorOf(decodeEnvelope(bytesOf({ ...validRaw(), [key]: '' })))).toBe(
      `bad envelope: ${key} must be a non-empty string`,
    );
    expect(errorOf(decodeEnvelope(bytesOf({ ...validRaw(), [key]: 7 })))).toBe(
      `bad envelope: ${key} must be a non-empty string`,
    );
  });

  it.each([
    [2, 'unsupported schemaVersion 2 (this reader knows 1)'],
    [0, 'unsupported schemaVersion 0 (this reader knows 1)'],
    ['1', 'unsupported schemaVersion "1" (this reader knows 1)'],
    [undefined, 'unsupported schemaVersion undefined (this reader knows 1)'],
  ])('refuses schemaVersion %j', (schemaVersion, message) => {
    expect(errorOf(decodeEnvelope(bytesOf({ ...validRaw(), schemaVersion })))).toBe(message);
  });

  it('refuses an envelope whose data is missing or not an object', () => {
    expect(errorOf(decodeEnvelope(bytesOf({ ...validRaw(), data: undefined })))).toBe(
      'bad ProductAdded payload: data must be an object',
    );
    expect(errorOf(decodeEnvelope(bytesOf({ ...validRaw(), data: [] })))).toBe(
      'bad ProductAdded payload: data must be an object',
    );
  });

  it('names the missing field of a payload', () => {
    const raw = validRaw();
    const data = { ...samples.ProductAdded, name: undefined };
    expect(errorOf(decodeEnvelope(bytesOf({ ...raw, data })))).toBe('bad ProductAdded payload: name must be a string');
  });

  it('refuses a fractional or non-numeric integer field', () => {
    const raw = { ...validRaw(), type: 'StockAdjusted' };
    expect(errorOf(decodeEnvelope(bytesOf({ ...raw, data: { ...samples.StockAdjusted, delta: 1.5 } })))).toBe(
      'bad StockAdjusted payload: delta must be an integer',
    );
    expect(errorOf(decodeEnvelope(bytesOf({ ...raw, data: { ...samples.StockAdjusted, delta: '1' } })))).toBe(
      'bad StockAdjusted payload: delta must be an integer',
    );
  });

  it.each([
    ['no lines', [], 'items must be a non-empty array'],
    ['a line that is not an object', [3], 'items[0] must be an object'],
    ['a line without productId', [{ quantity: 1, unitPriceCents: 1 }], 'items[0].productId must be a string'],
    ['a line without a price', [{ productId: 'p', quantity: 1 }], 'items[0].unitPriceCents must be an integer'],
    [
      'a zero quantity on the second line',
      [
        { productId: 'p', quantity: 1, unitPriceCents: 1 },
        { productId: 'q', quantity: 0, unitPriceCents: 1 },
      ],
      'items[1].quantity must be positive',
    ],
  ])('refuses an OrderPlaced with %s', (_label, items, problem) => {
    const raw = { ...validRaw(), type: 'OrderPlaced', data: { ...samples.OrderPlaced, items } };
    expect(errorOf(decodeEnvelope(bytesOf(raw)))).toBe(`bad OrderPlaced payload: ${problem}`);
  });

  it('refuses an OrderRejected without a list of shortages', () => {
    const raw = { ...validRaw(), type: 'OrderRejected', data: { ...samples.OrderRejected, shortages: {} } };
    expect(errorOf(decodeEnvelope(bytesOf(raw)))).toBe('bad OrderRejected payload: shortages must be an array');
  });

  it('refuses an envelope type that does not match the payload type', () => {
    const raw = { ...validRaw(), type: 'ProductRenamed' };
    expect(errorOf(decodeEnvelope(bytesOf(raw)))).toBe(
      'envelope type ProductRenamed does not match payload type ProductAdded',
    );
  });

  it('refuses an unknown event type', () => {
    const raw = { ...validRaw(), type: 'OrderShipped', data: { type: 'OrderShipped', orderId: 'o' } };
    expect(errorOf(decodeEnvelope(bytesOf(raw)))).toBe('bad OrderShipped payload: unknown event type "OrderShipped"');
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(decodeEnvelope(bytes).ok).toBe(false);
      }),
    );
  });

  it('never throws on arbitrary JSON, and any error is a non-empty string', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = decodeEnvelope(bytesOf(value));
        if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
      }),
    );
  });

  it('never throws when any one field of a valid envelope or its payload is replaced by arbitrary JSON', () => {
    const keys = ['eventId', 'type', 'schemaVersion', 'occurredAt', 'causationId', 'data'];
    const dataKeys = Object.keys(samples.OrderPlaced);
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.constantFrom(...dataKeys),
        fc.boolean(),
        fc.jsonValue(),
        (key, dataKey, inData, value) => {
          const raw = {
            ...validRaw(),
            type: 'OrderPlaced',
            data: { ...samples.OrderPlaced } as Record<string, unknown>,
          };
          if (inData) raw.data[dataKey] = value;
          else (raw as Record<string, unknown>)[key] = value;
          const r = decodeEnvelope(bytesOf(raw));
          expect(typeof (r.ok ? r.value.eventId : r.error)).toBe('string');
        },
      ),
    );
  });
});

describe('subjectFor', () => {
  it('gives every event type its own subject under shop.', () => {
    const subjects = EVENT_TYPES.map(subjectFor);
    expect(new Set(subjects).size).toBe(EVENT_TYPES.length);
    for (const s of subjects) expect(s).toMatch(/^shop\.[a-z]+\.[a-z]+$/);
    expect(subjectFor('OrderPlaced')).toBe('shop.orders.placed');
  });
});
