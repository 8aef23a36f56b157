import type { Logger } from 'pino';
import { assign, fromPromise, setup } from 'xstate';
import {
  FATES_PER_REQUEST_MAX,
  ORDER_FATES_SUBJECT,
  type OrderFate,
  type OrderFatesReply,
  type OrderFatesRequest,
  type ReservationTimings,
} from '../domain/reservations.js';
import type { ReservationLedger } from '../store/reservationLedger.js';
import type { Transport } from '../transport/port.js';
import type { Clock } from './clock.js';

export interface ReservationReconcilerInput {
  readonly ledger: ReservationLedger;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly timings: ReservationTimings;
  readonly requestTimeoutMs: number;
  readonly log: Logger;
}

export interface ReconcileOutput {
  readonly asked: number;
  readonly confirmed: number;
  readonly released: number;
}

interface Context extends ReservationReconcilerInput {
  rounds: number;
  confirmed: number;
  released: number;
  /** Why the last round could not ask (the order service or the broker unreachable): stock stays held meanwhile. */
  lastProblem: string | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const FATES: ReadonlySet<string> = new Set<OrderFate>(['placed', 'rejected', 'voided']);

/** Only what was asked, with a fate we know: a malformed or foreign answer settles nothing. */
function fatesFrom(reply: unknown, asked: readonly string[]): Map<string, OrderFate> {
  const fates = (reply as Partial<OrderFatesReply> | null)?.fates;
  const known = new Map<string, OrderFate>();
  if (typeof fates !== 'object' || fates === null) return known;
  for (const id of asked) {
    const fate = (fates as Record<string, unknown>)[id];
    if (typeof fate === 'string' && FATES.has(fate)) known.set(id, fate as OrderFate);
  }
  return known;
}

/** One round: ask the order service about orders holding stock longer than the hold time, settle what it answers. */
export const reconcileOnce = fromPromise<ReconcileOutput, ReservationReconcilerInput>(async ({ input }) => {
  const asked = input.ledger.heldSince(input.clock.now() - input.timings.holdMs, FATES_PER_REQUEST_MAX);
  if (asked.length === 0) return { asked: 0, confirmed: 0, released: 0 };
  const request: OrderFatesRequest = { orderIds: asked };
  const raw = await input.transport.request(
    ORDER_FATES_SUBJECT,
    encoder.encode(JSON.stringify(request)),
    input.requestTimeoutMs,
  );
  const settled = input.ledger.settle(fatesFrom(JSON.parse(decoder.decode(raw)), asked));
  return { asked: asked.length, ...settled };
});

/**
 * Reserve mode's reservation reconciler, beside the inventory service: at start and then every `reconcileEveryMs`,
 * it settles reservations held longer than `holdMs` by asking the order service what became of their orders
 * (placed → confirmed; rejected or voided → released). Nothing is released without the order service's answer: if
 * it cannot be reached the stock stays held (safe: at worst an order is refused), and the next round asks again.
 */
export const reservationReconcilerMachine = setup({
  types: { input: {} as ReservationReconcilerInput, context: {} as Context },
  actors: { reconcile: reconcileOnce },
  delays: { every: ({ context }) => context.timings.reconcileEveryMs },
}).createMachine({
  id: 'reservationReconciler',
  context: ({ input }) => ({ ...input, rounds: 0, confirmed: 0, released: 0, lastProblem: undefined }),
  initial: 'reconciling',
  states: {
    reconciling: {
      invoke: {
        src: 'reconcile',
        input: ({ context }) => context,
        onDone: {
          target: 'waiting',
          actions: assign(({ context, event }) => {
            if (event.output.released > 0)
              context.log.info(event.output, 'reservations released: their orders will never be placed');
            return {
              rounds: context.rounds + 1,
              confirmed: context.confirmed + event.output.confirmed,
              released: context.released + event.output.released,
              lastProblem: undefined,
            };
          }),
        },
        onError: {
          target: 'waiting',
          actions: assign(({ context, event }) => {
            if (context.lastProblem === undefined)
              context.log.warn(
                { err: event.error },
                'cannot ask the order service about held reservations; they stay held',
              );
            return { lastProblem: event.error instanceof Error ? event.error.message : String(event.error) };
          }),
        },
      },
    },
    waiting: { after: { every: { target: 'reconciling' } } },
  },
});
