import { TransportError } from '../../src/transport/port.js';
import { eventually } from './eventually.js';
import type { TestSystem } from './systemHarness.js';

/**
 * Waits until the system is quiet: every outbox drained and every read model at the end of the stream. The stream's
 * end is read twice around the other checks, because checking the outboxes first and the checkpoints after is racy:
 * ProductInventory can apply the last OrderPlaced in between and leave a fresh InventoryUpdated unpublished, so the
 * stream grows after the wait returned (the retired `settled` helper did exactly that). If the end did not move,
 * every event up to it is applied (so the outbox rows it caused are written), and no outbox row is pending.
 * A broker that is still reconnecting (after a restart) means "not yet", not a failure.
 */
export async function quiesced(t: TestSystem, timeoutMs = 15_000): Promise<void> {
  await eventually(
    async () => {
      try {
        const { lastSeq } = await t.transport.streamInfo();
        if (!Object.values(t.system.readModels).every((m) => m.store.checkpoint() >= lastSeq)) return false;
        if (t.system.orderStore.outbox.backlog() > 0 || t.system.inventoryStore.outbox.backlog() > 0) return false;
        return (await t.transport.streamInfo()).lastSeq === lastSeq;
      } catch (error) {
        if (error instanceof TransportError && error.kind === 'unavailable') return false;
        throw error;
      }
    },
    { what: 'stream end stable, read models at it, outboxes empty', timeoutMs },
  );
}
