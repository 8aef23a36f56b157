import type { Logger } from 'pino';
import { createActor, type ActorRefFrom } from 'xstate';
import type { Clock } from '../actors/clock.js';
import { inventoryServiceMachine } from '../actors/inventoryService.js';
import { orderServiceMachine } from '../actors/orderService.js';
import { outboxRelayMachine } from '../actors/outboxRelay.js';
import type { OrderHooks } from '../actors/placeOrder.js';
import { reservationReconcilerMachine } from '../actors/reservationReconciler.js';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import { DEFAULT_RESERVATION_TIMINGS, type ReservationTimings } from '../domain/reservations.js';
import type { InventoryStore } from '../store/inventoryStore.js';
import type { OrderStore } from '../store/orderStore.js';
import type { Transport } from '../transport/port.js';

/** Orders the order service works on at once; more are refused as busy (back-pressure, bounded memory). */
export const DEFAULT_MAX_ORDERS_IN_FLIGHT = 256;
/** How long the order service waits for the inventory service's answer before refusing the order as unavailable. */
const INVENTORY_CHECK_TIMEOUT_MS = 2_000;
/** How long the reservation reconciler waits for the order service to say an order's fate. */
const ORDER_FATE_TIMEOUT_MS = 2_000;

export interface ServiceActors {
  readonly orderService: ActorRefFrom<typeof orderServiceMachine>;
  readonly inventoryService: ActorRefFrom<typeof inventoryServiceMachine>;
  readonly relays: {
    readonly orders: ActorRefFrom<typeof outboxRelayMachine>;
    readonly inventory: ActorRefFrom<typeof outboxRelayMachine>;
  };
  /** Reserve mode only: settles held reservations with the order service. */
  readonly reconciler: ActorRefFrom<typeof reservationReconcilerMachine> | undefined;
}

export interface ServiceWiring {
  readonly orderStore: OrderStore;
  readonly inventoryStore: InventoryStore;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly log: Logger;
  readonly newId: () => string;
  readonly now: () => string;
  readonly inventoryMode: InventoryMode;
  readonly maxOrdersInFlight: number;
  readonly orderHooks?: OrderHooks | undefined;
  readonly reservations?: Partial<ReservationTimings> | undefined;
}

/** The command side's actors (not started): both services, their outbox relays, and (reserve mode) the reconciler. */
export function serviceActors(w: ServiceWiring): ServiceActors {
  const orders = orderSideActors(w);
  const inventory = inventorySideActors(w);
  return {
    orderService: orders.orderService,
    inventoryService: inventory.inventoryService,
    relays: { orders: orders.relay, inventory: inventory.relay },
    reconciler: inventory.reconciler,
  };
}

type Side = Pick<ServiceWiring, 'transport' | 'clock' | 'log' | 'now'>;

function relayOf(w: Side, name: string, outbox: OrderStore['outbox']): ServiceActors['relays']['orders'] {
  return createActor(outboxRelayMachine, {
    clock: w.clock,
    input: { name, outbox, transport: w.transport, log: w.log.child({ actor: name }), now: w.now },
  });
}

/** The order service and its outbox relay (not started): what the order service's own process runs. */
export function orderSideActors(w: Omit<ServiceWiring, 'inventoryStore'>): {
  readonly orderService: ServiceActors['orderService'];
  readonly relay: ServiceActors['relays']['orders'];
} {
  const relay = relayOf(w, 'orders-outbox', w.orderStore.outbox);
  const orderService = createActor(orderServiceMachine, {
    clock: w.clock,
    input: {
      store: w.orderStore,
      transport: w.transport,
      log: w.log.child({ actor: 'order-service' }),
      maxInFlight: w.maxOrdersInFlight,
      checkTimeoutMs: INVENTORY_CHECK_TIMEOUT_MS,
      inventoryMode: w.inventoryMode,
      newId: w.newId,
      now: w.now,
      onCommitted: () => relay.send({ type: 'NUDGE' }),
      hooks: w.orderHooks,
    },
  });
  return { orderService, relay };
}

/** The inventory service, its outbox relay and (reserve mode) the reconciler (not started): its own process's. */
export function inventorySideActors(
  w: Pick<ServiceWiring, 'inventoryStore' | 'transport' | 'clock' | 'log' | 'now' | 'inventoryMode' | 'reservations'>,
): {
  readonly inventoryService: ServiceActors['inventoryService'];
  readonly relay: ServiceActors['relays']['inventory'];
  readonly reconciler: ServiceActors['reconciler'];
} {
  const { clock, transport, log } = w;
  const relay = relayOf(w, 'inventory-outbox', w.inventoryStore.outbox);
  const inventoryService = createActor(inventoryServiceMachine, {
    clock,
    input: {
      store: w.inventoryStore,
      transport,
      mode: w.inventoryMode,
      log: log.child({ actor: 'inventory-service' }),
      onCommitted: () => relay.send({ type: 'NUDGE' }),
      nowMs: () => clock.now(),
    },
  });
  const reconciler =
    w.inventoryMode === 'reserve'
      ? createActor(reservationReconcilerMachine, {
          clock,
          input: {
            ledger: w.inventoryStore.reservations,
            transport,
            clock,
            timings: { ...DEFAULT_RESERVATION_TIMINGS, ...w.reservations },
            requestTimeoutMs: ORDER_FATE_TIMEOUT_MS,
            log: log.child({ actor: 'reservation-reconciler' }),
          },
        })
      : undefined;
  return { inventoryService, relay, reconciler };
}
