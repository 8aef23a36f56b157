import type { Logger } from 'pino';
import { assign, setup } from 'xstate';
import type { Outbox } from '../store/outboxStore.js';
import type { Transport } from '../transport/port.js';
import { publishOutbox, type PublishOutboxOutput } from './publishOutbox.js';

export interface OutboxRelayInput {
  readonly name: string;
  readonly outbox: Outbox;
  readonly transport: Transport;
  readonly log: Logger;
  readonly windowSize?: number;
  /** How often an idle relay looks for new rows when nobody nudges it. */
  readonly pollMs?: number;
  readonly retryMs?: number;
  readonly retryMaxMs?: number;
  readonly autoStart?: boolean;
  /** Time written as `sent_at` (the system's clock). */
  readonly now?: () => string;
}

interface Context {
  readonly input: OutboxRelayInput;
  published: number;
  /** Publish rounds that sent at least one row (published ÷ rounds: how well the window fills). */
  rounds: number;
  duplicates: number;
  backlog: number;
  failures: number;
  lastProblem: string | undefined;
}

export type OutboxRelayEvent = { readonly type: 'NUDGE' } | { readonly type: 'STOP' } | { readonly type: 'START' };

/**
 * Drains a store's outbox to the broker: `draining` while rows remain, `idle` (polling, or woken by NUDGE when a
 * command commits), `backingOff` with capped exponential delay while the broker is unreachable, `stopped` for the
 * "outbox relay outage" fault. Commands keep committing meanwhile; the backlog is the proof nothing was lost.
 */
export const outboxRelayMachine = setup({
  types: { input: {} as OutboxRelayInput, context: {} as Context, events: {} as OutboxRelayEvent },
  actors: { publish: publishOutbox },
  actions: {
    record: assign(({ context }, out: PublishOutboxOutput) => {
      if (context.failures > 0) context.input.log.info({ backlog: out.backlog }, 'outbox publishing again');
      return {
        published: context.published + out.published,
        rounds: context.rounds + (out.published > 0 ? 1 : 0),
        duplicates: context.duplicates + out.duplicates,
        backlog: out.backlog,
        failures: 0,
        lastProblem: undefined,
      };
    }),
  },
  delays: {
    poll: ({ context }) => context.input.pollMs ?? 200,
    retry: ({ context }) =>
      Math.min(
        context.input.retryMaxMs ?? 2_000,
        (context.input.retryMs ?? 100) * 2 ** Math.min(10, Math.max(0, context.failures - 1)),
      ),
  },
}).createMachine({
  id: 'outboxRelay',
  context: ({ input }) => ({
    input,
    published: 0,
    rounds: 0,
    duplicates: 0,
    backlog: input.outbox.backlog(),
    failures: 0,
    lastProblem: undefined,
  }),
  initial: 'init',
  on: { STOP: { target: '.stopped' } },
  states: {
    init: {
      always: [
        { guard: ({ context }) => context.input.autoStart === false, target: 'stopped' },
        { target: 'draining' },
      ],
    },
    draining: {
      invoke: {
        src: 'publish',
        input: ({ context }) => ({
          outbox: context.input.outbox,
          transport: context.input.transport,
          windowSize: context.input.windowSize ?? 256,
          publishTimeoutMs: 2_000,
          now: context.input.now ?? (() => new Date().toISOString()),
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.backlog > 0,
            target: 'draining',
            reenter: true,
            actions: {
              type: 'record',
              params: ({ event }: { event: { output: PublishOutboxOutput } }) => event.output,
            },
          },
          {
            target: 'idle',
            actions: {
              type: 'record',
              params: ({ event }: { event: { output: PublishOutboxOutput } }) => event.output,
            },
          },
        ],
        onError: {
          target: 'backingOff',
          actions: assign(({ context, event }) => {
            if (context.failures === 0)
              context.input.log.warn({ err: event.error }, 'outbox publish failed; backing off');
            return {
              failures: context.failures + 1,
              lastProblem: String(event.error),
              backlog: context.input.outbox.backlog(),
            };
          }),
        },
      },
    },
    idle: {
      on: { NUDGE: { target: 'draining' } },
      after: { poll: { target: 'draining' } },
    },
    backingOff: { after: { retry: { target: 'draining' } } },
    stopped: {
      entry: assign(({ context }) => ({ backlog: context.input.outbox.backlog() })),
      on: {
        START: { target: 'draining' },
        NUDGE: { actions: assign(({ context }) => ({ backlog: context.input.outbox.backlog() })) },
      },
    },
  },
});
