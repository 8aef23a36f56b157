import type { Logger } from 'pino';
import { realClock, sleep } from '../actors/clock.js';
import {
  CONTROL_SUBJECT,
  TELEMETRY_SUBJECT,
  type ControlResult,
  type LiveControl,
  type Telemetry,
} from '../scenarios/telemetry.js';
import { connectJetStream } from '../transport/jetstream/jetstreamTransport.js';
import type { Transport } from '../transport/port.js';
import { createTelemetryFeed, type TelemetryFeed } from './feed.js';
import { startDashboard } from './runDashboard.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const REQUEST_TIMEOUT_MS = 1_000;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Live control of a system in another process: each action is a request on the control subject. */
export function remoteControl(transport: Transport): LiveControl {
  return {
    async send(action) {
      const reply = await transport.request(CONTROL_SUBJECT, encoder.encode(JSON.stringify(action)), 2_000);
      return JSON.parse(decoder.decode(reply)) as ControlResult;
    },
  };
}

/** Asks for a snapshot every `pollMs` until `signal` aborts; a missing answer leaves the last one (aging) on screen. */
export async function pollTelemetry(
  transport: Transport,
  feed: TelemetryFeed,
  signal: AbortSignal,
  pollMs: number,
  where: string,
  log: Logger,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const reply = await transport.request(TELEMETRY_SUBJECT, new Uint8Array(), REQUEST_TIMEOUT_MS);
      feed.push(JSON.parse(decoder.decode(reply)) as Telemetry);
    } catch (err: unknown) {
      log.debug({ err }, 'no telemetry');
      feed.setWaiting(
        `no answer on ${TELEMETRY_SUBJECT} from ${where} (${message(err)}); is \`cqrs-testbed up\` running there? q quits`,
      );
    }
    await sleep(realClock, pollMs, signal);
  }
}

/**
 * `cqrs-testbed dashboard`: the live dashboard of a system started elsewhere with `cqrs-testbed up`, through NATS
 * only, so it works wherever the services run. Exit 0 on quit, 1 if the screen fails, 2 when the broker cannot be
 * reached at all. The caller has checked that the terminal can host it (./terminal.ts).
 */
export async function dashboardCommand(options: {
  readonly natsUrl: string;
  readonly log: Logger;
  readonly pollMs?: number;
}): Promise<number> {
  let transport: Transport;
  try {
    transport = await connectJetStream({
      servers: options.natsUrl,
      name: 'cqrs-testbed-dashboard',
      log: options.log.child({ actor: 'transport' }),
    });
  } catch (err: unknown) {
    process.stderr.write(`cqrs-testbed dashboard: cannot reach ${options.natsUrl}: ${message(err)}\n`);
    return 2;
  }
  const feed = createTelemetryFeed(Date.now, `asking ${options.natsUrl} for telemetry…`);
  feed.setControl(remoteControl(transport));
  const quit = new AbortController();
  const dashboard = startDashboard({ feed, onQuit: () => quit.abort() });
  // Without its screen nobody can press q: stop polling instead of waiting forever.
  let failure: Error | undefined;
  void dashboard.failed.then((err) => {
    failure = err;
    quit.abort();
  });
  try {
    await pollTelemetry(transport, feed, quit.signal, options.pollMs ?? 250, options.natsUrl, options.log);
  } finally {
    await dashboard.close();
    await transport.close();
  }
  if (failure) {
    options.log.error({ err: failure }, 'dashboard failed');
    process.stderr.write(`cqrs-testbed dashboard: the dashboard stopped: ${failure.message}\n`);
    return 1;
  }
  return 0;
}
