import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/limits.js';
import type { FieldError, Result } from '../../src/domain/result.js';
import {
  validateAddProduct,
  validateAdjustStock,
  validateInventoryCommand,
  validatePlaceOrder,
  validateProductChange,
} from '../../src/domain/validation.js';

/** The article's example request body. */
const articleBody = {
  customerId: 'cust_123',
  items: [
    { productId: 'prod_abc', quantity: 2 },
    { productId: 'prod_xyz', quantity: 1 },
  ],
  shippingAddress: '123 Main St',
};

function errorsOf<T>(r: Result<T, readonly FieldError[]>): readonly FieldError[] {
  if (r.ok) throw new Error(`expected field errors, got ${JSON.stringify(r.value)}`);
  return r.error;
}

const fieldsOf = <T>(r: Result<T, readonly FieldError[]>): string[] => errorsOf(r).map((e) => e.field);

const withItems = (items: unknown): unknown => ({ ...articleBody, items });
const line = (quantity: unknown, productId: unknown = 'prod_abc'): unknown => ({ productId, quantity });

describe('validatePlaceOrder', () => {
  it("accepts the article's example body as a PlaceOrder command", () => {
    expect(validatePlaceOrder(articleBody)).toEqual({
      ok: true,
      value: {
        type: 'PlaceOrder',
        customerId: 'cust_123',
        items: [
          { productId: 'prod_abc', quantity: 2 },
          { productId: 'prod_xyz', quantity: 1 },
        ],
        shippingAddress: '123 Main St',
      },
    });
  });

  it('keeps only the known fields of each line', () => {
    const r = validatePlaceOrder(withItems([{ productId: 'prod_abc', quantity: 2, price: 0 }]));
    expect(r.ok && r.value.items).toEqual([{ productId: 'prod_abc', quantity: 2 }]);
  });

  it('reports every missing field of an empty object at once', () => {
    expect(fieldsOf(validatePlaceOrder({}))).toEqual(['customerId', 'items', 'shippingAddress']);
  });

  it('reports every bad field of every line at once, addressed by path', () => {
    const r = validatePlaceOrder({
      customerId: 42,
      items: [line(2), { productId: 'prod xyz', quantity: 1.5 }, 'prod_q', { quantity: 0 }],
      shippingAddress: '   ',
    });
    expect(errorsOf(r)).toEqual([
      { field: 'customerId', message: 'is required and must be a non-empty string' },
      { field: 'items[1].productId', message: expect.stringContaining('may contain only') as unknown },
      { field: 'items[1].quantity', message: 'must be an integer' },
      { field: 'items[2]', message: 'must be an object with productId and quantity' },
      { field: 'items[3].productId', message: 'is required and must be a non-empty string' },
      { field: 'items[3].quantity', message: 'must be between 1 and 10000' },
      { field: 'shippingAddress', message: 'is required and must be a non-empty string' },
    ]);
  });

  it.each([
    ['zero', 0, 'must be between 1 and 10000'],
    ['negative', -3, 'must be between 1 and 10000'],
    ['fractional', 1.5, 'must be an integer'],
    ['above the maximum', LIMITS.quantityMax + 1, 'must be between 1 and 10000'],
    ['huge', 1e20, 'must be between 1 and 10000'],
    ['NaN', Number.NaN, 'must be an integer'],
    ['Infinity', Number.POSITIVE_INFINITY, 'must be an integer'],
    ['a numeric string', '2', 'must be an integer'],
    ['missing', undefined, 'must be an integer'],
    ['null', null, 'must be an integer'],
  ])('refuses a %s quantity', (_label, quantity, message) => {
    expect(errorsOf(validatePlaceOrder(withItems([line(1, 'prod_xyz'), line(quantity)])))).toEqual([
      { field: 'items[1].quantity', message },
    ]);
  });

  it('accepts the boundary quantities 1 and quantityMax', () => {
    const r = validatePlaceOrder(withItems([line(1), line(LIMITS.quantityMax, 'prod_xyz')]));
    expect(r.ok && r.value.items.map((l) => l.quantity)).toEqual([1, LIMITS.quantityMax]);
  });

  it('accepts a product on more than one line (a cart may list the same item twice); lines keep their order', () => {
    const r = validatePlaceOrder(withItems([line(1), line(2, 'prod_xyz'), line(3)]));
    expect(r.ok && r.value.items.map((l) => [l.productId, l.quantity])).toEqual([
      ['prod_abc', 1],
      ['prod_xyz', 2],
      ['prod_abc', 3],
    ]);
  });

  it('does not call two lines without a productId duplicates of each other', () => {
    expect(fieldsOf(validatePlaceOrder(withItems([{ quantity: 1 }, { quantity: 2 }])))).toEqual([
      'items[0].productId',
      'items[1].productId',
    ]);
  });

  it.each([
    ['null', null],
    ['an array', [articleBody]],
    ['a string', JSON.stringify(articleBody)],
    ['a number', 7],
    ['undefined', undefined],
  ])('refuses a body that is %s as a whole', (_label, body) => {
    expect(errorsOf(validatePlaceOrder(body))).toEqual([{ field: '(body)', message: 'must be a JSON object' }]);
  });

  it.each([
    ['missing', undefined],
    ['an empty array', []],
    ['an object', { 0: line(1) }],
  ])('refuses items that are %s', (_label, items) => {
    expect(errorsOf(validatePlaceOrder(withItems(items)))).toEqual([
      { field: 'items', message: 'is required and must be a non-empty array' },
    ]);
  });

  it('accepts orderLinesMax lines and refuses one more, without reporting each line', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => line(1, `prod_${i}`));
    expect(validatePlaceOrder(withItems(lines(LIMITS.orderLinesMax))).ok).toBe(true);
    expect(errorsOf(validatePlaceOrder(withItems(lines(LIMITS.orderLinesMax + 1))))).toEqual([
      { field: 'items', message: `must have at most ${LIMITS.orderLinesMax} lines` },
    ]);
  });

  it.each([
    ['a space', 'cust 123', '" "'],
    ['a slash', 'cust/123', '"/"'],
    ['a subject wildcard', 'cust.*', '"*"'],
    ['a non-ASCII letter', 'cüst', '"ü"'],
    ['an accented letter at the end', 'josé', '"é"'],
    ['a letter outside the BMP', 'cust😀', '"😀"'],
    ['a newline', 'cust\n123', '"\\n"'],
  ])('refuses a customerId containing %s, naming it and saying ids are ASCII', (_label, customerId, found) => {
    expect(errorsOf(validatePlaceOrder({ ...articleBody, customerId }))).toEqual([
      {
        field: 'customerId',
        message: `may contain only ASCII letters and digits (A-Z, a-z, 0-9) and "_", "-", ".", ":"; found ${found}`,
      },
    ]);
  });

  it('accepts every allowed id character and an id of exactly idLengthMax', () => {
    expect(validatePlaceOrder({ ...articleBody, customerId: 'aZ09_.:-' }).ok).toBe(true);
    expect(validatePlaceOrder({ ...articleBody, customerId: 'c'.repeat(LIMITS.idLengthMax) }).ok).toBe(true);
  });

  it('refuses an id one character too long', () => {
    expect(errorsOf(validatePlaceOrder({ ...articleBody, customerId: 'c'.repeat(LIMITS.idLengthMax + 1) }))).toEqual([
      { field: 'customerId', message: 'must be at most 64 characters' },
    ]);
  });

  it('refuses an empty customerId and an over-long shipping address', () => {
    const r = validatePlaceOrder({
      ...articleBody,
      customerId: '',
      shippingAddress: 'x'.repeat(LIMITS.addressLengthMax + 1),
    });
    expect(errorsOf(r)).toEqual([
      { field: 'customerId', message: 'is required and must be a non-empty string' },
      { field: 'shippingAddress', message: 'must be at most 500 characters' },
    ]);
  });

  it('never throws and always answers ok or a non-empty list of field errors', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        const r = validatePlaceOrder(body);
        if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
      }),
    );
  });

  it('accepts every well-formed order and returns its lines unchanged', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
    const lines = fc.uniqueArray(
      fc.record({ productId: id, quantity: fc.integer({ min: 1, max: LIMITS.quantityMax }) }),
      {
        minLength: 1,
        maxLength: LIMITS.orderLinesMax,
        selector: (l) => l.productId,
      },
    );
    fc.assert(
      fc.property(id, lines, (customerId, items) => {
        const r = validatePlaceOrder({ customerId, items, shippingAddress: '1 Loop' });
        expect(r).toEqual({ ok: true, value: { type: 'PlaceOrder', customerId, items, shippingAddress: '1 Loop' } });
      }),
    );
  });
});

