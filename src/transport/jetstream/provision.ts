import { JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { EVENT_STREAM, EVENT_SUBJECTS, TransportError } from '../port.js';
import type { AdapterContext } from './context.js';
import { toTransportError } from './errors.js';

const defaultDuplicateWindowMs = 2 * 60_000;
/** JSApi code for "stream name already in use": another process created it between our info and our add. */
const streamNameInUse = 10058;

export async function provisionStream(
  ctx: AdapterContext,
  duplicateWindowMs = defaultDuplicateWindowMs,
): Promise<void> {
  ctx.hub.requireConnected('provisionStream');
  const wanted = {
    name: EVENT_STREAM,
    subjects: [EVENT_SUBJECTS],
    storage: StorageType.File,
    num_replicas: ctx.streamReplicas,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(duplicateWindowMs),
  };
  try {
    for (let attempt = 1; ; attempt++) {
      const existing = await streamConfigOrUndefined(ctx);
      if (existing === undefined) {
        try {
          await ctx.jsm.streams.add(wanted);
          ctx.log.info({ stream: EVENT_STREAM, duplicateWindowMs }, 'stream created');
          return;
        } catch (err: unknown) {
          // Lost a creation race: go round once more and treat it as existing.
          if (attempt < 2 && err instanceof JetStreamApiError && err.code === streamNameInUse) continue;
          throw err;
        }
      }
      const drifted =
        existing.subjects?.length !== 1 ||
        existing.subjects[0] !== EVENT_SUBJECTS ||
        existing.storage !== wanted.storage ||
        existing.num_replicas !== wanted.num_replicas ||
        existing.retention !== wanted.retention ||
        existing.duplicate_window !== wanted.duplicate_window;
      if (!drifted) return;
      // Storage and retention cannot change in place; the broker's refusal surfaces as 'rejected'.
      await ctx.jsm.streams.update(EVENT_STREAM, { ...existing, ...wanted });
      ctx.log.info({ stream: EVENT_STREAM, duplicateWindowMs }, 'stream updated');
      return;
    }
  } catch (err: unknown) {
    throw toTransportError(err, 'provisionStream', ctx.hub.current);
  }
}

async function streamConfigOrUndefined(ctx: AdapterContext) {
  try {
    return (await ctx.jsm.streams.info(EVENT_STREAM)).config;
  } catch (err: unknown) {
    const mapped = toTransportError(err, 'stream info', ctx.hub.current);
    if (mapped instanceof TransportError && mapped.kind === 'not-found') return undefined;
    throw err;
  }
}
