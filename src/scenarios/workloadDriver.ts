import { sleep, type Clock } from '../actors/clock.js';
import type { SystemPort } from '../system/systemPort.js';
import type { AdjustStock, CatalogCommand, PlaceOrder } from '../domain/commands.js';
import type { OrderServiceOutcome } from '../actors/orderService.js';
import type { Operation, OperationHistory } from './history.js';
import type { OrderCounts } from './orderCounts.js';
import type { CatalogEntrySpec, WorkloadOp } from './workload.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What the workload did: every order by outcome (see OrderCounts), and the catalogue changes. */
export interface WorkloadCounters extends Mutable<OrderCounts> {
  /** Why the last failed order failed (null if none did): a count alone would hide the bug. */
  lastFailure: string | null;
  catalogChanges: number;
  catalogRefused: number;
  /** How far behind schedule the driver fell at worst (back-pressure from the system). */
  lagBehindScheduleMsMax: number;
}

export const emptyCounters = (): WorkloadCounters => ({
  placed: 0,
  rejected: 0,
  unavailable: 0,
  invalid: 0,
  failed: 0,
  lastFailure: null,
  catalogChanges: 0,
  catalogRefused: 0,
  lagBehindScheduleMsMax: 0,
});

/** How a PlaceOrder ended, for the history: accepted, refused (it changed nothing), or unknown (unavailable). */
function orderOutcome(outcome: OrderServiceOutcome): Pick<Operation, 'outcome' | 'orderId' | 'detail'> {
  switch (outcome.kind) {
    case 'placed':
      return { outcome: 'ok', orderId: outcome.orderId };
    case 'rejected':
    case 'invalid':
      return { outcome: 'fail', detail: outcome.kind };
    default:
      // The order service could not be reached or did not answer in time: the order may still have been taken.
      return { outcome: 'info', detail: outcome.kind };
  }
}

/** Adds the opening catalogue through the inventory service's command side. */
export async function seedWorkloadCatalog(port: SystemPort, catalog: readonly CatalogEntrySpec[]): Promise<void> {
  for (const p of catalog) {
    const added = await port.inventoryCommand({
      type: 'AddProduct',
      productId: p.productId,
      name: p.name,
      priceCents: p.priceCents,
    });
    if (added.kind !== 'done') throw new Error(`seeding ${p.productId}: ${added.kind}`);
    if (p.stock > 0) {
      const stocked = await port.inventoryCommand({
        type: 'AdjustStock',
        productId: p.productId,
        delta: p.stock,
        reason: 'opening stock',
      });
      if (stocked.kind !== 'done') throw new Error(`stocking ${p.productId}: ${stocked.kind}`);
    }
  }
}

/**
 * Plays the workload against the running system on the scenario clock: each operation at its time, orders with at
 * most `concurrency` in flight (when the system is slower, the driver waits and records how far behind it fell).
 */
export async function driveWorkload(
  port: SystemPort,
  ops: Iterable<WorkloadOp>,
  options: {
    readonly clock: Clock;
    readonly startMs: number;
    readonly concurrency: number;
    readonly counters: WorkloadCounters;
    readonly signal: AbortSignal;
    /** Where every operation is recorded with its times and outcome (scenario time). */
    readonly history?: OperationHistory;
  },
): Promise<void> {
  const { counters, history } = options;
  const at = () => options.clock.now() - options.startMs;
  const inFlight = new Set<Promise<void>>();
  for (const op of ops) {
    if (options.signal.aborted) break;
    const due = options.startMs + op.atMs;
    const wait = due - options.clock.now();
    if (wait > 0) await sleep(options.clock, wait);
    counters.lagBehindScheduleMsMax = Math.max(counters.lagBehindScheduleMsMax, options.clock.now() - due);
    if (op.kind === 'placeOrder') {
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      const command: PlaceOrder = {
        type: 'PlaceOrder',
        customerId: op.customerId,
        items: op.items,
        shippingAddress: `${op.customerId} street`,
      };
      const invokeMs = at();
      const p: Promise<void> = port.placeOrder(command).then(
        (outcome) => {
          if (outcome.kind === 'placed') counters.placed++;
          else if (outcome.kind === 'rejected') counters.rejected++;
          else if (outcome.kind === 'invalid') counters.invalid++;
          else counters.unavailable++;
          history?.record({
            type: 'place-order',
            invokeMs,
            completeMs: at(),
            ...orderOutcome(outcome),
          });
        },
        // Counted and kept rather than thrown: one broken order must not hide what the rest of the run shows.
        (error: unknown) => {
          counters.failed++;
          counters.lastFailure = error instanceof Error ? error.message : String(error);
          history?.record({
            type: 'place-order',
            invokeMs,
            completeMs: at(),
            outcome: 'info',
            detail: counters.lastFailure,
          });
        },
      );
      const tracked = p.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    } else {
      const command: CatalogCommand | AdjustStock =
        op.kind === 'adjustStock'
          ? { type: 'AdjustStock', productId: op.productId, delta: op.delta, reason: 'workload restock' }
          : op.kind === 'rename'
            ? { type: 'RenameProduct', productId: op.productId, name: op.name }
            : { type: 'RepriceProduct', productId: op.productId, priceCents: op.priceCents };
      const invokeMs = at();
      const outcome = await port.inventoryCommand(command);
      if (outcome.kind === 'done') counters.catalogChanges++;
      else counters.catalogRefused++;
      history?.record({
        type: op.kind === 'adjustStock' ? 'adjust-stock' : op.kind === 'rename' ? 'rename' : 'reprice',
        invokeMs,
        completeMs: at(),
        outcome: outcome.kind === 'done' ? 'ok' : 'fail',
        ...(outcome.kind === 'done' ? {} : { detail: outcome.kind }),
      });
    }
  }
  await Promise.all(inFlight);
}
