import { render } from 'ink';
import type { ReadModelName } from '../actors/system.js';
import { DashboardContainer } from './DashboardContainer.js';
import type { TelemetryFeed } from './feed.js';

export interface DashboardHandle {
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

/**
 * Mounts the dashboard on the terminal. Ctrl-C is ours (the run must tear its broker down), not ink's; only changed
 * lines are rewritten, and the layout never reaches the terminal's height, so frames do not flicker.
 */
export function startDashboard(options: StartDashboardOptions): DashboardHandle {
  const instance = render(
    <DashboardContainer feed={options.feed} onQuit={options.onQuit} {...(options.initialModel ? { initialModel: options.initialModel } : {})} />,
    {
      exitOnCtrlC: false,
      patchConsole: true,
      maxFps: 10,
      ...(options.stdout ? { stdout: options.stdout } : {}),
      ...(options.stdin ? { stdin: options.stdin } : {}),
    },
  );
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        // One more refresh tick, so the frame left on screen is the final one.
        await new Promise((resolve) => setTimeout(resolve, 300));
        instance.unmount();
        await instance.waitUntilExit();
      })()),
  };
}
