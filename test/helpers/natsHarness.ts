/**
 * A real nats-server in a fresh temp store dir, for integration tests. A missing binary fails the suite with the
 * install instructions: integration tests never skip and never fall back to a fake.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type NatsServerProcess } from '../../src/transport/natsServerProcess.js';

export interface TestBroker {
  readonly server: NatsServerProcess;
  readonly url: string;
  /** The store dir; removed by `stop`. */
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'cqrs-nats-'));
  let server: NatsServerProcess;
  try {
    server = await startNatsServer({ storeDir: dir });
  } catch (err: unknown) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    server,
    url: server.url,
    dir,
    stop: () => {
      stopping ??= (async () => {
        try {
          await server.stop();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
  };
}
