import { fromPromise } from 'xstate';
import { backoffMs } from '../domain/retryPolicy.js';
import { ConsumerCrashed } from '../store/consumerCrashed.js';
import type { BatchResult, ProjectionApplier } from '../store/projectionStore.js';
import type { Delivery, DurableConsumer } from '../transport/port.js';
import { sleep } from './clock.js';
import type { ConsumerSettings } from './consumerSettings.js';

/** Fault-injection points of a pull (the scenario runner's). Absent in normal runs. */
export interface PullHooks {
  /** Awaited before each fetch: a slow consumer waits here. */
  readonly beforeFetch?: () => Promise<void>;
  /** Asked after the batch committed, before any ack: true simulates a crash there (nothing is acked). */
  readonly crashAfterCommit?: () => boolean;
  /** Asked at a self-managed plug-in's named crash point (`ctx.crashPoint(name)`): true crashes the consumer there. */
  readonly crashPoint?: (name: string) => boolean;
  /** Asked for each ack: true loses it on its way to the broker (the consumer believes it acked). */
  readonly ackLost?: () => boolean;
}

export interface PullInput {
  readonly consumer: DurableConsumer;
  readonly store: ProjectionApplier;
  readonly settings: ConsumerSettings;
  readonly waitMs: number;
  readonly hooks?: PullHooks | undefined;
}

export interface PullOutput {
  readonly delivered: number;
  readonly redelivered: number;
  readonly result: BatchResult | undefined;
  /** Broker time of the newest event applied, for lag in milliseconds. */
  readonly newestAppliedMs: number | undefined;
}

/** How long the events after a stop should stay away before the broker hands them over again. */
export function redeliveryDelayMs(result: BatchResult, settings: ConsumerSettings): number {
  const stop = result.stop;
  if (!stop) return 0;
  switch (stop.kind) {
    case 'failed':
      return backoffMs(settings.retry, stop.attempts);
    case 'waiting':
      return settings.dependencyPollMs;
    case 'gap':
      return settings.reorderDelayMs;
    default: {
      const never: never = stop;
      throw new Error(`unknown stop ${JSON.stringify(never)}`);
    }
  }
}

/**
 * One pull: fetch a batch, apply it in one transaction, then ack what the checkpoint now covers and nak the rest
 * with the delay the stop calls for. Acks go out only after the commit, so a crash in between costs a redelivery
 * (a no-op against the checkpoint), never an event.
 */
export async function pullOnce(
  { consumer, store, settings, waitMs, hooks }: PullInput,
  signal: AbortSignal,
): Promise<PullOutput> {
  if (hooks?.beforeFetch) await hooks.beforeFetch();
  if (signal.aborted) return { delivered: 0, redelivered: 0, result: undefined, newestAppliedMs: undefined };
  const askedAt = settings.clock.now();
  const deliveries = await consumer.fetch(settings.batchSize, waitMs);
  if (signal.aborted) {
    // Stopped while the fetch was out: hand everything back untouched.
    for (const d of deliveries) d.nak(0);
    return { delivered: deliveries.length, redelivered: 0, result: undefined, newestAppliedMs: undefined };
  }
  if (deliveries.length === 0) {
    // Nothing, and at once: the broker turned the request away (a pull request of a dead process still claims the
    // messages until it expires: "408 requests pending") rather than waiting. Asking again at once would be a busy
    // loop — in the simulation, one in zero virtual time that never ends. Pause as after an out-of-order delivery.
    if (waitMs > 0 && settings.clock.now() - askedAt < waitMs / 2)
      await sleep(settings.clock, Math.min(waitMs, settings.reorderDelayMs), signal);
    return { delivered: 0, redelivered: 0, result: undefined, newestAppliedMs: undefined };
  }
  const ordered = [...deliveries].sort((a, b) => a.seq - b.seq);
  // The handler's own time (virtual on the simulation), half before the apply and half between the commit and the
  // acks: a batch that outlasts the ack wait is redelivered while this consumer is still on it, and a process that
  // dies in the second half leaves applied events unacknowledged.
  const handlerMs = (settings.handlerMsPerEvent * ordered.length) / 2;
  if (handlerMs > 0) {
    await sleep(settings.clock, handlerMs, signal);
    if (signal.aborted) {
      for (const d of ordered) d.nak(0);
      return { delivered: ordered.length, redelivered: 0, result: undefined, newestAppliedMs: undefined };
    }
  }
  const result = await applyWaitingBriefly(ordered, store, settings, signal);
  if (hooks?.crashAfterCommit?.())
    throw new ConsumerCrashed(
      `crashed after committing up to seq ${result.checkpoint}, before acking ${ordered.length} deliveries`,
    );
  if (handlerMs > 0) await sleep(settings.clock, handlerMs); // not cut short by a STOP: what is committed gets acked
  settle(ordered, result, settings, hooks?.ackLost);
  const newest = ordered.filter((d) => d.seq <= result.checkpoint).at(-1);
  return {
    delivered: ordered.length,
    redelivered: ordered.filter((d) => d.deliveryCount > 1).length,
    result,
    newestAppliedMs: newest?.timestampMs,
  };
}

/**
 * Applies the batch; when it stops to wait for a dependency that is usually only milliseconds behind (Products, for
 * the summary), waits a little in-process and goes on with the rest, instead of handing the whole batch back to
 * the broker. Bounded well under the ack wait; after that the stop stands and the machine backs off.
 */
async function applyWaitingBriefly(
  ordered: readonly Delivery[],
  store: ProjectionApplier,
  settings: ConsumerSettings,
  signal: AbortSignal,
): Promise<BatchResult> {
  const budgetMs = Math.min(settings.dependencyPollMs * 4, settings.ackWaitMs / 4);
  const { clock } = settings;
  const started = clock.now();
  let result = store.applyBatch(ordered);
  let total = result;
  while (result.stop?.kind === 'waiting' && clock.now() - started < budgetMs && !signal.aborted) {
    await sleep(clock, Math.max(5, settings.dependencyPollMs / 10), signal);
    if (signal.aborted) break; // stopped (STOP, REBUILD) while sleeping: a stopped consumer writes nothing more
    result = store.applyBatch(ordered.filter((d) => d.seq > result.checkpoint));
    total = {
      checkpoint: result.checkpoint,
      applied: total.applied + result.applied,
      ignored: total.ignored + result.ignored,
      duplicates: total.duplicates,
      parked: total.parked + result.parked,
      ...(result.stop ? { stop: result.stop } : {}),
    };
  }
  return total;
}

function settle(
  deliveries: readonly Delivery[],
  result: BatchResult,
  settings: ConsumerSettings,
  ackLost?: () => boolean,
): void {
  const delayMs = redeliveryDelayMs(result, settings);
  for (const d of deliveries) {
    if (d.seq > result.checkpoint) d.nak(delayMs);
    else if (ackLost?.() !== true) d.ack(); // a lost ack: the broker redelivers it after the ack wait
  }
}

export const pullBatch = fromPromise<PullOutput, PullInput>(({ input, signal }) => pullOnce(input, signal));
