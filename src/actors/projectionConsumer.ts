import type { Logger } from 'pino';
import { assign, fromPromise, setup } from 'xstate';
import { backoffMs } from '../domain/retryPolicy.js';
import { ConsumerCrashed } from '../store/consumerCrashed.js';
import type { BatchStop, ProjectionApplier } from '../store/projectionStore.js';
import { EVENT_SUBJECTS, TransportError, type DurableConsumer, type Transport } from '../transport/port.js';
import type { ConsumerSettings } from './consumerSettings.js';
import { pullBatch, type PullHooks, type PullOutput } from './pullBatch.js';
import { rebuildProjection } from './rebuildProjection.js';

export interface ProjectionConsumerInput {
  readonly name: string;
  readonly transport: Transport;
  readonly store: ProjectionApplier;
  readonly settings: ConsumerSettings;
  readonly log: Logger;
  /** Start pulling at once (default) or wait for START. */
  readonly autoStart?: boolean;
  readonly hooks?: PullHooks;
}

export interface ConsumerCounters {
  readonly applied: number;
  readonly ignored: number;
  readonly duplicates: number;
  readonly parked: number;
  readonly redeliveries: number;
  readonly batches: number;
  readonly handlerFailures: number;
}

export interface ProjectionConsumerContext extends ProjectionConsumerInput {
  consumer: DurableConsumer | undefined;
  checkpoint: number;
  counters: ConsumerCounters;
  /** Why the consumer is not moving: the last stop, broker error or fatal error. */
  lastProblem: string | undefined;
  lastStop: BatchStop | undefined;
  retryDelayMs: number;
  newestAppliedMs: number | undefined;
  rebuilds: number;
  /** The last pull found nothing: the next one is a long poll. */
  idle: boolean;
}

export type ProjectionConsumerEvent =
  | { readonly type: 'START' }
  | { readonly type: 'STOP' }
  | { readonly type: 'REBUILD' }
  | { readonly type: 'REPLAY_DEAD_LETTERS' };

const isBrokerError = (e: unknown) => e instanceof TransportError;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

const zeroCounters: ConsumerCounters = {
  applied: 0,
  ignored: 0,
  duplicates: 0,
  parked: 0,
  redeliveries: 0,
  batches: 0,
  handlerFailures: 0,
};

function countPull(c: ConsumerCounters, out: PullOutput): ConsumerCounters {
  const r = out.result;
  return {
    applied: c.applied + (r?.applied ?? 0),
    ignored: c.ignored + (r?.ignored ?? 0),
    duplicates: c.duplicates + (r?.duplicates ?? 0),
    parked: c.parked + (r?.parked ?? 0),
    redeliveries: c.redeliveries + out.redelivered,
    batches: c.batches + (out.delivered > 0 ? 1 : 0),
    handlerFailures: c.handlerFailures + (r?.stop?.kind === 'failed' ? 1 : 0),
  };
}

/** The outcome of a pull decides the next state; these guards read it. */
const stopOf = (out: PullOutput) => out.result?.stop;

/**
 * The one projection consumer every read model runs: a durable pull consumer with explicit acks, checkpoint in the
 * view's transaction, retries with backoff, dead letters after a bounded number of attempts, and rebuilds. Its
 * state value says what it is doing: catchingUp, idle, backingOff, waitingForDependency, rebuilding, stopped,
 * failed. The machine decides when; the store and the named actors do the work.
 */
