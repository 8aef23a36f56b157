import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeEnvelope, envelop } from '../../src/domain/envelope.js';
import type { DomainEvent } from '../../src/domain/events.js';
import { ProjectionStore } from '../../src/store/projectionStore.js';
import { openDatabase, type Db } from '../../src/store/sqlite.js';
import { productLookupFrom } from '../../src/store/views/productLookup.js';
import { productsView } from '../../src/store/views/productsView.js';

// The summary's look-up of Products caches between Products commits; it must never answer from before one.

let n = 0;
const event = (seq: number, data: DomainEvent) => {
  const envelope = envelop(data, { eventId: `evt_${++n}`, occurredAt: '2026-01-01T00:00:00.000Z', causationId: 'cmd' });
  return { seq, subject: 's', data: encodeEnvelope(envelope), msgId: envelope.eventId };
};
/** The look-up checks for Products commits once per synchronous turn; the consumers always await between batches. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const products = (db: Db) =>
  new ProjectionStore(db, productsView, { maxDeliveries: 3, now: () => '2026-01-01T00:00:00.000Z' });

describe('productLookupFrom', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const cases: [string, () => { writer: Db; reader: Db }][] = [
    [
      'its own read-only connection to the file',
      () => {
        const dir = mkdtempSync(join(tmpdir(), 'lookup-'));
        dirs.push(dir);
        const writer = openDatabase(join(dir, 'products.db'));
        products(writer); // creates the tables before the reader opens
        return { writer, reader: openDatabase(join(dir, 'products.db'), { readonly: true }) };
      },
    ],
    [
      "the writer's own connection (in memory, as in the simulation)",
      () => {
        const writer = openDatabase(':memory:');
        return { writer, reader: writer };
      },
    ],
  ];

  it.each(cases)('sees every Products commit from the next turn on, through %s', async (_name, open) => {
    const { writer, reader } = open();
    const store = products(writer);
    const lookup = productLookupFrom(reader);
    expect(lookup.snapshot(['p1'])).toEqual({ checkpoint: 0, names: new Map() });
    store.applyBatch([event(1, { type: 'ProductAdded', productId: 'p1', name: 'One', priceCents: 100 })]);
    await nextTurn();
    expect(lookup.snapshot(['p1', 'p2'])).toEqual({ checkpoint: 1, names: new Map([['p1', 'One']]) });
    // A cache hit (nothing committed since) answers the same.
    expect(lookup.snapshot(['p1', 'p2'])).toEqual({ checkpoint: 1, names: new Map([['p1', 'One']]) });
    store.applyBatch([
      event(2, { type: 'ProductRenamed', productId: 'p1', name: 'Uno' }),
      event(3, { type: 'ProductAdded', productId: 'p2', name: 'Two', priceCents: 100 }),
    ]);
    await nextTurn();
    expect(lookup.snapshot(['p2', 'p1'])).toEqual({
      checkpoint: 3,
      names: new Map([
        ['p2', 'Two'],
        ['p1', 'Uno'],
      ]),
    });
    // A product first asked for after the cache was filled is read from the same state.
    store.applyBatch([event(4, { type: 'ProductAdded', productId: 'p3', name: 'Three', priceCents: 100 })]);
    await nextTurn();
    expect(lookup.snapshot(['p1'])).toEqual({ checkpoint: 4, names: new Map([['p1', 'Uno']]) });
    expect(lookup.snapshot(['p3'])).toEqual({ checkpoint: 4, names: new Map([['p3', 'Three']]) });
  });

  it.each(cases)('within one turn answers from one consistent state, through %s', async (_name, open) => {
    const { writer, reader } = open();
    const store = products(writer);
    const lookup = productLookupFrom(reader);
    store.applyBatch([event(1, { type: 'ProductAdded', productId: 'p1', name: 'One', priceCents: 100 })]);
    await nextTurn();
    expect(lookup.snapshot(['p1'])).toEqual({ checkpoint: 1, names: new Map([['p1', 'One']]) });
    store.applyBatch([event(2, { type: 'ProductRenamed', productId: 'p1', name: 'Uno' })]);
    // Same turn: the state before the rename, name and checkpoint together (never the new name with checkpoint 1).
    expect(lookup.snapshot(['p1'])).toEqual({ checkpoint: 1, names: new Map([['p1', 'One']]) });
    await nextTurn();
    expect(lookup.snapshot(['p1'])).toEqual({ checkpoint: 2, names: new Map([['p1', 'Uno']]) });
  });

  it.each(cases)(
    'a commit landing inside a turn (Products in another process) never yields a known name without it, through %s',
    async (_name, open) => {
      const { writer, reader } = open();
      const store = products(writer);
      const lookup = productLookupFrom(reader);
      store.applyBatch([event(1, { type: 'ProductAdded', productId: 'p1', name: 'One', priceCents: 100 })]);
      await nextTurn();
      expect(lookup.snapshot(['p1'])).toEqual({ checkpoint: 1, names: new Map([['p1', 'One']]) });
      // Same turn, a commit from elsewhere; then a product not cached yet is asked for beside the cached one.
      store.applyBatch([event(2, { type: 'ProductAdded', productId: 'p2', name: 'Two', priceCents: 100 })]);
      expect(lookup.snapshot(['p1', 'p2'])).toEqual({
        checkpoint: 2,
        names: new Map([
          ['p1', 'One'],
          ['p2', 'Two'],
        ]),
      });
    },
  );
});
