import { describe, expect, it } from 'vitest';
import { decideAdjustStock, decideCatalog, type CatalogEntry } from '../../src/domain/catalog.js';
import type { AdjustStock, CatalogCommand } from '../../src/domain/commands.js';
import { SCHEMA_VERSION } from '../../src/domain/envelope.js';
import { decider } from '../helpers/decider.js';
import { NOW } from './fixtures.js';

const gadget: CatalogEntry = { name: 'Gadget Pro', priceCents: 4999 };

/** given(the catalogue entry, if any).when(a command).then(the events) */
const { given } = decider(
  (current: CatalogEntry | undefined, cmd: CatalogCommand, meta) => decideCatalog(cmd, current, meta),
  'cmd_cat_1',
);

const envelopeFields = { eventId: 'evt_1', schemaVersion: SCHEMA_VERSION, occurredAt: NOW, causationId: 'cmd_cat_1' };

describe('decideCatalog', () => {
  it('adds a new product', () => {
    given(undefined)
      .when({ type: 'AddProduct', productId: 'prod_abc', name: 'Gadget Pro', priceCents: 4999 })
      .then([
        {
          ...envelopeFields,
          type: 'ProductAdded',
          data: { type: 'ProductAdded', productId: 'prod_abc', name: 'Gadget Pro', priceCents: 4999 },
        },
      ]);
  });

  it('refuses to add a product that exists, as a conflict, without taking an id', () => {
    const { idsIssued } = given(gadget)
      .when({ type: 'AddProduct', productId: 'prod_abc', name: 'Other', priceCents: 1 })
      .thenRefused({ kind: 'conflict', message: 'product prod_abc already exists' });
    expect(idsIssued).toBe(0);
  });

  it('renames a known product', () => {
    given(gadget)
      .when({ type: 'RenameProduct', productId: 'prod_abc', name: 'Gadget Pro 2' })
      .then([
        {
          ...envelopeFields,
          type: 'ProductRenamed',
          data: { type: 'ProductRenamed', productId: 'prod_abc', name: 'Gadget Pro 2' },
        },
      ]);
  });

  it('reprices a known product', () => {
    given(gadget)
      .when({ type: 'RepriceProduct', productId: 'prod_abc', priceCents: 3999 })
      .then([
        {
          ...envelopeFields,
          type: 'ProductRepriced',
          data: { type: 'ProductRepriced', productId: 'prod_abc', priceCents: 3999 },
        },
      ]);
  });

  it.each<CatalogCommand>([
    { type: 'RenameProduct', productId: 'prod_none', name: 'X' },
    { type: 'RepriceProduct', productId: 'prod_none', priceCents: 1 },
  ])('refuses $type of an unknown product as not-found', (cmd) => {
    const { idsIssued } = given(undefined)
      .when(cmd)
      .thenRefused({ kind: 'not-found', message: 'unknown product prod_none' });
    expect(idsIssued).toBe(0);
  });

  it.each<CatalogCommand>([
    { type: 'RenameProduct', productId: 'prod_abc', name: 'Gadget Pro' },
    { type: 'RepriceProduct', productId: 'prod_abc', priceCents: 4999 },
  ])('emits nothing for $type to the value it already has', (cmd) => {
    const { idsIssued } = given(gadget).when(cmd).then([]);
    expect(idsIssued).toBe(0);
  });

  it('treats a rename differing only in case as a change', () => {
    const { result } = given(gadget).when({ type: 'RenameProduct', productId: 'prod_abc', name: 'gadget pro' });
    expect(result.ok && result.value).toHaveLength(1);
  });
});

const adjust = (delta: number): AdjustStock => ({
  type: 'AdjustStock',
  productId: 'prod_abc',
  delta,
  reason: 'cycle count',
});

/** given(whether the product is known, and what is on hand).when(an adjustment).then(the event) */
const stock = decider(
  (s: { known: boolean; onHand: number }, cmd: AdjustStock, meta) => decideAdjustStock(cmd, s.known, s.onHand, meta),
  'cmd_adj_7',
);
const onHand = (units: number) => stock.given({ known: true, onHand: units });

describe('decideAdjustStock', () => {
  it('records an adjustment, using the command id as the adjustment id', () => {
    onHand(10)
      .when(adjust(-3))
      .then({
        eventId: 'evt_1',
        type: 'StockAdjusted',
        schemaVersion: SCHEMA_VERSION,
        occurredAt: NOW,
        causationId: 'cmd_adj_7',
        data: {
          type: 'StockAdjusted',
          adjustmentId: 'cmd_adj_7',
          productId: 'prod_abc',
          delta: -3,
          reason: 'cycle count',
        },
      });
  });

  it('refuses an unknown product as not-found', () => {
    stock
      .given({ known: false, onHand: 0 })
      .when(adjust(5))
      .thenRefused({ kind: 'not-found', message: 'unknown product prod_abc' });
  });

  it('allows taking stock to exactly zero', () => {
    expect(onHand(10).when(adjust(-10)).result.ok).toBe(true);
  });

  it('refuses taking stock below zero as a conflict naming what is on hand', () => {
    const { idsIssued } = onHand(10)
      .when(adjust(-11))
      .thenRefused({ kind: 'conflict', message: 'adjustment -11 would take prod_abc below zero (on hand: 10)' });
    expect(idsIssued).toBe(0);
  });

  it('accepts a restock after an oversell left the stock negative, even when it stays negative', () => {
    const { result } = onHand(-5).when(adjust(2));
    expect(result.ok && result.value.data.delta).toBe(2);
  });

  it('refuses a further removal while the stock is negative', () => {
    const { result } = onHand(-5).when(adjust(-1));
    expect(!result.ok && result.error.kind).toBe('conflict');
  });
});