describe('validateAdjustStock', () => {
  it('accepts a positive and a negative delta, defaulting the reason', () => {
    expect(validateAdjustStock('prod_abc', { delta: 5 })).toEqual({
      ok: true,
      value: { type: 'AdjustStock', productId: 'prod_abc', delta: 5, reason: 'manual adjustment' },
    });
    const r = validateAdjustStock('prod_abc', { delta: -2, reason: 'breakage' });
    expect(r.ok && r.value).toMatchObject({ delta: -2, reason: 'breakage' });
  });

  it('refuses a zero delta', () => {
    expect(errorsOf(validateAdjustStock('prod_abc', { delta: 0 }))).toEqual([
      { field: 'delta', message: 'must not be zero' },
    ]);
  });

  it('reports a zero delta even when the productId is also bad', () => {
    expect(fieldsOf(validateAdjustStock('bad id', { delta: 0 }))).toEqual(['productId', 'delta']);
  });

  it('does not also call a missing delta zero', () => {
    expect(errorsOf(validateAdjustStock('prod_abc', {}))).toEqual([{ field: 'delta', message: 'must be an integer' }]);
  });

  it('bounds the delta at stockDeltaAbsMax either way', () => {
    expect(validateAdjustStock('p', { delta: LIMITS.stockDeltaAbsMax }).ok).toBe(true);
    expect(validateAdjustStock('p', { delta: -LIMITS.stockDeltaAbsMax }).ok).toBe(true);
    expect(fieldsOf(validateAdjustStock('p', { delta: LIMITS.stockDeltaAbsMax + 1 }))).toEqual(['delta']);
    expect(fieldsOf(validateAdjustStock('p', { delta: -LIMITS.stockDeltaAbsMax - 1 }))).toEqual(['delta']);
    expect(fieldsOf(validateAdjustStock('p', { delta: 2.5 }))).toEqual(['delta']);
  });

  it('validates the productId taken from the URL', () => {
    expect(fieldsOf(validateAdjustStock('', { delta: 1 }))).toEqual(['productId']);
    expect(fieldsOf(validateAdjustStock('a/b', { delta: 1 }))).toEqual(['productId']);
  });

  it('refuses a blank, null or over-long reason', () => {
    expect(fieldsOf(validateAdjustStock('p', { delta: 1, reason: ' ' }))).toEqual(['reason']);
    expect(fieldsOf(validateAdjustStock('p', { delta: 1, reason: null }))).toEqual(['reason']);
    expect(fieldsOf(validateAdjustStock('p', { delta: 1, reason: 'r'.repeat(LIMITS.reasonLengthMax + 1) }))).toEqual([
      'reason',
    ]);
  });

  it('refuses a body that is not an object', () => {
    expect(fieldsOf(validateAdjustStock('p', [1]))).toEqual(['(body)']);
    expect(fieldsOf(validateAdjustStock('p', null))).toEqual(['(body)']);
  });
});

