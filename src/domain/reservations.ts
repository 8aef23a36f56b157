/**
 * Reserve mode's reservations have an owner and an end. The inventory service holds stock for an order id inside
 * the inventory check; the order service commits the order afterwards — or never, if it crashes or the reply is
 * lost in between. The reconciler asks the order service what became of orders that have held stock for a while,
 * and the order service answers from its write model. For an order it does not have it writes a tombstone first,
 * so the order can never commit later: "voided" is a promise, and only then is releasing the units safe.
 */

/** What became of an order, as the order service answers: placed, refused, or voided (never to be placed). */
export type OrderFate = 'placed' | 'rejected' | 'voided';

/** Core NATS subject of the fate question. Outside `shop.>`, so requests never land in the event stream. */
export const ORDER_FATES_SUBJECT = 'rpc.orders.fates';

export interface OrderFatesRequest {
  readonly orderIds: readonly string[];
}

export interface OrderFatesReply {
  readonly fates: Readonly<Record<string, OrderFate>>;
}

/** Orders asked about in one request, at most: the reply stays small, and a backlog is worked off round by round. */
export const FATES_PER_REQUEST_MAX = 500;

/** How long a reservation is held before its order's fate is asked, and how often the reconciler looks. */
export interface ReservationTimings {
  /** Longer than an order normally takes from its reservation to its commit; an order slower than this is voided. */
  readonly holdMs: number;
  readonly reconcileEveryMs: number;
}

export const DEFAULT_RESERVATION_TIMINGS: ReservationTimings = { holdMs: 3_000, reconcileEveryMs: 500 };
