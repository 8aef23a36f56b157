import type { ProjectionView } from '../projectionView.js';

/** The Products read model: product details for display (and for the summary projection's name look-ups). */
export const productsView: ProjectionView = {
  name: 'products',
  tables: ['products'],
  tableDdl: (t) => [
    `CREATE TABLE "${t('products')}" (product_id TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL)`,
  ],
  indexDdl: () => [],
  bind(db, t) {
    const add = db.prepare(
      `INSERT INTO "${t('products')}" (product_id, name, price_cents) VALUES (?, ?, ?)
       ON CONFLICT(product_id) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents`,
    );
    const rename = db.prepare(`UPDATE "${t('products')}" SET name = ? WHERE product_id = ?`);
    const reprice = db.prepare(`UPDATE "${t('products')}" SET price_cents = ? WHERE product_id = ?`);
    return {
      apply({ envelope: { data: e } }) {
        switch (e.type) {
          case 'ProductAdded':
            add.run(e.productId, e.name, e.priceCents);
            return { kind: 'applied' };
          case 'ProductRenamed':
            rename.run(e.name, e.productId);
            return { kind: 'applied' };
          case 'ProductRepriced':
            reprice.run(e.priceCents, e.productId);
            return { kind: 'applied' };
          default:
            return { kind: 'ignored' };
        }
      },
    };
  },
};
