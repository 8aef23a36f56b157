import { describe, expect, it } from 'vitest';
import { decideAdjustStock, decideCatalog, type CatalogEntry } from '../../src/domain/catalog.js';
import type { AdjustStock, CatalogCommand } from '../../src/domain/commands.js';
import { SCHEMA_VERSION } from '../../src/domain/envelope.js';
import { NOW, counterMeta } from './fixtures.js';

const gadget: CatalogEntry = { name: 'Gadget Pro', priceCents: 4999 };

/** given(the catalogue entry, if any).when(a command) → the decision, plus how many ids it took. */
function given(current: CatalogEntry | undefined) {
  return {
    when(cmd: CatalogCommand) {
      const meta = counterMeta('cmd_cat_1');
      return { result: decideCatalog(cmd, current, meta), idsIssued: meta.issued() };
    },
  };
}

const envelopeFields = { eventId: 'evt_1', schemaVersion: SCHEMA_VERSION, occurredAt: NOW, causationId: 'cmd_cat_1' };

describe('decideCatalog', () => {
  it('adds a new product', () => {
    const { result } = given(undefined).when({ type: 'AddProduct', productId: 'prod_abc', name: 'Gadget Pro', priceCents: 4999 });
    expect(result).toEqual({
      ok: true,
      value: [
        {
          ...envelopeFields,
          type: 'ProductAdded',
          data: { type: 'ProductAdded', productId: 'prod_abc', name: 'Gadget Pro', priceCents: 4999 },
        },
      ],
    });
  });

  it('refuses to add a product that exists, as a conflict, without taking an id', () => {
    const { result, idsIssued } = given(gadget).when({ type: 'AddProduct', productId: 'prod_abc', name: 'Other', priceCents: 1 });
    expect(result).toEqual({ ok: false, error: { kind: 'conflict', message: 'product prod_abc already exists' } });
    expect(idsIssued).toBe(0);
  });

  it('renames a known product', () => {
    const { result } = given(gadget).when({ type: 'RenameProduct', productId: 'prod_abc', name: 'Gadget Pro 2' });
    expect(result).toEqual({
      ok: true,
      value: [{ ...envelopeFields, type: 'ProductRenamed', data: { type: 'ProductRenamed', productId: 'prod_abc', name: 'Gadget Pro 2' } }],
    });
  });

  it('reprices a known product', () => {
    const { result } = given(gadget).when({ type: 'RepriceProduct', productId: 'prod_abc', priceCents: 3999 });
    expect(result).toEqual({
      ok: true,
      value: [{ ...envelopeFields, type: 'ProductRepriced', data: { type: 'ProductRepriced', productId: 'prod_abc', priceCents: 3999 } }],
    });
  });

  it.each<CatalogCommand>([
    { type: 'RenameProduct', productId: 'prod_none', name: 'X' },
    { type: 'RepriceProduct', productId: 'prod_none', priceCents: 1 },
  ])('refuses $type of an unknown product as not-found', (cmd) => {
    const { result, idsIssued } = given(undefined).when(cmd);
    expect(result).toEqual({ ok: false, error: { kind: 'not-found', message: 'unknown product prod_none' } });
    expect(idsIssued).toBe(0);
  });

  it.each<CatalogCommand>([
    { type: 'RenameProduct', productId: 'prod_abc', name: 'Gadget Pro' },
    { type: 'RepriceProduct', productId: 'prod_abc', priceCents: 4999 },
  ])('emits nothing for $type to the value it already has', (cmd) => {
    const { result, idsIssued } = given(gadget).when(cmd);
    expect(result).toEqual({ ok: true, value: [] });
    expect(idsIssued).toBe(0);
  });

  it('treats a rename differing only in case as a change', () => {
    const { result } = given(gadget).when({ type: 'RenameProduct', productId: 'prod_abc', name: 'gadget pro' });
    expect(result.ok && result.value).toHaveLength(1);
  });
});

const adjust = (delta: number): AdjustStock => ({ type: 'AdjustStock', productId: 'prod_abc', delta, reason: 'cycle count' });

describe('decideAdjustStock', () => {
  it('records an adjustment, using the command id as the adjustment id', () => {
    const meta = counterMeta('cmd_adj_7');
    expect(decideAdjustStock(adjust(-3), true, 10, meta)).toEqual({
      ok: true,
      value: {
        eventId: 'evt_1',
        type: 'StockAdjusted',
        schemaVersion: SCHEMA_VERSION,
        occurredAt: NOW,
        causationId: 'cmd_adj_7',
        data: { type: 'StockAdjusted', adjustmentId: 'cmd_adj_7', productId: 'prod_abc', delta: -3, reason: 'cycle count' },
      },
    });
  });

  it('refuses an unknown product as not-found', () => {
    expect(decideAdjustStock(adjust(5), false, 0, counterMeta())).toEqual({
      ok: false,
      error: { kind: 'not-found', message: 'unknown product prod_abc' },
    });
  });

  it('allows taking stock to exactly zero', () => {
    expect(decideAdjustStock(adjust(-10), true, 10, counterMeta()).ok).toBe(true);
  });

  it('refuses taking stock below zero as a conflict naming what is on hand', () => {
    const meta = counterMeta();
    expect(decideAdjustStock(adjust(-11), true, 10, meta)).toEqual({
      ok: false,
      error: { kind: 'conflict', message: 'adjustment -11 would take prod_abc below zero (on hand: 10)' },
    });
    expect(meta.issued()).toBe(0);
  });

  it('accepts a restock after an oversell left the stock negative, even when it stays negative', () => {
    const r = decideAdjustStock(adjust(2), true, -5, counterMeta());
    expect(r.ok && r.value.data.delta).toBe(2);
  });

  it('refuses a further removal while the stock is negative', () => {
    const r = decideAdjustStock(adjust(-1), true, -5, counterMeta());
    expect(!r.ok && r.error.kind).toBe('conflict');
  });
});
