import { render } from 'ink';
import type { ReadModelName } from '../domain/readModels.js';
import { DashboardContainer } from './DashboardContainer.js';
import type { TelemetryFeed } from './feed.js';

export interface DashboardHandle {
  /**
   * Settles only if ink stops by itself (a render error): the caller goes on without the screen. The verdict and
   * the exit code never depend on the dashboard.
   */
  readonly failed: Promise<Error>;
  /** Renders the final state, unmounts (the last frame stays on the terminal), and resolves when ink is done. */
  close(): Promise<void>;
}

export interface StartDashboardOptions {
  readonly feed: TelemetryFeed;
  readonly onQuit: () => void;
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
  readonly initialModel?: ReadModelName;
}

/** Bound on ink's own shutdown: a report never waits on a screen that will not let go. */
const UNMOUNT_TIMEOUT_MS = 2_000;

/**
 * Mounts the dashboard on the terminal. Ctrl-C is ours (the run must tear its broker down), not ink's; only changed
 * lines are rewritten, and the layout never reaches the terminal's height, so frames do not flicker. Callers check
 * `dashboardUnavailable` (./terminal.ts) first.
 */
export function startDashboard(options: StartDashboardOptions): DashboardHandle {
  const instance = render(
    <DashboardContainer
      feed={options.feed}
      onQuit={options.onQuit}
      {...(options.initialModel ? { initialModel: options.initialModel } : {})}
    />,
    {
      exitOnCtrlC: false,
      patchConsole: true,
      maxFps: 10,
      ...(options.stdout ? { stdout: options.stdout } : {}),
      ...(options.stdin ? { stdin: options.stdin } : {}),
    },
  );
  // Asked for now, not at close: ink settles only the exit promise that exists when it exits, so one asked for
  // after a render error would never settle (and a run awaiting it would end without its verdict).
  const exited = instance.waitUntilExit();
  let closing = false;
  const failed = new Promise<Error>((resolve) => {
    exited.then(
      () => {
        if (!closing) resolve(new Error('the dashboard stopped'));
      },
      (err: unknown) => resolve(err instanceof Error ? err : new Error(String(err))),
    );
  });
  let closed: Promise<void> | undefined;
  return {
    failed,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        // One more refresh tick, so the frame left on screen is the final one.
        await new Promise((resolve) => setTimeout(resolve, 300));
        instance.unmount();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          exited.catch(() => undefined), // a render error was reported through `failed` already
          new Promise((resolve) => (timer = setTimeout(resolve, UNMOUNT_TIMEOUT_MS))),
        ]);
        clearTimeout(timer);
      })()),
  };
}