describe('validateAddProduct', () => {
  it('turns a decimal price into integer cents', () => {
    expect(validateAddProduct({ productId: 'prod_abc', name: 'Gadget Pro', price: 19.99 })).toEqual({
      ok: true,
      value: { type: 'AddProduct', productId: 'prod_abc', name: 'Gadget Pro', priceCents: 1999 },
    });
  });

  it('accepts a free product and the maximum price', () => {
    const priceOf = (price: number) => {
      const r = validateAddProduct({ productId: 'p', name: 'n', price });
      return r.ok ? r.value.priceCents : undefined;
    };
    expect(priceOf(0)).toBe(0);
    expect(priceOf(LIMITS.priceCentsMax / 100)).toBe(LIMITS.priceCentsMax);
  });

  it.each([
    ['a fraction of a cent', 0.001],
    ['negative', -1],
    ['above the maximum', LIMITS.priceCentsMax / 100 + 0.01],
    ['a string', '19.99'],
    ['missing', undefined],
  ])('refuses a price that is %s', (_label, price) => {
    expect(errorsOf(validateAddProduct({ productId: 'p', name: 'n', price }))).toEqual([
      { field: 'price', message: 'must be a non-negative amount with at most 2 decimals, e.g. 19.99' },
    ]);
  });

  it('reports productId, name and price together', () => {
    expect(fieldsOf(validateAddProduct({ productId: 'p q', name: '', price: -5 }))).toEqual([
      'productId',
      'name',
      'price',
    ]);
  });

  it('bounds the name length', () => {
    expect(validateAddProduct({ productId: 'p', name: 'n'.repeat(LIMITS.nameLengthMax), price: 1 }).ok).toBe(true);
    expect(
      fieldsOf(validateAddProduct({ productId: 'p', name: 'n'.repeat(LIMITS.nameLengthMax + 1), price: 1 })),
    ).toEqual(['name']);
  });
});

