import type { Logger } from 'pino';
import { assign, fromCallback, setup, stopChild, type ActorRefFrom } from 'xstate';
import type { PlaceOrder } from '../domain/commands.js';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import { ORDER_FATES_SUBJECT, type OrderFatesReply, type OrderFatesRequest } from '../domain/reservations.js';
import { AvailabilityCache } from './availabilityCache.js';
import type { OrderStore } from '../store/orderStore.js';
import type { Transport } from '../transport/port.js';
import { placeOrderMachine, type OrderHooks, type PlaceOrderOutcome } from './placeOrder.js';

export interface OrderServiceInput {
  readonly store: OrderStore;
  readonly transport: Transport;
  readonly log: Logger;
  /** Orders being processed at once, at most; more get `busy` (HTTP 503) instead of an unbounded queue. */
  readonly maxInFlight: number;
  readonly checkTimeoutMs: number;
  readonly inventoryMode: InventoryMode;
  readonly newId: () => string;
  readonly now: () => string;
  /** Called after an order (or rejection) committed with its outbox row, to wake the relay. */
  readonly onCommitted: () => void;
  /** Fault injection (the scenario runner): crash an order between its inventory check and its commit. */
  readonly hooks?: OrderHooks | undefined;
}

export type OrderServiceOutcome = PlaceOrderOutcome | { readonly kind: 'busy'; readonly message: string };

export type OrderServiceEvent =
  | {
      readonly type: 'PLACE_ORDER';
      readonly command: PlaceOrder;
      readonly reply: (outcome: OrderServiceOutcome) => void;
    }
  | { readonly type: 'ORDER_SETTLED'; readonly id: string; readonly outcome: PlaceOrderOutcome }
  | { readonly type: 'STOP' }
  | { readonly type: 'START' };

interface Context extends OrderServiceInput {
  inFlight: Map<string, { ref: ActorRefFrom<typeof placeOrderMachine>; reply: (o: OrderServiceOutcome) => void }>;
  placed: number;
  rejected: number;
  failed: number;
  availability: AvailabilityCache;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Answers the inventory service's reservation reconciler: what became of these orders (see OrderStore.fates). In
 * every state: a stopped service still owns its write model, and a reservation waits on its answer.
 */
const serveFates = fromCallback<OrderServiceEvent, { transport: Transport; store: OrderStore }>(({ input }) => {
  const service = input.transport.serve(ORDER_FATES_SUBJECT, (data) => {
    const request = JSON.parse(decoder.decode(data)) as OrderFatesRequest;
    const reply: OrderFatesReply = { fates: Object.fromEntries(input.store.fates(request.orderIds)) };
    return Promise.resolve(encoder.encode(JSON.stringify(reply)));
  });
  return () => void service.stop();
});

/**
 * The order service (command side): each PlaceOrder becomes a child actor (check → decide → persist), at most
 * `maxInFlight` at once. `stopped` refuses new orders; orders already committed are in the outbox either way.
 */
export const orderServiceMachine = setup({
  types: { input: {} as OrderServiceInput, context: {} as Context, events: {} as OrderServiceEvent },
  actors: { placeOrder: placeOrderMachine, serveFates },
  actions: {
    spawnOrder: assign(({ context, event, spawn, self }) => {
      if (event.type !== 'PLACE_ORDER') return {};
      if (context.inFlight.size >= context.maxInFlight) {
        event.reply({ kind: 'busy', message: `${context.maxInFlight} orders already in flight; retry shortly` });
        return {};
      }
      const orderId = `ord_${context.newId()}`;
      const meta = { commandId: `cmd_${context.newId()}`, now: context.now(), newId: context.newId };
      const ref = spawn('placeOrder', {
        id: orderId,
        input: {
          command: event.command,
          orderId,
          meta,
          transport: context.transport,
          store: context.store,
          checkTimeoutMs: context.checkTimeoutMs,
          inventoryMode: context.inventoryMode,
          availability: context.availability,
          hooks: context.hooks,
        },
      });
      ref.subscribe({
        complete: () => {
          const outcome = ref.getSnapshot().output;
          if (outcome) self.send({ type: 'ORDER_SETTLED', id: orderId, outcome });
        },
        error: (err: unknown) =>
          self.send({ type: 'ORDER_SETTLED', id: orderId, outcome: { kind: 'unavailable', message: String(err) } }),
      });
      const inFlight = new Map(context.inFlight);
      inFlight.set(orderId, { ref, reply: event.reply });
      return { inFlight };
    }),
    settle: assign(({ context, event }) => {
      if (event.type !== 'ORDER_SETTLED') return {};
      const entry = context.inFlight.get(event.id);
      if (!entry) return {};
      entry.reply(event.outcome);
      if (event.outcome.kind === 'placed' || event.outcome.kind === 'rejected') context.onCommitted();
      const inFlight = new Map(context.inFlight);
      inFlight.delete(event.id);
      return {
        inFlight,
        placed: context.placed + (event.outcome.kind === 'placed' ? 1 : 0),
        rejected: context.rejected + (event.outcome.kind === 'rejected' ? 1 : 0),
        failed: context.failed + (event.outcome.kind === 'unavailable' ? 1 : 0),
      };
    }),
  },
}).createMachine({
  id: 'orderService',
  context: ({ input }) => ({
    ...input,
    inFlight: new Map(),
    placed: 0,
    rejected: 0,
    failed: 0,
    availability: new AvailabilityCache(),
  }),
  initial: 'running',
  // A settled order's child is stopped too: XState keeps spawned children in the snapshot until they are, and a
  // long run would otherwise hold every order it ever placed (the benchmark's RSS found it).
  on: { ORDER_SETTLED: { actions: ['settle', stopChild(({ event }) => event.id)] } },
  invoke: { src: 'serveFates', input: ({ context }) => ({ transport: context.transport, store: context.store }) },
  states: {
    running: { on: { PLACE_ORDER: { actions: 'spawnOrder' }, STOP: { target: 'stopped' } } },
    stopped: {
      on: {
        START: { target: 'running' },
        PLACE_ORDER: {
          actions: ({ event }) => event.reply({ kind: 'unavailable', message: 'the order service is stopped' }),
        },
      },
    },
  },
});
