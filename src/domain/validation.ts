import type {
  AddProduct,
  AdjustStock,
  CatalogCommand,
  OrderItemRequest,
  PlaceOrder,
  RenameProduct,
  RepriceProduct,
} from './commands.js';
import { ID_PATTERN, LIMITS } from './limits.js';
import { amountToCents } from './money.js';
import { err, ok, type FieldError, type Result } from './result.js';

type Obj = Record<string, unknown>;
type Validated<T> = Result<T, readonly FieldError[]>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// Checked directly with isObj at each entry point: a FieldError is itself an object, so returning one in place of
// the body (as an earlier `requireObject` did) made every non-object body pass the guard.
const NOT_AN_OBJECT: FieldError = { field: '(body)', message: 'must be a JSON object' };

/**
 * What is wrong with `v` as an id, or undefined if nothing is. The message names the first character refused: "only
 * letters" alone read as a lie to someone whose id was `josé` (a letter, but not an ASCII one).
 */
export function idProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return 'is required and must be a non-empty string';
  if (v.length > LIMITS.idLengthMax) return `must be at most ${LIMITS.idLengthMax} characters`;
  if (ID_PATTERN.test(v)) return undefined;
  const bad = [...v].find((c) => !ID_PATTERN.test(c)) ?? '';
  return `may contain only ASCII letters and digits (A-Z, a-z, 0-9) and "_", "-", ".", ":"; found ${JSON.stringify(bad)}`;
}

function checkId(o: Obj, key: string, field: string, errors: FieldError[]): string {
  const v = o[key];
  const problem = idProblem(v);
  if (problem !== undefined) errors.push({ field, message: problem });
  return typeof v === 'string' ? v : '';
}

function checkText(o: Obj, key: string, maxLength: number, errors: FieldError[]): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim().length === 0)
    errors.push({ field: key, message: 'is required and must be a non-empty string' });
  else if (v.length > maxLength) errors.push({ field: key, message: `must be at most ${maxLength} characters` });
  return typeof v === 'string' ? v : '';
}

function checkInt(v: unknown, field: string, min: number, max: number, errors: FieldError[]): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) errors.push({ field, message: 'must be an integer' });
  else if (v < min || v > max) errors.push({ field, message: `must be between ${min} and ${max}` });
  return typeof v === 'number' ? v : 0;
}

function checkPrice(o: Obj, errors: FieldError[]): number {
  const v = o.price;
  const cents = typeof v === 'number' ? amountToCents(v) : undefined;
  if (cents === undefined || cents > LIMITS.priceCentsMax) {
    errors.push({ field: 'price', message: 'must be a non-negative amount with at most 2 decimals, e.g. 19.99' });
  }
  return cents ?? 0;
}

function checkItems(o: Obj, errors: FieldError[]): OrderItemRequest[] {
  const items = o.items;
  if (!Array.isArray(items) || items.length === 0) {
    errors.push({ field: 'items', message: 'is required and must be a non-empty array' });
    return [];
  }
  if (items.length > LIMITS.orderLinesMax) {
    errors.push({ field: 'items', message: `must have at most ${LIMITS.orderLinesMax} lines` });
    return [];
  }
  // A product may appear on several lines (the article's OrderItems table has no uniqueness either): stock is
  // judged on the total per product, and every read model keeps the lines as they are.
  return (items as unknown[]).map((item, i) => {
    if (!isObj(item)) {
      errors.push({ field: `items[${i}]`, message: 'must be an object with productId and quantity' });
      return { productId: '', quantity: 0 };
    }
    const productId = checkId(item, 'productId', `items[${i}].productId`, errors);
    const quantity = checkInt(item.quantity, `items[${i}].quantity`, 1, LIMITS.quantityMax, errors);
    return { productId, quantity };
  });
}

const done = <T>(errors: readonly FieldError[], value: T): Validated<T> =>
  errors.length > 0 ? err(errors) : ok(value);

