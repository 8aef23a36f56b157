/**
 * Rebuild of the CustomerOrderSummary read model from sequence 1 (the same `rebuildOnce` the consumer machine runs)
 * over a stream of real-sized OrderPlaced events, on a private nats-server. The summary looks names up in a Products
 * database that knows every product; it runs in `naive` dependency mode only because this Products store is
 * filled directly rather than by a live consumer (the look-up, the work per event, is the same).
 */
import { join } from 'node:path';
import { DEFAULT_CONSUMER_SETTINGS } from '../actors/consumerSettings.js';
import { rebuildOnce } from '../actors/rebuildProjection.js';
import { ProjectionStore } from '../store/projectionStore.js';
import { openDatabase } from '../store/sqlite.js';
import { customerOrderSummaryView } from '../store/views/customerOrderSummaryView.js';
import { productLookupFrom } from '../store/views/productLookup.js';
import { productsView } from '../store/views/productsView.js';
import { mkdirSync } from 'node:fs';
import {
  BENCH_PRODUCTS,
  orderPlacedEvent,
  perSecond,
  pipelinedPublish,
  privateBroker,
  productAddedEvent,
} from './infra.js';
import type { BenchSizes } from './sizes.js';

export interface Rebuild {
  readonly rebuild_events_per_s: number;
  readonly rebuild_events: number;
  /**
   * RSS of this process when the rebuild had applied about 10%, 50% and 100% of the events, MB: flat if nothing
   * grows with the length of the log.
   */
  readonly rss_mb_by_rebuild_progress: Readonly<Record<string, number>>;
}

/** Samples RSS against the rebuild's progress; keeps the first sample at or past each mark. */
function rssByProgress(progress: () => number, total: number): { stop(): Record<string, number> } {
  const marks = [0.1, 0.5];
  const seen: Record<string, number> = {};
  const timer = setInterval(() => {
    for (const m of marks) {
      const key = `${Math.round(m * 100)}%`;
      if (seen[key] === undefined && progress() >= m * total) seen[key] = process.memoryUsage.rss() / (1024 * 1024);
    }
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      seen['100%'] = process.memoryUsage.rss() / (1024 * 1024);
      return seen;
    },
  };
}

export async function rebuild(sizes: BenchSizes): Promise<Rebuild> {
  const broker = await privateBroker('rebuild');
  const { transport } = broker;
  mkdirSync(broker.dataDir, { recursive: true });
  const now = () => new Date().toISOString();
  const productsDb = openDatabase(join(broker.dataDir, 'products.db'));
  const summaryDb = openDatabase(join(broker.dataDir, 'summary.db'));
  const productsReader = openDatabase(join(broker.dataDir, 'products.db'), { readonly: true });
  try {
    await pipelinedPublish(transport, BENCH_PRODUCTS, sizes.publishWindow, productAddedEvent);
    await pipelinedPublish(transport, sizes.rebuildEvents, sizes.publishWindow, (i) => orderPlacedEvent('rb', i));
    const products = new ProjectionStore(productsDb, productsView, { maxDeliveries: 3, now });
    products.applyBatch(await transport.readRange(1, BENCH_PRODUCTS));
    const view = customerOrderSummaryView(productLookupFrom(productsReader), { dependency: 'naive' });
    const store = new ProjectionStore(summaryDb, view, { maxDeliveries: 3, now });
    const rss = rssByProgress(() => store.rebuildProgress(), BENCH_PRODUCTS + sizes.rebuildEvents);
    const started = performance.now();
    const out = await rebuildOnce(
      { transport, store, settings: DEFAULT_CONSUMER_SETTINGS, dependencyWaitMaxMs: 10_000 },
      new AbortController().signal,
    );
    const ms = performance.now() - started;
    const rssByMark = rss.stop();
    const expected = BENCH_PRODUCTS + sizes.rebuildEvents;
    if (out.events !== expected || out.parked !== 0)
      throw new Error(`bench: rebuild handled ${out.events} events (${out.parked} parked), expected ${expected}`);
    return {
      rebuild_events_per_s: perSecond(out.events, ms),
      rebuild_events: out.events,
      rss_mb_by_rebuild_progress: rssByMark,
    };
  } finally {
    for (const db of [productsReader, productsDb, summaryDb]) db.close();
    await broker.stop();
  }
}
