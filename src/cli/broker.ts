import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { connectJetStream } from '../transport/jetstream/jetstreamTransport.js';
import { startNatsServer, type NatsServerProcess } from '../transport/natsServerProcess.js';
import type { Transport } from '../transport/port.js';
import { superviseBroker, type BrokerSupervisor } from './brokerSupervisor.js';

export interface Broker {
  readonly transport: Transport;
  readonly url: string;
  /** The private nats-server child, when we started one (NATS_URL unset). */
  readonly server: NatsServerProcess | undefined;
  close(): Promise<void>;
}

/** Where the private broker writes its pid, inside its store dir. */
export const pidFileOf = (storeDir: string): string => join(storeDir, 'nats-server.pid');

/**
 * Connects to `NATS_URL` when set; otherwise starts a private `nats-server -js` on a free loopback port with its
 * store in `storeDir`, supervised (restarted if it dies), in its own process group (Ctrl-C reaches only us; we
 * drain, then stop it), guarded against outliving us, and with a pid file so a later start can stop an orphan.
 */
export async function openBroker(log: Logger, storeDir: string, name: string): Promise<Broker> {
  const external = process.env.NATS_URL;
  if (external) {
    const transport = await connectJetStream({ servers: external, name, log: log.child({ actor: 'transport' }) });
    return { transport, url: external, server: undefined, close: () => transport.close() };
  }
  mkdirSync(storeDir, { recursive: true });
  const serverLog = log.child({ actor: 'nats-server' });
  const server = await startNatsServer({ storeDir, log: serverLog, pidFile: pidFileOf(storeDir), detach: true });
  let supervisor: BrokerSupervisor | undefined;
  try {
    supervisor = superviseBroker(server, serverLog);
    const transport = await connectJetStream({ servers: server.url, name, log: log.child({ actor: 'transport' }) });
    const started = supervisor;
    return {
      transport,
      url: server.url,
      server,
      async close() {
        await started.close();
        await transport.close();
        await server.stop();
      },
    };
  } catch (err: unknown) {
    await supervisor?.close();
    await server.stop();
    throw err;
  }
}
