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
import { inProcessView } from '../scenarios/systemView.js';
import { serveTelemetry } from '../scenarios/telemetryService.js';
import { startSystem } from '../system/startSystem.js';
import { systemPort } from '../system/systemPort.js';
import { EVENT_STREAM } from '../transport/port.js';
import { leaderKeysOf, openBroker, pidFileOf, type Broker } from './broker.js';
import { processesBanner, serveProcessesTelemetry } from './upProcesses.js';
import { startServiceProcesses } from '../topology/startServiceProcesses.js';
import { lockDataDir } from './dataDirLock.js';
import { seedCatalog } from '../system/seedCatalog.js';
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
  /** Broker nodes: 1, or a cluster of 3 (or 5) with the stream on every node. */
  readonly brokers?: number;
  /** `single`: the whole system in this process (default); `processes`: one OS process per service. */
  readonly topology?: 'single' | 'processes';
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
  const signals = onShutdownSignals(log, (signal) => {
    process.stderr.write(`cqrs-testbed: ${signal} again: exiting without draining\n`);
    process.exit(130);
  });
  const startup = new Startup(() => signals.received !== undefined);
  if (temp) startup.undoLater('remove temporary data dir', () => removeOwnedTempDir(temp));
  try {
    if (!temp) {
      mkdirSync(dataDir, { recursive: true });
      await startup.step(
        'lock data dir',
        () => lockDataDir(dataDir),
        (lock) => lock.release(),
      );
    }
    await serve(startup, options, log, dataDir, temp !== undefined);
    await signals.next;
  } catch (err: unknown) {
    if (!(err instanceof StartupInterrupted)) throw err;
    log.info({ interrupted: err.message }, 'startup interrupted');
  } finally {
    // app.close() first: no new requests; system.stop() drains orders in flight and the outboxes; then the broker.
    await startup.undoAll(log);
    signals.dispose();
  }
  process.stdout.write('stopped cleanly\n');
}

/** Startup steps, each undone in reverse order at shutdown; a signal between steps interrupts the rest. */
class Startup {
  private readonly undo: { readonly what: string; readonly run: () => unknown }[] = [];

  constructor(private readonly interrupted: () => boolean) {}

  undoLater(what: string, run: () => unknown): void {
    this.undo.push({ what, run });
  }

  async step<T>(what: string, start: () => Promise<T> | T, stop?: (value: T) => unknown): Promise<T> {
    if (this.interrupted()) throw new StartupInterrupted(what);
    const value = await start();
    if (stop) this.undoLater(what, () => stop(value));
    if (this.interrupted()) throw new StartupInterrupted(what);
    return value;
  }

  async undoAll(log: Logger): Promise<void> {
    for (const done of this.undo.reverse()) {
      try {
        await done.run();
      } catch (err: unknown) {
        log.error({ err, step: done.what }, 'shutdown step failed; continuing');
      }
    }
    this.undo.length = 0;
  }
}

/** Broker, system, telemetry, catalogue and HTTP, each a startup step; prints the banner once all are up. */
async function serve(startup: Startup, options: UpOptions, log: Logger, dataDir: string, temporary: boolean) {
  const broker = await startup.step(
    'broker',
    () => openBroker(log, join(dataDir, 'nats'), 'cqrs-testbed', options.brokers ?? 1),
    (b) => b.close(),
  );
  if (options.topology === 'processes') {
    const supervisor = await startup.step(
      'service processes',
      () =>
        startServiceProcesses(
          broker,
          dataDir,
          {
            inventoryMode: options.inventoryMode,
            http: { host: options.host, port: options.httpPort },
            logLevel: log.level,
          },
          log,
        ),
      (s) => s.stop(),
    );
    await startup.step(
      'telemetry',
      () => Promise.resolve(serveProcessesTelemetry(supervisor, broker, dataDir, log)),
      (t) => t.stop(),
    );
    process.stdout.write(processesBanner(supervisor, broker, dataDir, temporary));
    return;
  }
  // The fault switchboard stays idle unless a dashboard (`cqrs-testbed dashboard`) injects a handler bug.
  const faults = new FaultController();
  const systemOptions = {
    transport: broker.transport,
    log,
    dataDir,
    inventoryMode: options.inventoryMode,
    wrapView: faults.wrapView,
    wrapHandler: faults.wrapHandler,
    ...(options.plugins ? { plugins: options.plugins } : {}),
  };
  const system = await startup.step(
    'system',
    () => startSystem(systemOptions),
    (s) => s.stop(),
  );
  const cluster = broker.cluster;
  const telemetry = {
    system,
    view: inProcessView(system),
    transport: broker.transport,
    log: log.child({ actor: 'telemetry' }),
    faults,
    ...(broker.server ? { broker: broker.server } : {}),
    ...(cluster ? { brokerNodes: () => cluster.nodeStates(EVENT_STREAM), brokerNodeKeys: leaderKeysOf(cluster) } : {}),
  };
  await startup.step(
    'telemetry',
    () => serveTelemetry(telemetry),
    (t) => t.stop(),
  );
  const ids = { newId: () => randomUUID(), now: () => new Date().toISOString() };
  const everAdjusted = (productId: string) => system.inventoryStore.everAdjusted(productId);
  const seeded = await startup.step('seed catalogue', () => seedCatalog(everAdjusted, systemPort(system, ids)));
  const app = buildHttpServer(system, log, { ...ids });
  const listening = { host: options.host, port: options.httpPort };
  const url = await startup.step(
    'http',
    () => listen(app, listening),
    () => app.close(),
  );
  const pluginLines = options.pluginLines ?? [];
  process.stdout.write(banner(url, broker, dataDir, temporary, seeded, options.inventoryMode, pluginLines));
}

function banner(
  url: string,
  broker: Broker,
  dataDir: string,
  temporary: boolean,
  seeded: number,
  mode: InventoryMode,
  pluginLines: readonly string[],
): string {
  const brokerLine = broker.server
    ? `${broker.url} (private nats-server pid ${broker.server.pid}, restarted if it dies, stopped on exit; pid file ${pidFileOf(join(dataDir, 'nats'))})`
    : broker.cluster
      ? `${broker.url} (private ${broker.cluster.nodes.length}-node JetStream cluster, pids ${broker.cluster.nodes.map((n) => n.pid).join(' ')}, stream on ${broker.replicas} replicas; a node that dies is restarted)`
      : `${broker.url} (NATS_URL${broker.replicas > 1 ? `; stream on ${broker.replicas} replicas` : ''})`;
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
