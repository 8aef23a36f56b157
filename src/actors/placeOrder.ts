import { assign, fromPromise, setup } from 'xstate';
import type { CommandMeta, PlaceOrder } from '../domain/commands.js';
import type { InventoryCheckReply, InventoryCheckRequest, InventoryMode } from '../domain/inventoryCheck.js';
import { decidePlaceOrder, type PlaceOrderDecision } from '../domain/order.js';
import type { FieldError } from '../domain/result.js';
import type { OrderStore } from '../store/orderStore.js';
import { TransportError, type Transport } from '../transport/port.js';
import type { AvailabilityCache } from './availabilityCache.js';
import { INVENTORY_CHECK_SUBJECT } from './inventoryService.js';

export type PlaceOrderOutcome =
  | { readonly kind: 'placed'; readonly orderId: string }
  | {
      readonly kind: 'rejected';
      readonly orderId: string;
      readonly shortages: readonly { productId: string; requested: number; available: number }[];
    }
  | { readonly kind: 'invalid'; readonly errors: readonly FieldError[] }
  | { readonly kind: 'unavailable'; readonly message: string };

/** Fault-injection points of an order (the scenario runner's). Absent in normal runs. */
export interface OrderHooks {
  /**
   * Asked once the inventory answered (in reserve mode: once the stock is held), before the order is decided and
   * committed: true simulates the order service dying right there. The order is lost, its client gets an error,
   * and a reservation stays held until the reconciler settles it.
   */
  readonly crashBeforeCommit?: () => boolean;
}

/** The order service died between the inventory check and the commit (injected). */
export class OrderServiceCrashed extends Error {
  override readonly name = 'OrderServiceCrashed';
}

export interface PlaceOrderInput {
  readonly command: PlaceOrder;
  readonly orderId: string;
  readonly meta: CommandMeta;
  readonly transport: Transport;
  readonly store: OrderStore;
  readonly checkTimeoutMs: number;
  readonly inventoryMode: InventoryMode;
  readonly availability: AvailabilityCache;
  readonly hooks?: OrderHooks | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Asks the inventory service (request/reply over NATS). In reserve mode the answer also holds the stock, and there
 * is no substitute for it. In check mode, if the inventory service cannot be reached, the order service decides
 * against its last-known availability (see AvailabilityCache): the same eventual guarantee as the article's check.
 */
export const checkInventory = fromPromise<InventoryCheckReply, PlaceOrderInput>(async ({ input }) => {
  const request: InventoryCheckRequest = {
    orderId: input.orderId,
    items: input.command.items,
    reserve: input.inventoryMode === 'reserve',
  };
  try {
    const raw = await input.transport.request(
      INVENTORY_CHECK_SUBJECT,
      encoder.encode(JSON.stringify(request)),
      input.checkTimeoutMs,
    );
    const reply = JSON.parse(decoder.decode(raw)) as InventoryCheckReply;
    input.availability.remember(reply);
    if (input.hooks?.crashBeforeCommit?.() === true)
      throw new OrderServiceCrashed(
        `order ${input.orderId}: the order service died after the inventory check, before the commit (injected)`,
      );
    return reply;
  } catch (error) {
    const fallback =
      input.inventoryMode === 'check' && error instanceof TransportError && error.kind !== 'rejected'
        ? input.availability.answer(input.command.items.map((i) => i.productId))
        : undefined;
    if (fallback) return fallback;
    throw error;
  }
});

/**
 * Writes the order (or its rejection) and its event in one SQLite transaction, shared with the other orders decided
 * in the same turn (group commit); done once committed. The fallback availability is debited at once, not after the
 * commit, so two orders decided in one turn cannot both spend the same units; a failed commit leaves it low, which
 * errs on the side of refusing.
 */
export const persistDecision = fromPromise<
  void,
  { store: OrderStore; decision: PlaceOrderDecision; shippingAddress: string; availability: AvailabilityCache }
>(({ input }) => {
  if (input.decision.kind === 'placed') {
    input.availability.consume(input.decision.event.data.items);
    return input.store.savePlacedGrouped(input.decision.event);
  }
  return input.store.saveRejectedGrouped(input.decision.event, input.shippingAddress);
});

type Decided = ReturnType<typeof decidePlaceOrder>;
type Context = PlaceOrderInput & { decided: Decided | undefined; outcome: PlaceOrderOutcome | undefined };

function decisionOf(context: Context): PlaceOrderDecision {
  if (context.decided?.ok !== true) throw new Error('persisting without a decision');
  return context.decided.value;
}

const unavailable = (error: unknown): PlaceOrderOutcome => ({
  kind: 'unavailable',
  message:
    error instanceof OrderServiceCrashed
      ? error.message
      : error instanceof TransportError
        ? `inventory service ${error.kind === 'no-responders' ? 'is not running' : error.kind}: ${error.message}`
        : `order could not be placed: ${error instanceof Error ? error.message : String(error)}`,
});

/**
 * One order, start to finish: check inventory → decide (pure) → persist with the outbox row → done. Its output is
 * what the HTTP layer answers. Nothing is written unless the decision is made, and then order and event together.
 */
export const placeOrderMachine = setup({
  types: {
    input: {} as PlaceOrderInput,
    context: {} as Context,
    output: {} as PlaceOrderOutcome,
  },
  actors: { checkInventory, persistDecision },
}).createMachine({
  id: 'placeOrder',
  context: ({ input }) => ({ ...input, decided: undefined, outcome: undefined }),
  initial: 'checkingInventory',
  states: {
    checkingInventory: {
      invoke: {
        src: 'checkInventory',
        input: ({ context }) => context,
        // Decide once, here: the decider draws fresh event ids from meta.
        onDone: {
          target: 'deciding',
          actions: assign({
            decided: ({ context, event }) =>
              decidePlaceOrder(context.command, context.orderId, event.output, context.meta),
          }),
        },
        onError: { target: 'done', actions: assign({ outcome: ({ event }) => unavailable(event.error) }) },
      },
    },
    deciding: {
      always: [
        { guard: ({ context }) => context.decided?.ok === true, target: 'persisting' },
        {
          target: 'done',
          actions: assign({
            outcome: ({ context }): PlaceOrderOutcome =>
              context.decided?.ok === false
                ? { kind: 'invalid', errors: context.decided.error }
                : { kind: 'unavailable', message: 'no decision' },
          }),
        },
      ],
    },
    persisting: {
      invoke: {
        src: 'persistDecision',
        input: ({ context }) => ({
          store: context.store,
          decision: decisionOf(context),
          shippingAddress: context.command.shippingAddress,
          availability: context.availability,
        }),
        onDone: {
          target: 'done',
          actions: assign({
            outcome: ({ context }): PlaceOrderOutcome => {
              const d = decisionOf(context);
              return d.kind === 'placed'
                ? { kind: 'placed', orderId: context.orderId }
                : { kind: 'rejected', orderId: context.orderId, shortages: d.event.data.shortages };
            },
          }),
        },
        onError: { target: 'done', actions: assign({ outcome: ({ event }) => unavailable(event.error) }) },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => context.outcome ?? { kind: 'unavailable', message: 'order ended without an outcome' },
});
