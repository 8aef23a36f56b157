import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { InventoryMode } from '../domain/inventoryCheck.js';
import type { ProjectionPlugins } from '../plugins/projectionPlugin.js';
import { buildHttpServer, listen } from '../http/server.js';
import { createOwnedTempDir, removeOwnedTempDir } from '../process/ownedTempDir.js';
import { onShutdownSignals } from '../process/shutdownSignals.js';
import { sweepStaleTempDirs } from '../process/staleTempDirs.js';
import { FaultController } from '../scenarios/faultController.js';
import { serveTelemetry } from '../scenarios/telemetryService.js';
import { startSystem } from '../system/startSystem.js';
import { systemPort } from '../system/systemPort.js';
import { openBroker, pidFileOf, type Broker } from './broker.js';
import { lockDataDir } from './dataDirLock.js';
import { seedCatalog } from './seedCatalog.js';
import { selfCommand } from './selfCommand.js';

export interface UpOptions {
  readonly httpPort: number;
  readonly host: string;
  readonly dataDir: string | undefined;
  readonly inventoryMode: InventoryMode;
  /** `--projection`: plug-ins in place of built-in read models; the HTTP queries read their models. */
  readonly plugins?: ProjectionPlugins;
  /** What the banner says of them. */
  readonly pluginLines?: readonly string[];
}

/** Thrown inside startup when a signal arrived meanwhile: skip the rest, drain what started. */
class StartupInterrupted extends Error {
  override readonly name = 'StartupInterrupted';
}

/**
 * `cqrs-testbed up`: broker (private or NATS_URL), the whole system, a seeded catalogue and the HTTP API. Runs
 * until SIGINT/SIGTERM/SIGHUP, then drains and returns (exit 0). Prints the URLs to stdout; logs go to stderr.
 * Whatever started is stopped again, in reverse order, also when a later step fails or a signal interrupts startup.
 */
export async function up(options: UpOptions, log: Logger): Promise<void> {
  await sweepStaleTempDirs(log);
  // Owned (src/process/): removed on exit, even a forced one; after a kill -9, by the next start's sweep.
  const temp = options.dataDir === undefined ? createOwnedTempDir('cqrs-testbed-') : undefined;
  const dataDir = temp ?? resolve(options.dataDir ?? '.');
  const undo: { readonly what: string; readonly run: () => unknown }[] = [];
  if (temp) undo.push({ what: 'remove temporary data dir', run: () => removeOwnedTempDir(temp) });
  const signals = onShutdownSignals(log, (signal) => {
    process.stderr.write(`cqrs-testbed: ${signal} again: exiting without draining\n`);
    process.exit(130);
  });
  const step = async <T>(what: string, start: () => Promise<T> | T, stop?: (value: T) => unknown): Promise<T> => {
    if (signals.received) throw new StartupInterrupted(what);
    const value = await start();
    if (stop) undo.push({ what, run: () => stop(value) });
    if (signals.received) throw new StartupInterrupted(what);
    return value;
  };

  try {
    if (!temp) {
      mkdirSync(dataDir, { recursive: true });
      await step('lock data dir', () => lockDataDir(dataDir), (lock) => lock.release());
    }
    const broker = await step('broker', () => openBroker(log, join(dataDir, 'nats'), 'cqrs-testbed'), (b) => b.close());
    // The fault switchboard stays idle unless a dashboard (`cqrs-testbed dashboard`) injects a handler bug.
    const faults = new FaultController();
    const system = await step('system', () => startSystem({
      transport: broker.transport, log, dataDir, inventoryMode: options.inventoryMode, wrapView: faults.wrapView, wrapHandler: faults.wrapHandler,
      ...(options.plugins ? { plugins: options.plugins } : {}),
    }), (s) => s.stop());
    await step('telemetry', () => serveTelemetry({ system, transport: broker.transport, log: log.child({ actor: 'telemetry' }), faults, ...(broker.server ? { broker: broker.server } : {}) }), (t) => t.stop());
    const ids = { newId: () => randomUUID(), now: () => new Date().toISOString() };
    const seeded = await step('seed catalogue', () => seedCatalog(system, systemPort(system, ids)));
    const app = buildHttpServer(system, log, { ...ids });
    const url = await step('http', () => listen(app, { host: options.host, port: options.httpPort }), () => app.close());
    process.stdout.write(banner(url, broker, dataDir, temp !== undefined, seeded, options.inventoryMode, options.pluginLines ?? []));
    await signals.next;
  } catch (err: unknown) {
    if (!(err instanceof StartupInterrupted)) throw err;
    log.info({ interrupted: err.message }, 'startup interrupted');
  } finally {
    // app.close() first: no new requests; system.stop() drains orders in flight and the outboxes; then the broker.
    for (const done of undo.reverse()) {
      try {
        await done.run();
      } catch (err: unknown) {
        log.error({ err, step: done.what }, 'shutdown step failed; continuing');
      }
    }
    signals.dispose();
  }
  process.stdout.write('stopped cleanly\n');
}

function banner(url: string, broker: Broker, dataDir: string, temporary: boolean, seeded: number, mode: InventoryMode, pluginLines: readonly string[]): string {
  const brokerLine = broker.server
    ? `${broker.url} (private nats-server pid ${broker.server.pid}, restarted if it dies, stopped on exit; pid file ${pidFileOf(join(dataDir, 'nats'))})`
    : `${broker.url} (NATS_URL)`;
  return [
    `cqrs-testbed is up (inventory mode: ${mode}; ${seeded} products seeded)`,
    `  HTTP API   ${url}`,
    `  health     ${url}/health`,
    `  try        curl -s ${url}/inventory/products/prod_abc`,
    `  broker     ${brokerLine}`,
    `  dashboard  ${selfCommand()} dashboard --nats-url ${broker.url}`,
    ...pluginLines.map((line) => `  ${line}`),
    `  data       ${dataDir}${temporary ? ' (temporary; pass --data-dir DIR to keep it)' : ' (kept; start again with the same --data-dir to resume)'}`,
    '  Ctrl-C drains the consumers and exits.',
    '',
  ].join('\n');
}
