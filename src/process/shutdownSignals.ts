import { constants } from 'node:os';
import type { Logger } from 'pino';

export interface ShutdownSignals {
  /** The first SIGINT/SIGTERM/SIGHUP, once one has arrived. */
  readonly received: NodeJS.Signals | undefined;
  /** Resolves with the first signal. */
  readonly next: Promise<NodeJS.Signals>;
  dispose(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Installed before anything starts, so a Ctrl-C during startup still drains what did start. The first signal asks
 * for a drain; a second one means "now": exit at once with 130 (the private broker is SIGKILLed by its owner's exit
 * hook, and its guard), for when a drain hangs.
 */
export function onShutdownSignals(log: Logger, forceExit: (signal: NodeJS.Signals) => void): ShutdownSignals {
  let received: NodeJS.Signals | undefined;
  let resolveNext: (signal: NodeJS.Signals) => void = () => undefined;
  const next = new Promise<NodeJS.Signals>((resolve) => {
    resolveNext = resolve;
  });
  const handler = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      log.warn({ signal }, 'second signal: exiting now without draining');
      forceExit(signal);
      return;
    }
    received = signal;
    log.info({ signal }, 'shutting down: draining');
    resolveNext(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    get received() {
      return received;
    },
    next,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}

/** 128 + the signal's number, as a shell reports a process a signal ended: SIGHUP 129, SIGINT 130, SIGTERM 143. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * For commands with nothing worth draining (`check`, `bench`): the first SIGINT/SIGTERM/SIGHUP ends the process at
 * once with 128+n, after `say(signal)`. What they started goes with it: the exit hooks kill the private brokers and
 * remove their temp dirs (src/process/ownedTempDir.ts). Returns the function that uninstalls the handlers.
 */
export function exitOnSignals(say: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    say(signal);
    process.exit(signalExitCode(signal));
  };
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.off(s, handler);
  };
}
