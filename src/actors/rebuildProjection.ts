import { fromPromise } from 'xstate';
import type { ProjectionApplier } from '../store/projectionStore.js';
import type { StoredEvent, Transport } from '../transport/port.js';
import { TransportError } from '../transport/port.js';
import { sleep } from './clock.js';
import type { ConsumerSettings } from './consumerSettings.js';

export interface RebuildInput {
  readonly transport: Transport;
  readonly store: ProjectionApplier;
  readonly settings: ConsumerSettings;
  /** Bound on time spent waiting for a dependency during the rebuild. */
  readonly dependencyWaitMaxMs: number;
}

export interface RebuildOutput {
  readonly events: number;
  readonly checkpoint: number;
  readonly parked: number;
}

/**
 * Rebuilds a read model from stream sequence 1 into fresh tables and swaps them in atomically. The live consumer
 * is not pulling meanwhile (the machine is in `rebuilding`); afterwards it resumes from its durable position and
 * every event at or below the new checkpoint is acknowledged as a duplicate.
 */
export async function rebuildOnce(input: RebuildInput, signal: AbortSignal): Promise<RebuildOutput> {
  const { transport, store, settings } = input;
  // Once aborted (STOP, or REBUILD again, while this run awaits the broker), this run must not touch the store:
  // the machine may already have begun a new rebuild on the same tables, which a stale apply or finish would corrupt.
  const stillWanted = (): void => {
    if (signal.aborted) throw new Error('rebuild aborted');
  };
  // A broker outage during a rebuild is waited out (bounded), not turned into a failed consumer: the rebuild keeps
  // its progress and reads on from where it was when the broker answers again.
  let brokerWaitedMs = 0;
  const brokerRetrying = async <T>(read: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await read();
      } catch (error) {
        if (!(error instanceof TransportError) || brokerWaitedMs >= input.dependencyWaitMaxMs) throw error;
        await sleep(settings.clock, settings.brokerRetryMs, signal);
        brokerWaitedMs += settings.brokerRetryMs;
        stillWanted();
      }
    }
  };
  const generation = store.beginRebuild();
  let events = 0,
    parked = 0,
    waitedMs = 0;
  // Reading and applying overlap: the next range is fetched (the broker works on its own core) while this one is
  // applied (SQLite, on ours). At most two ranges are held at once. A prefetch that turns out to start at the wrong
  // place (the apply stopped early to wait) is dropped; its failure, if any, is observed and dropped with it.
  const readFrom = (from: number) => settled(brokerRetrying(() => transport.readRange(from, readRangeSize(settings))));
  let prefetched: { from: number; read: Promise<Settled<StoredEvent[]>> } | undefined;
  try {
    for (;;) {
      stillWanted();
      const from = store.rebuildProgress() + 1;
      const read = prefetched?.from === from ? prefetched.read : readFrom(from);
      prefetched = undefined;
      const batch = unwrap(await read);
      stillWanted();
      if (batch.length === 0) {
        const info = await brokerRetrying(() => transport.streamInfo());
        stillWanted();
        if (store.rebuildProgress() >= info.lastSeq) break;
        continue; // the stream grew between the two reads
      }
      const nextFrom = (batch.at(-1)?.seq ?? from) + 1;
      prefetched = { from: nextFrom, read: readFrom(nextFrom) };
      const result = store.applyRebuildBatch(batch, batch[0]?.seq ?? from);
      events += result.applied + result.ignored + result.parked;
      parked += result.parked;
      if (result.stop?.kind === 'waiting') {
        if (waitedMs >= input.dependencyWaitMaxMs)
          throw new Error(`rebuild gave up waiting ${waitedMs} ms for ${result.stop.dependency}`);
        await sleep(settings.clock, settings.dependencyPollMs, signal);
        waitedMs += settings.dependencyPollMs;
      } else if (result.stop) {
        throw new Error(`rebuild stopped at seq ${result.stop.seq}: ${result.stop.kind}`);
      }
    }
    store.finishRebuild();
    return { events, checkpoint: store.checkpoint(), parked };
  } catch (error) {
    store.abortRebuild(generation); // a no-op if a newer rebuild owns the tables by now
    throw error;
  }
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Never rejects: a prefetch nobody awaits must not become an unhandled rejection. */
function settled<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function unwrap<T>(s: Settled<T>): T {
  if (!s.ok) throw s.error;
  return s.value;
}

/** Events per range read: big enough to amortise the reader's set-up, bounded (two ranges are held at once). */
export function readRangeSize(settings: ConsumerSettings): number {
  return Math.max(settings.batchSize, 5_000);
}

export const rebuildProjection = fromPromise<RebuildOutput, RebuildInput>(({ input, signal }) =>
  rebuildOnce(input, signal),
);