describe('validateProductChange', () => {
  it('turns a name into a RenameProduct', () => {
    expect(validateProductChange('prod_abc', { name: 'Gadget Pro 2' })).toEqual({
      ok: true,
      value: [{ type: 'RenameProduct', productId: 'prod_abc', name: 'Gadget Pro 2' }],
    });
  });

  it('turns a price into a RepriceProduct in cents', () => {
    expect(validateProductChange('prod_abc', { price: 24.5 })).toEqual({
      ok: true,
      value: [{ type: 'RepriceProduct', productId: 'prod_abc', priceCents: 2450 }],
    });
  });

  it('turns both into two commands, rename first', () => {
    const r = validateProductChange('prod_abc', { name: 'X', price: 1 });
    expect(r.ok && r.value.map((c) => c.type)).toEqual(['RenameProduct', 'RepriceProduct']);
  });

  it('refuses a body with neither', () => {
    expect(errorsOf(validateProductChange('prod_abc', { colour: 'red' }))).toEqual([
      { field: '(body)', message: 'give a name, a price, or both' },
    ]);
  });

  it('reports a bad name and a bad price together', () => {
    expect(fieldsOf(validateProductChange('prod_abc', { name: null, price: 0.001 }))).toEqual(['name', 'price']);
  });

  it('refuses a body that is not an object', () => {
    expect(fieldsOf(validateProductChange('prod_abc', 'rename'))).toEqual(['(body)']);
  });
});

describe('validateInventoryCommand (commands carried between processes, in their own shape)', () => {
  it('passes each well-formed command through unchanged', () => {
    const commands = [
      { type: 'AddProduct', productId: 'p_1', name: 'Lamp', priceCents: 1999 },
      { type: 'RenameProduct', productId: 'p_1', name: 'Desk lamp' },
      { type: 'RepriceProduct', productId: 'p_1', priceCents: 0 },
      { type: 'AdjustStock', productId: 'p_1', delta: -3, reason: 'broken' },
    ];
    for (const c of commands) expect(validateInventoryCommand(c)).toEqual({ ok: true, value: c });
  });

  it('names every bad field, and an unknown type', () => {
    expect(
      fieldsOf(validateInventoryCommand({ type: 'AddProduct', productId: 'p 1', name: '', priceCents: 1.5 })),
    ).toEqual(['productId', 'name', 'priceCents']);
    expect(fieldsOf(validateInventoryCommand({ type: 'AdjustStock', productId: 'p_1', delta: 0 }))).toEqual(['delta']);
    expect(fieldsOf(validateInventoryCommand({ type: 'DropTable', productId: 'p_1' }))).toEqual(['type']);
    expect(fieldsOf(validateInventoryCommand([]))).toEqual(['(body)']);
  });
});