export const projectionConsumerMachine = setup({
  types: {
    input: {} as ProjectionConsumerInput,
    context: {} as ProjectionConsumerContext,
    events: {} as ProjectionConsumerEvent,
  },
  actors: {
    attach: fromPromise<
      DurableConsumer,
      { transport: Transport; name: string; settings: ConsumerSettings; store: ProjectionApplier }
    >(async ({ input }) => {
      const consumer = await input.transport.durableConsumer({
        durable: input.name,
        filterSubject: EVENT_SUBJECTS,
        ackWaitMs: input.settings.ackWaitMs,
        maxAckPending: input.settings.batchSize * 4,
      });
      // A store without a durable checkpoint (a self-managed plug-in) starts a new lifetime at the broker's ack floor.
      if (input.store.attached) input.store.attached((await consumer.info()).ackFloorSeq);
      return consumer;
    }),
    pull: pullBatch,
    rebuild: rebuildProjection,
    replayDeadLetters: fromPromise<{ replayed: number; stillFailing: number }, { store: ProjectionApplier }>(
      ({ input }) => Promise.resolve(input.store.replayDeadLetters()),
    ),
  },
  delays: {
    retryDelay: ({ context }) => context.retryDelayMs,
    dependencyPoll: ({ context }) => context.settings.dependencyPollMs,
  },
  guards: {
    shouldStart: ({ context }) => context.autoStart !== false,
  },
  actions: {
    recordPull: assign(({ context }, out: PullOutput) => ({
      counters: countPull(context.counters, out),
      checkpoint: out.result?.checkpoint ?? context.checkpoint,
      newestAppliedMs: out.newestAppliedMs ?? context.newestAppliedMs,
      lastStop: out.result?.stop,
      lastProblem: out.result?.stop ? describeStop(out.result.stop) : undefined,
      retryDelayMs: retryDelayAfter(out, context.settings),
    })),
    brokerTrouble: assign(({ context }, error: unknown) => {
      context.log.warn({ err: error }, 'broker unavailable; will retry');
      return { lastProblem: `broker: ${message(error)}`, retryDelayMs: context.settings.brokerRetryMs };
    }),
    fatal: assign(({ context }, error: unknown) => {
      // An injected crash is the scenario doing its job, not an operator's problem.
      if (error instanceof ConsumerCrashed) context.log.warn({ err: error }, 'consumer crashed (injected)');
      else context.log.error({ err: error }, 'consumer failed');
      return { lastProblem: message(error) };
    }),
  },
}).createMachine({
  id: 'projectionConsumer',
  context: ({ input }) => ({
    ...input,
    consumer: undefined,
    checkpoint: input.store.checkpoint(),
    counters: zeroCounters,
    lastProblem: undefined,
    lastStop: undefined,
    retryDelayMs: 0,
    newestAppliedMs: undefined,
    rebuilds: 0,
    idle: false,
  }),
  initial: 'init',
  on: {
    STOP: { target: '.stopped' },
    REBUILD: { target: '.rebuilding' },
    REPLAY_DEAD_LETTERS: { target: '.replayingDeadLetters' },
  },
  states: {
    init: { always: [{ guard: 'shouldStart', target: 'starting' }, { target: 'stopped' }] },
    starting: {
      invoke: {
        src: 'attach',
        input: ({ context }) => ({
          transport: context.transport,
          name: context.name,
          settings: context.settings,
          store: context.store,
        }),
        onDone: {
          target: 'pulling',
          actions: assign({ consumer: ({ event }) => event.output, lastProblem: undefined }),
        },
        onError: {
          target: 'backingOff',
          actions: { type: 'brokerTrouble', params: ({ event }: { event: { error: unknown } }) => event.error },
        },
      },
    },
    // catchingUp and idle both pull (the invoke lives on the parent and restarts on every re-entry); idle waits
    // longer for the first event, so an idle consumer costs one long poll per idleWaitMs.
    pulling: {
      initial: 'catchingUp',
      states: { catchingUp: {}, idle: {} },
      invoke: {
        src: 'pull',
        input: ({ context }) => ({
          consumer: context.consumer as DurableConsumer,
          store: context.store,
          settings: context.settings,
          waitMs: context.idle ? context.settings.idleWaitMs : Math.min(context.settings.idleWaitMs, 250),
          hooks: context.hooks,
        }),
        onDone: [
          {
            guard: ({ event }) => stopOf(event.output)?.kind === 'waiting',
            target: 'waitingForDependency',
            actions: { type: 'recordPull', params: ({ event }: { event: { output: PullOutput } }) => event.output },
          },
          {
            guard: ({ event }) => stopOf(event.output) !== undefined,
            target: 'backingOff',
            actions: { type: 'recordPull', params: ({ event }: { event: { output: PullOutput } }) => event.output },
          },
          {
            guard: ({ event }) => event.output.delivered === 0,
            target: '.idle',
            reenter: true,
            actions: [
              { type: 'recordPull', params: ({ event }: { event: { output: PullOutput } }) => event.output },
              assign({ idle: true }),
            ],
          },
          {
            target: '.catchingUp',
            reenter: true,
            actions: [
              { type: 'recordPull', params: ({ event }: { event: { output: PullOutput } }) => event.output },
              assign({ idle: false }),
            ],
          },
        ],
        onError: [
          {
            guard: ({ event }) => isBrokerError(event.error),
            target: 'backingOff',
            actions: { type: 'brokerTrouble', params: ({ event }: { event: { error: unknown } }) => event.error },
          },
          {
            target: 'failed',
            actions: { type: 'fatal', params: ({ event }: { event: { error: unknown } }) => event.error },
          },
        ],
      },
    },
    backingOff: { after: { retryDelay: { target: 'resuming' } } },
    waitingForDependency: { after: { dependencyPoll: { target: 'resuming' } } },
    // A consumer handle exists after the first attach; re-attach only if it never did.
    resuming: {
      always: [{ guard: ({ context }) => context.consumer === undefined, target: 'starting' }, { target: 'pulling' }],
    },
    rebuilding: {
      invoke: {
        src: 'rebuild',
        input: ({ context }) => ({
          transport: context.transport,
          store: context.store,
          settings: context.settings,
          dependencyWaitMaxMs: 60_000,
        }),
        onDone: {
          target: 'resuming',
          actions: [
            assign({
              checkpoint: ({ event }) => event.output.checkpoint,
              rebuilds: ({ context }) => context.rebuilds + 1,
              lastProblem: undefined,
            }),
            ({ context, event }) => context.log.info(event.output, 'rebuild finished'),
          ],
        },
        onError: {
          target: 'failed',
          actions: { type: 'fatal', params: ({ event }: { event: { error: unknown } }) => event.error },
        },
      },
    },
    replayingDeadLetters: {
      invoke: {
        src: 'replayDeadLetters',
        input: ({ context }) => ({ store: context.store }),
        onDone: {
          target: 'resuming',
          actions: ({ context, event }) => context.log.info(event.output, 'dead letters replayed'),
        },
        onError: {
          target: 'failed',
          actions: { type: 'fatal', params: ({ event }: { event: { error: unknown } }) => event.error },
        },
      },
    },
    stopped: { on: { START: { target: 'resuming' } } },
    failed: { on: { START: { target: 'starting' } } },
  },
});

function retryDelayAfter(out: PullOutput, settings: ConsumerSettings): number {
  const stop = out.result?.stop;
  if (stop?.kind === 'failed') return backoffMs(settings.retry, stop.attempts);
  if (stop?.kind === 'gap') return settings.reorderDelayMs;
  return 0;
}

export function describeStop(stop: BatchStop): string {
  switch (stop.kind) {
    case 'failed':
      return `seq ${stop.seq} failed (attempt ${stop.attempts}): ${stop.error}`;
    case 'waiting':
      return `seq ${stop.seq} waits for ${stop.dependency} (at ${stop.haveSeq}, needs ${stop.neededSeq})`;
    case 'gap':
      return `seq ${stop.seq} arrived before ${stop.expected}; waiting for it`;
    default: {
      const never: never = stop;
      return String(never);
    }
  }
}
