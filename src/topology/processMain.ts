/**
 * The entry of one service process of the multi-process topology (`cqrs-testbed service <kind>`, started by `up
 * --topology processes`): connect to the broker, run its part, print one `ready` line, and run until told to stop —
 * a signal, or its parent (the supervisor) gone, so a killed `up` leaves no service behind.
 */
import type { Logger } from 'pino';
import { listen } from '../http/server.js';
import { onShutdownSignals } from '../process/shutdownSignals.js';
import { connectJetStream } from '../transport/jetstream/jetstreamTransport.js';
import { buildHttpProcess } from './httpProcess.js';
import { startServiceProcess, type RunningService, type ServiceKind } from './serviceProcesses.js';
import type { ConsumerSettings } from '../actors/consumerSettings.js';
import type { InventoryMode } from '../domain/inventoryCheck.js';

export type ProcessKind = ServiceKind | 'http';

export interface ProcessMainOptions {
  readonly kind: ProcessKind;
  readonly natsUrl: string;
  readonly dataDir: string;
  readonly inventoryMode: InventoryMode;
  readonly streamReplicas: number;
  readonly seedCatalog: boolean;
  readonly http: { readonly host: string; readonly port: number };
  /** The consumers' settings where not the defaults. */
  readonly consumer?: Partial<Omit<ConsumerSettings, 'clock'>>;
  /** The supervisor's pid: when it is gone, this process stops too. */
  readonly parentPid?: number;
  readonly log: Logger;
}

const PARENT_CHECK_MS = 1_000;

export async function processMain(o: ProcessMainOptions): Promise<number> {
  const signals = onShutdownSignals(o.log, () => process.exit(130));
  const transport = await connectJetStream({
    servers: o.natsUrl,
    name: `service-${o.kind}`,
    log: o.log,
    streamReplicas: o.streamReplicas,
  });
  let service: RunningService;
  if (o.kind === 'http') {
    const app = buildHttpProcess(transport, o.log);
    const url = await listen(app, o.http);
    service = { stop: () => app.close() };
    process.stdout.write(`ready http ${url}\n`);
  } else {
    service = await startServiceProcess(o.kind, { ...o, transport });
    process.stdout.write(`ready ${o.kind} ${service.detail ?? ''}\n`);
  }
  const parentGone = new Promise<void>((resolve) => {
    if (o.parentPid === undefined) return;
    const timer = setInterval(() => {
      try {
        process.kill(o.parentPid ?? 0, 0);
      } catch {
        clearInterval(timer);
        resolve();
      }
    }, PARENT_CHECK_MS);
    timer.unref();
  });
  await Promise.race([signals.next, parentGone]);
  await service.stop();
  await transport.close();
  signals.dispose();
  return 0;
}
