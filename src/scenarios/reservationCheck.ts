import type { InventoryMode } from '../domain/inventoryCheck.js';
import type { InventoryStore } from '../store/inventoryStore.js';
import type { OrderStore } from '../store/orderStore.js';
import type { LogEntry } from './eventLog.js';

export interface ReservationCheck {
  readonly mode: InventoryMode;
  /** Reservations still held for orders the order service does not hold as placed: stranded so far. */
  readonly strandedOrders: number;
  /** Products whose reserved units (held and confirmed) differ from what the placed orders in the log took. */
  readonly mismatches: readonly string[];
}

/** Held reservations whose order is not (yet, or ever) placed: what the reconciler still has to settle. */
export function strandedReservations(inventory: InventoryStore, orders: OrderStore): string[] {
  const held = inventory.reservations.heldOrders();
  if (held.length === 0) return [];
  const placed = orders.placedAmong(held);
  return held.filter((id) => !placed.has(id));
}

/**
 * Reserve mode's books balance once healed: every reservation belongs to a placed order, and per product the units
 * reserved are exactly what the placed orders in the log took. A crash between reservation and commit that left
 * units held for ever shows up here (`noStrandedReservations`). Check mode takes no reservations.
 */
export function checkReservations(
  mode: InventoryMode,
  inventory: InventoryStore,
  orders: OrderStore,
  log: readonly LogEntry[],
): ReservationCheck {
  if (mode !== 'reserve') return { mode, strandedOrders: 0, mismatches: [] };
  const taken = new Map<string, number>();
  for (const {
    envelope: { data: e },
  } of log) {
    if (e.type === 'OrderPlaced')
      for (const l of e.items) taken.set(l.productId, (taken.get(l.productId) ?? 0) + l.quantity);
  }
  const reserved = inventory.reservations.activeByProduct();
  const mismatches: string[] = [];
  for (const productId of new Set([...taken.keys(), ...reserved.keys()])) {
    const r = reserved.get(productId) ?? 0;
    const t = taken.get(productId) ?? 0;
    if (r !== t) mismatches.push(`${productId}: ${r} reserved, ${t} in placed orders`);
  }
  return { mode, strandedOrders: strandedReservations(inventory, orders).length, mismatches: mismatches.sort() };
}
