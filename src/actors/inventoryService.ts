import type { Logger } from 'pino';
import { assign, fromCallback, setup } from 'xstate';
import { decideAdjustStock, decideCatalog, type CommandRefusal } from '../domain/catalog.js';
import type { AdjustStock, CatalogCommand, CommandMeta } from '../domain/commands.js';
import type { EventEnvelope } from '../domain/envelope.js';
import type { InventoryCheckRequest, InventoryMode } from '../domain/inventoryCheck.js';
import type { Result } from '../domain/result.js';
import type { InventoryStore } from '../store/inventoryStore.js';
import type { Transport } from '../transport/port.js';

/** Core NATS subject of the inventory check. Outside `shop.>`, so requests never land in the event stream. */
export const INVENTORY_CHECK_SUBJECT = 'rpc.inventory.check';

export type InventoryCommandOutcome =
  | { readonly kind: 'done'; readonly events: readonly EventEnvelope[] }
  | CommandRefusal
  | { readonly kind: 'unavailable'; readonly message: string };

export interface InventoryServiceInput {
  readonly store: InventoryStore;
  readonly transport: Transport;
  readonly mode: InventoryMode;
  readonly log: Logger;
  /** Called after a command committed events to the outbox, to wake the relay. */
  readonly onCommitted: () => void;
  /** The system clock's time in ms, stamped on reservations (their hold time runs from it). */
  readonly nowMs?: () => number;
}

export type InventoryServiceEvent =
  | {
      readonly type: 'COMMAND';
      readonly command: CatalogCommand | AdjustStock;
      readonly meta: CommandMeta;
      readonly reply: (o: InventoryCommandOutcome) => void;
    }
  | { readonly type: 'STOP' }
  | { readonly type: 'START' };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Answers inventory checks over request/reply for as long as it runs; the store does the (transactional) work. */
const serveChecks = fromCallback<
  InventoryServiceEvent,
  { transport: Transport; store: InventoryStore; mode: InventoryMode; nowMs: () => number }
>(({ input }) => {
  const service = input.transport.serve(INVENTORY_CHECK_SUBJECT, (data) => {
    const request = JSON.parse(decoder.decode(data)) as InventoryCheckRequest;
    // The mode is the inventory service's, not the caller's: `reserve` is a property of the deployment.
    const reply = input.store.check({ ...request, reserve: input.mode === 'reserve' }, input.nowMs());
    return Promise.resolve(encoder.encode(JSON.stringify(reply)));
  });
  return () => void service.stop();
});

function execute(
  store: InventoryStore,
  command: CatalogCommand | AdjustStock,
  meta: CommandMeta,
): Result<EventEnvelope[], CommandRefusal> {
  if (command.type === 'AdjustStock') {
    const known = store.entry(command.productId) !== undefined;
    const decided = decideAdjustStock(command, known, store.ledgerAvailable(command.productId), meta);
    return decided.ok ? { ok: true, value: [decided.value] } : decided;
  }
  return decideCatalog(command, store.entry(command.productId), meta);
}

/**
 * The inventory service: its own command side (catalogue and stock adjustments, each committed with its event in
 * one transaction) and the inventory check the order service calls. Its ProductInventory view is a projection
 * consumer of its own, started by the system beside it. `stopped` answers no checks (orders then get a 503).
 */
export const inventoryServiceMachine = setup({
  types: {
    input: {} as InventoryServiceInput,
    context: {} as InventoryServiceInput & { commands: number },
    events: {} as InventoryServiceEvent,
  },
  actors: { serveChecks },
  actions: {
    executeCommand: assign(({ context, event }) => {
      if (event.type !== 'COMMAND') return {};
      try {
        const result = execute(context.store, event.command, event.meta);
        if (!result.ok) {
          event.reply(result.error);
          return {};
        }
        context.store.record(result.value);
        if (result.value.length > 0) context.onCommitted();
        event.reply({ kind: 'done', events: result.value });
        return { commands: context.commands + 1 };
      } catch (error) {
        context.log.error({ err: error, command: event.command }, 'inventory command failed');
        event.reply({ kind: 'unavailable', message: 'the inventory store failed; nothing was written' });
        return {};
      }
    }),
  },
}).createMachine({
  id: 'inventoryService',
  context: ({ input }) => ({ ...input, commands: 0 }),
  initial: 'running',
  states: {
    running: {
      invoke: {
        src: 'serveChecks',
        input: ({ context }) => ({
          transport: context.transport,
          store: context.store,
          mode: context.mode,
          nowMs: context.nowMs ?? Date.now,
        }),
      },
      on: { COMMAND: { actions: 'executeCommand' }, STOP: { target: 'stopped' } },
    },
    stopped: {
      on: {
        START: { target: 'running' },
        COMMAND: {
          actions: ({ event }) => event.reply({ kind: 'unavailable', message: 'the inventory service is stopped' }),
        },
      },
    },
  },
});
