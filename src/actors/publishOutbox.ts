import { fromPromise } from 'xstate';
import type { Outbox } from '../store/outboxStore.js';
import type { Transport } from '../transport/port.js';

export interface PublishOutboxInput {
  readonly outbox: Outbox;
  readonly transport: Transport;
  /** Rows read and published concurrently per round: the bounded publish window. */
  readonly windowSize: number;
  readonly publishTimeoutMs: number;
  readonly now: () => string;
}

export interface PublishOutboxOutput {
  readonly published: number;
  readonly duplicates: number;
  /** Rows still unsent after this round (0: drained). */
  readonly backlog: number;
}

/**
 * One round of the relay: publish up to `windowSize` unsent rows with their event id as `Nats-Msg-Id`, pipelined,
 * and mark sent exactly those the broker acknowledged. A row whose ack was lost stays unsent and is published again
 * next round; the broker recognises the msg id and stores nothing twice. If any publish failed the round throws
 * (after marking the acknowledged ones), so the relay backs off.
 */
export async function publishOutboxOnce(input: PublishOutboxInput): Promise<PublishOutboxOutput> {
  const rows = input.outbox.pending(input.windowSize);
  const results = await Promise.allSettled(
    rows.map((row) =>
      input.transport.publish(
        { subject: row.subject, msgId: row.msgId, data: row.payload },
        { timeoutMs: input.publishTimeoutMs },
      ),
    ),
  );
  const sent: number[] = [];
  let duplicates = 0;
  let firstError: unknown;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      sent.push(rows[i]?.id ?? -1);
      if (r.value.duplicate) duplicates++;
    } else {
      firstError ??= r.reason;
    }
  });
  input.outbox.markSent(sent, input.now());
  if (firstError !== undefined)
    throw firstError instanceof Error ? firstError : new Error('publish failed', { cause: firstError });
  return { published: sent.length, duplicates, backlog: input.outbox.backlog() };
}

export const publishOutbox = fromPromise<PublishOutboxOutput, PublishOutboxInput>(({ input }) =>
  publishOutboxOnce(input),
);
