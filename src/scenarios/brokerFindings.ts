import type { Outbox } from '../store/outboxStore.js';
import type { LogEntry } from './eventLog.js';

/** At most this many event ids named per finding (the count is always whole). */
const EXAMPLES_MAX = 3;
const PAGE = 5_000;

/** Every outbox's acknowledged event ids, read now: take it before reading the stream it is compared with. */
export function acknowledgedEvents(outboxes: Readonly<Record<string, Outbox>>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(outboxes).map(([name, outbox]) => {
      const ids: string[] = [];
      for (let after = 0; ;) {
        const page = outbox.acknowledged(after, PAGE);
        if (page.length === 0) break;
        for (const { msgId } of page) ids.push(msgId);
        after = page.at(-1)?.id ?? after;
      }
      return [name, ids];
    }),
  );
}

/**
 * What the broker got wrong, as opposed to the testbed: events it acknowledged that the stream does not hold. An
 * outbox row is marked sent only after the broker's publish ack, so a sent row whose event is missing from the
 * stream is acknowledged data the broker lost (Jepsen found such cases in some NATS versions under node faults and
 * partitions). Reported on their own, beside the properties those lost events also fail. `acknowledged` must be
 * read before `log` (an event acknowledged after the stream was read would look lost).
 */
export function brokerFindings(
  acknowledged: Readonly<Record<string, readonly string[]>>,
  log: readonly LogEntry[],
): string[] {
  const inStream = new Set(log.map((e) => e.envelope.eventId));
  return Object.entries(acknowledged).flatMap(([name, ids]) => {
    const missing = ids.filter((id) => !inStream.has(id));
    if (missing.length === 0) return [];
    const named = missing.slice(0, EXAMPLES_MAX).join(', ') + (missing.length > EXAMPLES_MAX ? ', …' : '');
    return [
      `the broker acknowledged ${missing.length} event(s) of the ${name} outbox that the stream does not hold (${named}): acknowledged data lost by the broker, not by the testbed`,
    ];
  });
}
