import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startSystem } from '../actors/system.js';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import { buildHttpServer, listen } from '../http/server.js';
import { openBroker } from './broker.js';
import { seedCatalog } from './seedCatalog.js';

export interface UpOptions {
  readonly httpPort: number;
  readonly host: string;
  readonly dataDir: string | undefined;
  readonly inventoryMode: InventoryMode;
}

/**
 * `cqrs-testbed up`: broker (private or NATS_URL), the whole system, a seeded catalogue and the HTTP API. Runs
 * until SIGINT/SIGTERM, then drains and exits 0. Prints the URLs to stdout; logs go to stderr.
 */
export async function up(options: UpOptions, log: Logger): Promise<void> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cqrs-testbed-'));
  const temp = options.dataDir === undefined ? dataDir : undefined;
  const broker = await openBroker(log, dataDir, 'cqrs-testbed');
  const system = await startSystem({ transport: broker.transport, log, dataDir, inventoryMode: options.inventoryMode });
  const ids = { newId: () => randomUUID(), now: () => new Date().toISOString() };
  const seeded = await seedCatalog(system, ids);
  const app = buildHttpServer(system, log, { ...ids });
  const url = await listen(app, { host: options.host, port: options.httpPort });

  process.stdout.write(
    [
      `cqrs-testbed is up (inventory mode: ${options.inventoryMode}; ${seeded} products seeded)`,
      `  HTTP API   ${url}`,
      `  health     ${url}/health`,
      `  try        curl -s ${url}/inventory/products/prod_abc`,
      `  broker     ${broker.url}${broker.server ? ' (private nats-server, stopped on exit)' : ' (NATS_URL)'}`,
      `  data       ${dataDir}${temp ? ' (temporary; pass --data-dir DIR to keep it)' : ''}`,
      '  Ctrl-C drains the consumers and exits.',
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  await app.close();
  await system.stop();
  await broker.close();
  if (temp) rmSync(temp, { recursive: true, force: true });
  process.stdout.write('stopped cleanly\n');
}
