import type { DomainEvent, OrderLine } from './events.js';
import { err, ok, type Result } from './result.js';

// Structural checks for payloads read off the stream. The stream is an input like any other: a producer with a bug
// (or a fault injector) can put anything there, and a projection must park such an event, not crash on it.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): boolean => typeof o[k] === 'string';
const int = (o: Obj, k: string): boolean => Number.isSafeInteger(o[k]);

function missing(o: Obj, strings: readonly string[], ints: readonly string[]): string | undefined {
  for (const k of strings) if (!str(o, k)) return `${k} must be a string`;
  for (const k of ints) if (!int(o, k)) return `${k} must be an integer`;
  return undefined;
}

function checkLines(items: unknown): string | undefined {
  if (!Array.isArray(items) || items.length === 0) return 'items must be a non-empty array';
  for (const [i, line] of (items as unknown[]).entries()) {
    if (!isObj(line)) return `items[${i}] must be an object`;
    const problem = missing(line, ['productId'], ['quantity', 'unitPriceCents']);
    if (problem) return `items[${i}].${problem}`;
    if ((line as unknown as OrderLine).quantity <= 0) return `items[${i}].quantity must be positive`;
  }
  return undefined;
}

export function decodeEventData(data: unknown): Result<DomainEvent, string> {
  if (!isObj(data)) return err('data must be an object');
  const problem = checkData(data);
  return problem === undefined ? ok(data as unknown as DomainEvent) : err(problem);
}

function checkData(d: Obj): string | undefined {
  switch (d.type) {
    case 'OrderPlaced':
      return (
        missing(d, ['orderId', 'customerId', 'orderDate', 'shippingAddress'], ['totalCents']) ?? checkLines(d.items)
      );
    case 'OrderRejected':
      return (
        missing(d, ['orderId', 'customerId', 'reason'], []) ??
        (Array.isArray(d.shortages) ? undefined : 'shortages must be an array')
      );
    case 'StockAdjusted':
      return missing(d, ['adjustmentId', 'productId', 'reason'], ['delta']);
    case 'InventoryUpdated':
      return missing(d, ['productId', 'sourceEventId'], ['availableQuantity']);
    case 'ProductAdded':
      return missing(d, ['productId', 'name'], ['priceCents']);
    case 'ProductRenamed':
      return missing(d, ['productId', 'name'], []);
    case 'ProductRepriced':
      return missing(d, ['productId'], ['priceCents']);
    default:
      return `unknown event type ${JSON.stringify(d.type)}`;
  }
}
