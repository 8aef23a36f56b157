import { isDeepStrictEqual } from 'node:util';
import type { ReferenceState } from '../domain/projections/oracle.js';
import type { ReadModelName } from '../domain/readModels.js';
import { divergenceOf, type Divergence, type ModelStates } from './divergence.js';
import type { LogEntry } from './eventLog.js';

/**
 * Divergence from the oracle at the head, split by what the model's lag explains. While a model lags (its
 * checkpoint behind the head), a key that an event past its checkpoint would change is expected to differ: it is
 * *not yet applied*, not wrong. Only a difference on a key no pending event touches — lost, wrong, duplicated — is
 * one that catching up will not repair. Mid-outage this is what keeps "stale" apart from "wrong" on the dashboard;
 * once the model is caught up nothing is pending and the split equals the plain divergence.
 */
export interface LagSplitDivergence extends Omit<Divergence, 'examples'> {
  /** Keys that differ from the oracle only through events the model has not applied yet. */
  readonly notYetApplied: number;
}

/** The first index of `log` past `seq` (the log is in stream order). */
function firstAfter(log: readonly LogEntry[], seq: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((log[mid]?.seq ?? Number.POSITIVE_INFINITY) <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** productId → the orders listing it, in the oracle's summaries: a rename changes every one of them. */
function ordersByProduct(reference: ReferenceState): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const row of reference.summaries.values()) {
    for (const item of row.items) {
      const orders = index.get(item.productId);
      if (orders) orders.push(row.orderId);
      else index.set(item.productId, [row.orderId]);
    }
  }
  return index;
}

/** The keys of `model` that events past `checkpoint` change (the same keys its reference fold would touch). */
export function pendingKeys(
  model: ReadModelName,
  log: readonly LogEntry[],
  checkpoint: number,
  reference: ReferenceState,
): Set<string> {
  const keys = new Set<string>();
  let listings: Map<string, string[]> | undefined;
  for (let i = firstAfter(log, checkpoint); i < log.length; i++) {
    const e = log[i]?.envelope.data;
    if (!e) continue;
    switch (model) {
      case 'product-inventory':
        if (e.type === 'ProductAdded' || e.type === 'StockAdjusted') keys.add(e.productId);
        else if (e.type === 'OrderPlaced') for (const line of e.items) keys.add(line.productId);
        break;
      case 'products':
        if (e.type === 'ProductAdded' || e.type === 'ProductRenamed' || e.type === 'ProductRepriced')
          keys.add(e.productId);
        break;
      case 'customer-order-summary':
        if (e.type === 'OrderPlaced') keys.add(e.orderId);
        else if (e.type === 'ProductAdded' || e.type === 'ProductRenamed') {
          listings ??= ordersByProduct(reference);
          for (const orderId of listings.get(e.productId) ?? []) keys.add(orderId);
        }
        break;
      default: {
        const never: never = model;
        throw new Error(`unknown read model ${String(never)}`);
      }
    }
  }
  return keys;
}

function without<V>(map: ReadonlyMap<string, V>, keys: ReadonlySet<string>): ReadonlyMap<string, V> {
  if (keys.size === 0) return map;
  return new Map([...map].filter(([key]) => !keys.has(key)));
}

/** Of the pending keys, how many already equal the oracle and how many do not (yet). */
function pendingSplit<V>(
  oracle: ReadonlyMap<string, V>,
  model: ReadonlyMap<string, V>,
  keys: ReadonlySet<string>,
): { ok: number; notYetApplied: number } {
  let ok = 0;
  let notYetApplied = 0;
  for (const key of keys) {
    const inOracle = oracle.has(key);
    const inModel = model.has(key);
    if (!inOracle && !inModel) continue;
    if (inOracle && inModel && isDeepStrictEqual(oracle.get(key), model.get(key))) ok++;
    else notYetApplied++;
  }
  return { ok, notYetApplied };
}

/**
 * Each model's divergence from the oracle at the head with the lag taken out: `checkpoints` are the models'
 * positions, read in the same synchronous turn as `states` (so a model cannot have moved in between).
 */
export function divergenceWithLag(
  reference: ReferenceState,
  states: ModelStates,
  log: readonly LogEntry[],
  checkpoints: Readonly<Record<ReadModelName, number>>,
): Record<ReadModelName, LagSplitDivergence> {
  const pending = {
    'product-inventory': pendingKeys('product-inventory', log, checkpoints['product-inventory'], reference),
    products: pendingKeys('products', log, checkpoints.products, reference),
    'customer-order-summary': pendingKeys(
      'customer-order-summary',
      log,
      checkpoints['customer-order-summary'],
      reference,
    ),
  };
  const settled = divergenceOf(
    {
      inventory: without(reference.inventory, pending['product-inventory']) as ReferenceState['inventory'],
      products: without(reference.products, pending.products) as ReferenceState['products'],
      summaries: without(reference.summaries, pending['customer-order-summary']) as ReferenceState['summaries'],
      lastSeq: reference.lastSeq,
    },
    {
      'product-inventory': without(states['product-inventory'], pending['product-inventory']),
      products: without(states.products, pending.products),
      'customer-order-summary': without(states['customer-order-summary'], pending['customer-order-summary']),
    },
    log,
  );
  const split = {
    'product-inventory': pendingSplit(reference.inventory, states['product-inventory'], pending['product-inventory']),
    products: pendingSplit(reference.products, states.products, pending.products),
    'customer-order-summary': pendingSplit(
      reference.summaries,
      states['customer-order-summary'],
      pending['customer-order-summary'],
    ),
  };
  const merge = (name: ReadModelName): LagSplitDivergence => {
    const { examples: _examples, ...d } = settled[name];
    return { ...d, ok: d.ok + split[name].ok, notYetApplied: split[name].notYetApplied };
  };
  return {
    'product-inventory': merge('product-inventory'),
    products: merge('products'),
    'customer-order-summary': merge('customer-order-summary'),
  };
}
