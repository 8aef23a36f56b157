/**
 * given / when / then for the domain's deciders, after emmett's DeciderSpecification, fitted to the shape ours
 * have: a decider here is a pure function of what the command side knows (the state: a catalogue entry, the
 * inventory service's answer), the command, and the metadata through which ids and time come in. Ids come from a
 * counter (`evt_1`, `evt_2`, …) and the time is fixed (fixtures' NOW), so a decision can be compared whole.
 *
 *   catalog.given(gadget).when(rename('Gadget 2')).then([productRenamedEnvelope])
 *   catalog.given(undefined).when(rename('X')).thenRefused({ kind: 'not-found', message: … })
 */
import { expect } from 'vitest';
import type { CommandMeta } from '../../src/domain/commands.js';
import type { Result } from '../../src/domain/result.js';
import { counterMeta } from '../unit/fixtures.js';

export type Decide<S, C, T, E> = (state: S, command: C, meta: CommandMeta) => Result<T, E>;

export interface Decided<T, E> {
  readonly result: Result<T, E>;
  /** Ids the decider took from the metadata: one per event it wrote, none for a refusal. */
  readonly idsIssued: number;
  /** Asserts the decider decided exactly `expected`. */
  then(expected: T): Decided<T, E>;
  /** Asserts the decider refused with exactly `expected`. */
  thenRefused(expected: E): Decided<T, E>;
}

export interface DeciderSpec<S, C, T, E> {
  readonly given: (state: S) => { when(command: C): Decided<T, E> };
}

export function decider<S, C, T, E>(decide: Decide<S, C, T, E>, commandId = 'cmd_1'): DeciderSpec<S, C, T, E> {
  return {
    given: (state) => ({
      when(command) {
        const meta = counterMeta(commandId);
        const result = decide(state, command, meta);
        const decided: Decided<T, E> = {
          result,
          idsIssued: meta.issued(),
          then(expected) {
            expect(result).toEqual({ ok: true, value: expected });
            return decided;
          },
          thenRefused(expected) {
            expect(result).toEqual({ ok: false, error: expected });
            return decided;
          },
        };
        return decided;
      },
    }),
  };
}
