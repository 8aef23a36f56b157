import type { LiveControl, Telemetry } from '../scenarios/telemetry.js';
import { appendHistory, emptyHistory, type History } from './history.js';
import type { FinalReport } from './selectors.js';

/** Everything the dashboard renders from, at one moment. */
export interface FeedState {
  readonly telemetry: Telemetry | undefined;
  readonly history: History;
  readonly report: FinalReport | undefined;
  readonly control: LiveControl | undefined;
  /** Real time (ms) the last snapshot arrived. */
  readonly receivedAtMs: number | undefined;
  /** What to say before the first snapshot, or why none comes. */
  readonly waiting: string;
}

/**
 * The one place the running system's telemetry lands: the runner's callbacks (or the NATS poller) push into it,
 * and the dashboard's single container subscribes. Not React: it keeps the history (a pure reducer) between renders.
 */
export interface TelemetryFeed {
  push(t: Telemetry): void;
  finish(report: FinalReport): void;
  setControl(control: LiveControl | undefined): void;
  /** A new run starts (or the link is down): forget the last one, say what we wait for. */
  reset(waiting: string): void;
  setWaiting(waiting: string): void;
  snapshot(): FeedState;
  /** `listener(urgent)`: urgent changes (the final report) should render at once rather than on the next tick. */
  subscribe(listener: (urgent: boolean) => void): () => void;
}

export function createTelemetryFeed(now: () => number = Date.now, waiting = 'starting…'): TelemetryFeed {
  let state: FeedState = {
    telemetry: undefined,
    history: emptyHistory,
    report: undefined,
    control: undefined,
    receivedAtMs: undefined,
    waiting,
  };
  const listeners = new Set<(urgent: boolean) => void>();
  const set = (next: Partial<FeedState>, urgent: boolean) => {
    state = { ...state, ...next };
    for (const l of listeners) l(urgent);
  };
  return {
    push: (t) => set({ telemetry: t, history: appendHistory(state.history, t), receivedAtMs: now() }, false),
    finish: (report) => set({ report, control: undefined }, true),
    setControl: (control) => set({ control }, true),
    reset: (w) =>
      set(
        {
          telemetry: undefined,
          history: emptyHistory,
          report: undefined,
          control: undefined,
          receivedAtMs: undefined,
          waiting: w,
        },
        true,
      ),
    setWaiting: (w) => set({ waiting: w }, true),
    snapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
