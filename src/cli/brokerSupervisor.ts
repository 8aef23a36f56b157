import type { Logger } from 'pino';
import type { NatsServerExit, NatsServerProcess } from '../transport/natsServerProcess.js';

/** How hard `up` tries to keep its private broker alive. Every number is a bound. */
export interface BrokerSupervisorSettings {
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
  /** Restarts in a row that did not stay up for `stableMs`; after that we stop trying and say so. */
  readonly maxConsecutiveRestarts: number;
  readonly stableMs: number;
}

export const DEFAULT_BROKER_SUPERVISOR_SETTINGS: BrokerSupervisorSettings = {
  backoffMsMin: 200,
  backoffMsMax: 5_000,
  maxConsecutiveRestarts: 20,
  stableMs: 30_000,
};

export interface BrokerSupervisor {
  /** Restarts done so far. */
  readonly restarts: number;
  /** Stops supervising; waits for a restart in progress to finish, so the caller can then stop the server. */
  close(): Promise<void>;
}

/**
 * Restarts the private nats-server (same port, same store) when it dies on its own, with exponential backoff. A
 * testbed user who kills the broker to see what happens expects it back, as a real deployment's supervisor would
 * bring it back; the clients reconnect by themselves. A plain loop rather than an XState machine: it has one state
 * worth naming (waiting to restart) and nothing else in the system reacts to it. Stops and kills asked for through
 * the server's own API are not restarted.
 */
export function superviseBroker(
  server: NatsServerProcess,
  log: Logger,
  settings = DEFAULT_BROKER_SUPERVISOR_SETTINGS,
): BrokerSupervisor {
  let closed = false;
  let restarts = 0;
  let failures = 0;
  let lastStartMs = Date.now();
  let pending: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const restartLoop = async (exit: NatsServerExit): Promise<void> => {
    while (!closed) {
      if (failures >= settings.maxConsecutiveRestarts) {
        log.error(
          { failures },
          'private nats-server keeps dying; no more restarts (restart cqrs-testbed to try again)',
        );
        return;
      }
      const delayMs = Math.min(settings.backoffMsMax, settings.backoffMsMin * 2 ** failures);
      failures++;
      log.warn(
        { pid: exit.pid, code: exit.code, signal: exit.signal, delayMs, attempt: failures },
        'private nats-server died; restarting it',
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (closed) return;
      try {
        await server.restart();
        lastStartMs = Date.now();
        restarts++;
        log.info({ pid: server.pid, restarts }, 'private nats-server restarted');
        return;
      } catch (err: unknown) {
        log.warn({ err, attempt: failures }, 'private nats-server restart failed');
      }
    }
  };

  const unsubscribe = server.onExit((exit) => {
    if (exit.requested || closed || pending) return;
    if (Date.now() - lastStartMs >= settings.stableMs) failures = 0;
    pending = restartLoop(exit).finally(() => {
      pending = undefined;
    });
  });

  return {
    get restarts() {
      return restarts;
    },
    async close() {
      closed = true;
      unsubscribe();
      wake?.();
      await pending;
    },
  };
}