/** Validates an HTTP body into a PlaceOrder command; every problem is reported, not just the first. */
export function validatePlaceOrder(input: unknown): Validated<PlaceOrder> {
  if (!isObj(input)) return err([NOT_AN_OBJECT]);
  const o = input;
  const errors: FieldError[] = [];
  const customerId = checkId(o, 'customerId', 'customerId', errors);
  const items = checkItems(o, errors);
  const shippingAddress = checkText(o, 'shippingAddress', LIMITS.addressLengthMax, errors);
  return done(errors, { type: 'PlaceOrder', customerId, items, shippingAddress });
}

export function validateAdjustStock(productId: string, input: unknown): Validated<AdjustStock> {
  if (!isObj(input)) return err([NOT_AN_OBJECT]);
  const o = input;
  const errors: FieldError[] = [];
  checkId({ productId }, 'productId', 'productId', errors);
  const errorsBeforeDelta = errors.length;
  const delta = checkInt(o.delta, 'delta', -LIMITS.stockDeltaAbsMax, LIMITS.stockDeltaAbsMax, errors);
  // Zero is only worth reporting when delta is otherwise a valid integer, but a bad productId must not hide it.
  if (delta === 0 && errors.length === errorsBeforeDelta) errors.push({ field: 'delta', message: 'must not be zero' });
  const reason = o.reason === undefined ? 'manual adjustment' : checkText(o, 'reason', LIMITS.reasonLengthMax, errors);
  return done(errors, { type: 'AdjustStock', productId, delta, reason });
}

export function validateAddProduct(input: unknown): Validated<AddProduct> {
  if (!isObj(input)) return err([NOT_AN_OBJECT]);
  const o = input;
  const errors: FieldError[] = [];
  const productId = checkId(o, 'productId', 'productId', errors);
  const name = checkText(o, 'name', LIMITS.nameLengthMax, errors);
  const priceCents = checkPrice(o, errors);
  return done(errors, { type: 'AddProduct', productId, name, priceCents });
}

/** PATCH of a product: a new name, a new price, or both (becoming one command each). */
export function validateProductChange(
  productId: string,
  input: unknown,
): Validated<(RenameProduct | RepriceProduct)[]> {
  if (!isObj(input)) return err([NOT_AN_OBJECT]);
  const o = input;
  const errors: FieldError[] = [];
  const commands: (RenameProduct | RepriceProduct)[] = [];
  // The id comes from the URL path; it is checked like every other id (validateAdjustStock does the same).
  checkId({ productId }, 'productId', 'productId', errors);
  if (o.name === undefined && o.price === undefined)
    errors.push({ field: '(body)', message: 'give a name, a price, or both' });
  if (o.name !== undefined)
    commands.push({ type: 'RenameProduct', productId, name: checkText(o, 'name', LIMITS.nameLengthMax, errors) });
  if (o.price !== undefined) commands.push({ type: 'RepriceProduct', productId, priceCents: checkPrice(o, errors) });
  return done(errors, commands);
}

/**
 * A catalogue or stock command as another process sends it over the broker (the port over NATS): in the command's
 * own shape (`priceCents`, not the HTTP body's `price`), every field checked as the HTTP routes check theirs.
 */
export function validateInventoryCommand(input: unknown): Validated<CatalogCommand | AdjustStock> {
  if (!isObj(input)) return err([NOT_AN_OBJECT]);
  const o = input;
  const errors: FieldError[] = [];
  const productId = checkId(o, 'productId', 'productId', errors);
  const cents = () => checkInt(o.priceCents, 'priceCents', 0, LIMITS.priceCentsMax, errors);
  switch (o.type) {
    case 'AddProduct': {
      const name = checkText(o, 'name', LIMITS.nameLengthMax, errors);
      return done(errors, { type: 'AddProduct', productId, name, priceCents: cents() });
    }
    case 'RenameProduct':
      return done(errors, {
        type: 'RenameProduct',
        productId,
        name: checkText(o, 'name', LIMITS.nameLengthMax, errors),
      });
    case 'RepriceProduct':
      return done(errors, { type: 'RepriceProduct', productId, priceCents: cents() });
    case 'AdjustStock':
      return errors.length > 0 ? err(errors) : validateAdjustStock(productId, o);
    default:
      return err([{ field: 'type', message: 'must be AddProduct, RenameProduct, RepriceProduct or AdjustStock' }]);
  }
}
