import { TransportError } from '../../src/transport/port.js';
import { eventually } from './eventually.js';
import type { TestSystem } from './systemHarness.js';

/**
 * Like `settled`, but race-free: `settled` checks the outbox backlogs before reading the stream and the checkpoints,
 * so ProductInventory can apply the last OrderPlaced in between and leave a fresh InventoryUpdated unpublished; the
 * stream then grows after `settled` returned. Here the stream's end is read twice around the other checks: if it did
 * not move, every event up to it is applied (so the outbox rows it caused are written), and no outbox row is pending.
 * A broker that is still reconnecting (after a restart) means "not yet", not a failure.
 */
export async function quiesced(t: TestSystem, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => {
    try {
      const { lastSeq } = await t.transport.streamInfo();
      if (!Object.values(t.system.readModels).every((m) => m.store.checkpoint() >= lastSeq)) return false;
      if (t.system.orderStore.outbox.backlog() > 0 || t.system.inventoryStore.outbox.backlog() > 0) return false;
      return (await t.transport.streamInfo()).lastSeq === lastSeq;
    } catch (error) {
      if (error instanceof TransportError && error.kind === 'unavailable') return false;
      throw error;
    }
  }, { what: 'stream end stable, read models at it, outboxes empty', timeoutMs });
}
