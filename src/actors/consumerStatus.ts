import type { SnapshotFrom } from 'xstate';
import type { projectionConsumerMachine } from './projectionConsumer.js';

/** What a consumer is doing, as the dashboard and /health name it. */
export type ConsumerState =
  | 'catchingUp'
  | 'idle'
  | 'backingOff'
  | 'waitingForDependency'
  | 'rebuilding'
  | 'replayingDeadLetters'
  | 'stopped'
  | 'failed'
  | 'starting'
  /** The consumer's process is dead (a processRestart fault): its actor is gone until the process comes back. */
  | 'down';

export function consumerState(snapshot: SnapshotFrom<typeof projectionConsumerMachine>): ConsumerState {
  if (snapshot.status === 'stopped') return 'down';
  const value = snapshot.value;
  if (typeof value === 'object') return 'pulling' in value ? value.pulling : 'starting';
  if (value === 'init' || value === 'resuming') return 'starting';
  return value;
}

export interface ConsumerHealth {
  readonly name: string;
  readonly state: ConsumerState;
  readonly checkpoint: number;
  readonly lagEvents: number;
  readonly lagMs: number;
  readonly redeliveries: number;
  readonly deadLetters: number;
  readonly applied: number;
  readonly lastProblem: string | null;
}

/** Lag against the stream: events not yet applied, and how old the oldest of them is (0 when caught up). */
export function consumerHealth(
  name: string,
  snapshot: SnapshotFrom<typeof projectionConsumerMachine>,
  stream: { lastSeq: number },
  deadLetters: number,
  /** Broker time of the first event past the checkpoint (undefined when caught up). */
  oldestUnappliedMs: number | undefined,
  nowMs: number,
): ConsumerHealth {
  const c = snapshot.context;
  const checkpoint = c.store.checkpoint();
  const lagEvents = Math.max(0, stream.lastSeq - checkpoint);
  return {
    name,
    state: consumerState(snapshot),
    checkpoint,
    lagEvents,
    lagMs: lagEvents === 0 || oldestUnappliedMs === undefined ? 0 : Math.max(0, nowMs - oldestUnappliedMs),
    redeliveries: c.counters.redeliveries,
    deadLetters,
    applied: c.counters.applied,
    lastProblem: c.lastProblem ?? null,
  };
}
