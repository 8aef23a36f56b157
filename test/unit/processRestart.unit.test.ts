import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProjectionPlugin, reloadedPlugin } from '../../src/plugins/loadProjectionPlugin.js';
import type { SelfManagedPlugin } from '../../src/plugins/projectionPlugin.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { killableConnection } from '../../src/transport/killableConnection.js';
import type { Delivery, DurableConsumer, Transport } from '../../src/transport/port.js';

// What a processRestart throws away: the process's broker connection (nothing it does after death gets through) and
// its plug-in module (a fresh instance, module state and all).

describe('killableConnection', () => {
  function fakeTransport(sent: string[]): Transport {
    const delivery = (seq: number): Delivery => ({
      seq,
      subject: 's',
      data: new Uint8Array(),
      timestampMs: 0,
      msgId: undefined,
      deliveryCount: 1,
      ack: () => void sent.push(`ack ${seq}`),
      nak: () => void sent.push(`nak ${seq}`),
      term: () => void sent.push(`term ${seq}`),
      working: () => void sent.push(`working ${seq}`),
    });
    const consumer: DurableConsumer = {
      fetch: () => Promise.resolve([delivery(1), delivery(2)]),
      info: () => Promise.resolve({ pending: 0, ackPending: 0, redelivered: 0, ackFloorSeq: 0 }),
    };
    return {
      durableConsumer: () => Promise.resolve(consumer),
      readRange: () => Promise.resolve([]),
      streamInfo: () => Promise.resolve({ firstSeq: 1, lastSeq: 0, messages: 0, lastTimestampMs: 0 }),
    } as unknown as Transport;
  }

  it('passes everything through while alive; after kill() no ack, nak, term or working reaches the broker, and nothing new starts', async () => {
    const sent: string[] = [];
    const connection = killableConnection(fakeTransport(sent));
    const consumer = await connection.transport.durableConsumer({
      durable: 'd',
      filterSubject: 's',
      ackWaitMs: 1,
      maxAckPending: 1,
    });
    const [first, second] = await consumer.fetch(2, 0);
    first?.ack();
    connection.kill();
    second?.ack();
    second?.nak(5);
    second?.term();
    second?.working();
    expect(sent).toEqual(['ack 1']);
    await expect(consumer.fetch(1, 0)).rejects.toThrow(/the process is dead/);
    await expect(connection.transport.readRange(1, 10)).rejects.toThrow(/the process is dead/);
    await expect(
      connection.transport.durableConsumer({ durable: 'd', filterSubject: 's', ackWaitMs: 1, maxAckPending: 1 }),
    ).rejects.toThrow(/the process is dead/);
  });
});

describe('reloadedPlugin', () => {
  it('loads a fresh instance of a plug-in module: what the old one kept in memory is gone', async () => {
    const file = join(import.meta.dirname, '..', 'fixtures', 'projections', 'inMemoryDedupeInventory.ts');
    const { plugin } = await loadProjectionPlugin(`product-inventory=${file}`);
    const first = plugin as SelfManagedPlugin<'product-inventory'>;
    const db = openDatabase(':memory:');
    first.setup(db);
    const event = {
      seq: 1,
      envelope: {
        eventId: 'e1',
        type: 'StockAdjusted',
        schemaVersion: 1,
        occurredAt: 'now',
        causationId: 'c',
        data: { type: 'StockAdjusted', adjustmentId: 'a', productId: 'p', delta: 5, reason: 'in' },
      },
    } as never;
    const delivery = { streamSeq: 1, deliveryCount: 1, eventId: 'e1', source: 'live' } as const;
    const ctx = { products: { snapshot: () => ({ checkpoint: 0, names: new Map() }) }, crashPoint: () => undefined };
    expect(first.handle(db, event, delivery, ctx)).toEqual({ kind: 'applied' });
    expect(first.handle(db, event, { ...delivery, deliveryCount: 2 }, ctx)).toEqual({ kind: 'ignored' }); // remembered in memory
    const fresh = (await reloadedPlugin(plugin)) as SelfManagedPlugin<'product-inventory'>;
    expect(fresh).not.toBe(plugin);
    expect(fresh.handle(db, event, { ...delivery, deliveryCount: 3 }, ctx)).toEqual({ kind: 'applied' }); // the new process forgot
    expect(first.readState(db).get('p')).toBe(10);
    const built = { ...plugin };
    expect(await reloadedPlugin(built)).toBe(built); // not loaded from a file: nothing to reload
  });
});
