import type { Outbox } from '../store/outboxStore.js';
import { sleep, type Clock } from '../actors/clock.js';
import type { ReplicaState } from '../transport/natsCluster.js';
import type { LogEntry } from './eventLog.js';
import type { HistoryRewrite } from './incrementalOracle.js';

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

/** A rewrite of the stream's history the oracle found, as a broker finding. */
export function rewriteFinding(r: HistoryRewrite): string {
  return (
    `the stream's history changed under a reader: ${r.changed} sequence number(s) read during the run hold other ` +
    `events now, from seq ${r.fromSeq} (${r.examples.join('; ')}${r.changed > r.examples.length ? '; …' : ''}): the ` +
    'broker served events it later discarded (a dirty read), not the testbed; the run is judged on the history the ' +
    'stream holds now'
  );
}

/** How long the replicas get to reach the same end of the stream before they are compared anyway. */
const REPLICAS_AGREE_WAIT_MS = 10_000;

/**
 * On a broker cluster: whether every running node holds the same copy of the stream, asked of each node itself.
 * Waits (bounded) until they report the same last sequence (a node back from a fault catches up); then copies with
 * the same end but other messages or bytes are replicas that disagree — the broker's split brain, not the testbed's.
 */
export async function replicaFindings(
  replicaStates: () => Promise<readonly ReplicaState[]>,
  clock: Clock,
): Promise<string[]> {
  const until = clock.now() + REPLICAS_AGREE_WAIT_MS;
  let states = await replicaStates();
  while (new Set(states.map((s) => s.lastSeq)).size > 1 && clock.now() < until) {
    await sleep(clock, 250);
    states = await replicaStates();
  }
  const shape = (s: ReplicaState) => `${s.messages}/${s.bytes}/${s.lastSeq}`;
  if (new Set(states.map(shape)).size <= 1) return [];
  const copies = states.map((s) => `${s.name} ${s.messages} messages, ${s.bytes} bytes, up to seq ${s.lastSeq}`);
  const ends = new Set(states.map((s) => s.lastSeq)).size;
  return [
    ends > 1
      ? `the stream's replicas did not reach the same end within ${REPLICAS_AGREE_WAIT_MS / 1000} s (${copies.join('; ')}): the broker's nodes disagree, not the testbed`
      : `the stream's replicas disagree (${copies.join('; ')}): the same sequence numbers hold different messages on different nodes — the broker's split brain, not the testbed`,
  ];
}

/**
 * On a broker cluster: a consumer that never reached the head whose durable has no leader (or about which the
 * cluster cannot answer) was left without a broker to fetch from — the broker's liveness, not the projection's.
 */
export async function leaderlessConsumers(
  stalled: readonly { readonly durable: string; readonly lastProblem: string | null }[],
  consumerLeader: (durable: string) => Promise<string | undefined>,
): Promise<string[]> {
  const found: string[] = [];
  for (const { durable, lastProblem } of stalled) {
    const leader = await consumerLeader(durable).catch((error: unknown) =>
      error instanceof Error ? new Error(error.message) : new Error(String(error)),
    );
    if (typeof leader === 'string') continue;
    const why =
      leader instanceof Error ? `the cluster could not say who leads it (${leader.message})` : 'it has no leader';
    found.push(
      `the durable consumer ${durable} never got back to the head and ${why}${lastProblem ? `; its last problem: ${lastProblem}` : ''}: the broker left it without a consumer leader, not the projection`,
    );
  }
  return found;
}
