import { type RunOptions, type ScenarioReport } from '../scenarios/runTypes.js';
import type { Scenario } from '../scenarios/scenario.js';
import { createTelemetryFeed } from './feed.js';
import { startDashboard } from './runDashboard.js';

/** The dashboard over a `cqrs-testbed run`: one screen for the whole run, one scenario after another. */
export interface RunSession {
  /** What to add to a scenario's RunOptions: telemetry, live control, and the quit key's abort signal. */
  optionsFor(scenario: Scenario): Pick<RunOptions, 'onTelemetry' | 'onControl' | 'signal'>;
  finish(report: ScenarioReport): void;
  close(): Promise<void>;
  readonly quit: AbortSignal;
}

export function startRunSession(
  options: { readonly logFile?: string; readonly onFailure?: (err: Error) => void } = {},
): RunSession {
  const quit = new AbortController();
  const feed = createTelemetryFeed(Date.now, 'starting…');
  const dashboard = startDashboard({ feed, onQuit: () => quit.abort() });
  // The run goes on without its screen; its report is printed at the end as always.
  void dashboard.failed.then((err) => options.onFailure?.(err));
  return {
    quit: quit.signal,
    optionsFor(scenario) {
      feed.reset(
        `${scenario.name}: starting a private broker and seeding the catalogue…${options.logFile ? ` (logs: ${options.logFile})` : ''}`,
      );
      return { onTelemetry: (t) => feed.push(t), onControl: (c) => feed.setControl(c), signal: quit.signal };
    },
    finish: (report) => feed.finish(report),
    close: () => dashboard.close(),
  };
}
