import type { AdjustStock, CatalogCommand, CommandMeta } from './commands.js';
import { envelop, type EventEnvelope } from './envelope.js';
import type { ProductAdded, ProductRenamed, ProductRepriced, StockAdjusted } from './events.js';
import { err, ok, type Result } from './result.js';

export interface CatalogEntry {
  readonly name: string;
  readonly priceCents: number;
}

export type CommandRefusal =
  { readonly kind: 'not-found'; readonly message: string } | { readonly kind: 'conflict'; readonly message: string };

type CatalogEvent = ProductAdded | ProductRenamed | ProductRepriced;

/** Decides a catalogue command against the inventory service's catalogue. A change to the same value emits nothing. */
export function decideCatalog(
  cmd: CatalogCommand,
  current: CatalogEntry | undefined,
  meta: CommandMeta,
): Result<EventEnvelope<CatalogEvent>[], CommandRefusal> {
  const envMeta = () => ({ eventId: meta.newId(), occurredAt: meta.now, causationId: meta.commandId });
  switch (cmd.type) {
    case 'AddProduct':
      if (current) return err({ kind: 'conflict', message: `product ${cmd.productId} already exists` });
      return ok([
        envelop<ProductAdded>(
          { type: 'ProductAdded', productId: cmd.productId, name: cmd.name, priceCents: cmd.priceCents },
          envMeta(),
        ),
      ]);
    case 'RenameProduct':
      if (!current) return err({ kind: 'not-found', message: `unknown product ${cmd.productId}` });
      if (current.name === cmd.name) return ok([]);
      return ok([
        envelop<ProductRenamed>({ type: 'ProductRenamed', productId: cmd.productId, name: cmd.name }, envMeta()),
      ]);
    case 'RepriceProduct':
      if (!current) return err({ kind: 'not-found', message: `unknown product ${cmd.productId}` });
      if (current.priceCents === cmd.priceCents) return ok([]);
      return ok([
        envelop<ProductRepriced>(
          { type: 'ProductRepriced', productId: cmd.productId, priceCents: cmd.priceCents },
          envMeta(),
        ),
      ]);
    default: {
      const never: never = cmd;
      throw new Error(`unknown catalog command ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Decides a stock adjustment. `onHand` is the quantity the inventory service knows synchronously; an adjustment
 * may not take it below zero (an operator cannot remove stock that is not there).
 */
export function decideAdjustStock(
  cmd: AdjustStock,
  known: boolean,
  onHand: number,
  meta: CommandMeta,
): Result<EventEnvelope<StockAdjusted>, CommandRefusal> {
  if (!known) return err({ kind: 'not-found', message: `unknown product ${cmd.productId}` });
  // Only a removal can be refused: after an oversell onHand may already be negative, and a restock must still land.
  if (cmd.delta < 0 && onHand + cmd.delta < 0) {
    return err({
      kind: 'conflict',
      message: `adjustment ${cmd.delta} would take ${cmd.productId} below zero (on hand: ${onHand})`,
    });
  }
  const data: StockAdjusted = {
    type: 'StockAdjusted',
    adjustmentId: meta.commandId,
    productId: cmd.productId,
    delta: cmd.delta,
    reason: cmd.reason,
  };
  return ok(envelop(data, { eventId: meta.newId(), occurredAt: meta.now, causationId: meta.commandId }));
}
