import type { SystemPort } from './systemPort.js';

/** The catalogue `up` starts with: the article's two products (so its examples work verbatim) and a few more. */
export const SEED_CATALOG = [
  { productId: 'prod_abc', name: 'Gadget Pro', priceCents: 6250, stock: 50 },
  { productId: 'prod_xyz', name: 'Widget Mini', priceCents: 2575, stock: 100 },
  { productId: 'prod_def', name: 'Doohickey Max', priceCents: 1999, stock: 25 },
  { productId: 'prod_ghi', name: 'Thingamajig', priceCents: 499, stock: 200 },
] as const;

/**
 * Adds each seed product that does not exist yet, with its opening stock. Idempotent: on a restart with the same
 * data directory the products exist and nothing is added or adjusted again (a product added but never stocked, by
 * a start killed in between, gets its opening stock then).
 */
export async function seedCatalog(
  everAdjusted: (productId: string) => boolean,
  port: Pick<SystemPort, 'inventoryCommand'>,
): Promise<number> {
  let added = 0;
  for (const p of SEED_CATALOG) {
    const outcome = await port.inventoryCommand({
      type: 'AddProduct',
      productId: p.productId,
      name: p.name,
      priceCents: p.priceCents,
    });
    // Exists already: a restart. Stock it only if a previous start died between adding it and stocking it.
    if (outcome.kind === 'conflict' && everAdjusted(p.productId)) continue;
    if (outcome.kind !== 'done' && outcome.kind !== 'conflict')
      throw new Error(`seeding ${p.productId}: ${outcome.message}`);
    const stocked = await port.inventoryCommand({
      type: 'AdjustStock',
      productId: p.productId,
      delta: p.stock,
      reason: 'opening stock',
    });
    if (stocked.kind !== 'done') throw new Error(`stocking ${p.productId}: ${stocked.kind}`);
    if (outcome.kind === 'done') added++;
  }
  return added;
}
