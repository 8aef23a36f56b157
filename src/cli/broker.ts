import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { connectJetStream } from '../transport/jetstream/jetstreamTransport.js';
import { startNatsServer, type NatsServerProcess } from '../transport/natsServerProcess.js';
import type { Transport } from '../transport/port.js';

export interface Broker {
  readonly transport: Transport;
  readonly url: string;
  /** The private nats-server child, when we started one (NATS_URL unset). */
  readonly server: NatsServerProcess | undefined;
  close(): Promise<void>;
}

/**
 * Connects to `NATS_URL` when set; otherwise starts a private `nats-server -js` on a free loopback port whose
 * store lives in `<dataDir>/nats` (kept) or a temporary directory (removed on close).
 */
export async function openBroker(log: Logger, dataDir: string | undefined, name: string): Promise<Broker> {
  const external = process.env.NATS_URL;
  if (external) {
    const transport = await connectJetStream({ servers: external, name, log: log.child({ actor: 'transport' }) });
    return { transport, url: external, server: undefined, close: () => transport.close() };
  }
  const temp = dataDir === undefined ? mkdtempSync(join(tmpdir(), 'cqrs-testbed-nats-')) : undefined;
  const storeDir = temp ?? join(dataDir ?? '.', 'nats');
  mkdirSync(storeDir, { recursive: true });
  const server = await startNatsServer({ storeDir, log: log.child({ actor: 'nats-server' }) });
  const transport = await connectJetStream({ servers: server.url, name, log: log.child({ actor: 'transport' }) });
  return {
    transport,
    url: server.url,
    server,
    async close() {
      await transport.close();
      await server.stop();
      if (temp) rmSync(temp, { recursive: true, force: true });
    },
  };
}
