import { useInput, useStdin, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { ReadModelName } from '../domain/readModels.js';
import type { ControlAction, LiveControl } from '../scenarios/telemetry.js';
import { Dashboard } from './components/Dashboard.js';
import type { FeedState, TelemetryFeed } from './feed.js';
import { keyCommand } from './keys.js';
import type { Tone } from './selectors.js';

export interface DashboardContainerProps {
  readonly feed: TelemetryFeed;
  readonly onQuit: () => void;
  /** Renders at most this often (the simulation pushes far faster than anyone reads). */
  readonly refreshMs?: number;
  readonly initialModel?: ReadModelName;
}

const terminalSize = (stdout: NodeJS.WriteStream) => ({
  columns: stdout.columns > 0 ? stdout.columns : 80,
  rows: stdout.rows > 0 ? stdout.rows : 24,
});

/** The terminal's size, following resizes; 80×24 when the output is not a terminal. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => terminalSize(stdout));
  useEffect(() => {
    const onResize = () => setSize(terminalSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** The feed, re-read every `refreshMs` when it changed (at once for urgent changes), and a clock for staleness. */
function useFeed(feed: TelemetryFeed, refreshMs: number): { state: FeedState; nowMs: number } {
  const [view, setView] = useState(() => ({ state: feed.snapshot(), nowMs: Date.now() }));
  useEffect(() => {
    let dirty = false;
    const unsubscribe = feed.subscribe((urgent) => {
      if (urgent) setView({ state: feed.snapshot(), nowMs: Date.now() });
      else dirty = true;
    });
    const timer = setInterval(() => {
      // Re-render without news too, once a second or so, so "no telemetry for …" counts up.
      if (dirty || Date.now() - (feed.snapshot().receivedAtMs ?? Date.now()) > 1_000)
        setView({ state: feed.snapshot(), nowMs: Date.now() });
      dirty = false;
    }, refreshMs);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [feed, refreshMs]);
  return view;
}

/**
 * The dashboard's only stateful component: subscribes to the feed, follows the terminal's size, maps keys to
 * live control actions. Everything it renders is the pure <Dashboard>.
 */
export function DashboardContainer({
  feed,
  onQuit,
  refreshMs = 200,
  initialModel = 'customer-order-summary',
}: DashboardContainerProps) {
  const { state, nowMs } = useFeed(feed, refreshMs);
  const size = useTerminalSize();
  const [selected, setSelected] = useState<ReadModelName>(initialModel);
  // Keys typed faster than a render (`2` then `b`) must act on the model just selected, not the one last rendered.
  const selectedNow = useRef(selected);
  const [message, setMessage] = useState<{ text: string; tone: Tone } | null>(null);
  const { isRawModeSupported } = useStdin();
  const control = state.control;

  const act = (control: LiveControl, action: ControlAction) => {
    setMessage({ text: `… ${action.kind}${'target' in action ? ` ${action.target}` : ''}`, tone: 'muted' });
    control.send(action).then(
      (r) => setMessage({ text: `${r.ok ? '✓' : '✗'} ${r.message}`, tone: r.ok ? 'ok' : 'bad' }),
      (err: unknown) => setMessage({ text: `✗ ${err instanceof Error ? err.message : String(err)}`, tone: 'bad' }),
    );
  };

  useInput(
    (input, key) => {
      // The feed as it is now, not as last rendered: control wired a moment ago must answer the next key.
      const current = feed.snapshot();
      const liveControl = current.control;
      const command = keyCommand(
        { input, upArrow: key.upArrow, downArrow: key.downArrow, tab: key.tab, ctrl: key.ctrl },
        {
          selected: selectedNow.current,
          telemetry: current.telemetry,
          canControl: liveControl !== undefined && current.report === undefined,
        },
      );
      switch (command.kind) {
        case 'quit':
          setMessage({ text: 'quitting…', tone: 'muted' });
          onQuit();
          return;
        case 'select':
          selectedNow.current = command.model;
          setSelected(command.model);
          return;
        case 'control':
          if (liveControl) act(liveControl, command.action);
          return;
        case 'none':
          return;
        default: {
          const never: never = command;
          return never;
        }
      }
    },
    // ink's flag is stdin.isTTY, which is undefined (not false) for a file or /dev/null, and an undefined
    // isActive means "active": ink would then ask for raw mode and throw.
    { isActive: isRawModeSupported === true },
  );

  return (
    <Dashboard
      telemetry={state.telemetry}
      history={state.history}
      {...(state.report ? { report: state.report } : {})}
      selected={selected}
      message={message}
      canControl={control !== undefined}
      columns={size.columns}
      rows={size.rows}
      noDataForMs={state.receivedAtMs === undefined ? 0 : Math.max(0, nowMs - state.receivedAtMs)}
      waiting={state.waiting}
    />
  );
}
