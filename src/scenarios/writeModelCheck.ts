import type { OrderStore } from '../store/orderStore.js';
import type { LogEntry } from './eventLog.js';

export interface WriteModelCheck {
  readonly accepted: number;
  /** Accepted orders with no OrderPlaced in the stream. */
  readonly unpublished: number;
  /** Accepted orders whose OrderPlaced is in the stream more than once. */
  readonly publishedTwice: number;
  /** OrderPlaced events for orders the write model does not hold as accepted. */
  readonly phantom: number;
  readonly examples: readonly string[];
}

/** Every accepted order published exactly once: the write model (orders.db) against the stream. */
export function checkWriteModel(store: OrderStore, log: readonly LogEntry[]): WriteModelCheck {
  const published = new Map<string, number>();
  for (const {
    envelope: { data: e },
  } of log)
    if (e.type === 'OrderPlaced') published.set(e.orderId, (published.get(e.orderId) ?? 0) + 1);
  let accepted = 0,
    unpublished = 0,
    publishedTwice = 0;
  const examples: string[] = [];
  const seen = new Set<string>();
  for (let after = ''; ;) {
    const page = store.placedOrders(after, 10_000);
    if (page.length === 0) break;
    for (const { orderId } of page) {
      accepted++;
      seen.add(orderId);
      const times = published.get(orderId) ?? 0;
      if (times === 0) unpublished++;
      if (times > 1) publishedTwice++;
      if (times !== 1 && examples.length < 5) examples.push(`${orderId} published ${times}×`);
    }
    after = page.at(-1)?.orderId ?? after;
  }
  let phantom = 0;
  for (const orderId of published.keys()) if (!seen.has(orderId)) phantom++;
  return { accepted, unpublished, publishedTwice, phantom, examples };
}
