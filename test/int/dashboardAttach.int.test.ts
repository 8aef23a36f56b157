/**
 * `cqrs-testbed dashboard` attaches to a system another process started with `cqrs-testbed up`, through NATS only:
 * `up` answers telemetry on `telemetry.cqrs-testbed` and takes live control on `telemetry.cqrs-testbed.control`.
 * Real processes, a real nats-server, and the dashboard itself in a real terminal (tmux).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import {
  CONTROL_SUBJECT,
  TELEMETRY_SUBJECT,
  type ControlAction,
  type ControlResult,
  type Telemetry,
} from '../../src/scenarios/telemetry.js';
import { connectJetStream } from '../../src/transport/jetstream/jetstreamTransport.js';
import type { Transport } from '../../src/transport/port.js';
import { eventually } from '../helpers/eventually.js';
import { http, spawnTestbed, type Testbed, type UpBanner } from '../helpers/cliProcess.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const socket = `cqrs-attach-${process.pid}`;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const order = (customerId: string) => ({
  customerId,
  items: [{ productId: 'prod_abc', quantity: 1 }],
  shippingAddress: '1 Test St',
});

describe('cqrs-testbed dashboard, attached to cqrs-testbed up over NATS', () => {
  let testbed: Testbed;
  let banner: UpBanner;
  let transport: Transport;

  const telemetry = async (): Promise<Telemetry> =>
    JSON.parse(decoder.decode(await transport.request(TELEMETRY_SUBJECT, new Uint8Array(), 5_000))) as Telemetry;
  const control = async (action: ControlAction | Record<string, unknown>): Promise<ControlResult> =>
    JSON.parse(
      decoder.decode(await transport.request(CONTROL_SUBJECT, encoder.encode(JSON.stringify(action)), 5_000)),
    ) as ControlResult;

  beforeAll(async () => {
    testbed = spawnTestbed(['up', '--http-port', '0']);
    banner = await testbed.up();
    transport = await connectJetStream({ servers: banner.brokerUrl, name: 'dashboard-test', log: silentLogger() });
  });

  afterAll(async () => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    await transport?.close();
    await testbed?.stop('SIGTERM');
    testbed?.destroy();
  });

  it('answers telemetry: every read model equal to the oracle once caught up, broker connected', async () => {
    await http('POST', `${banner.url}/orders`, order('cust_1'));
    const t = await eventually(
      async () => {
        const x = await telemetry();
        return x.models['customer-order-summary'].divergence.ok === 1 ? x : undefined;
      },
      { what: 'the summary caught up', intervalMs: 50, retryOnError: true },
    );
    expect(t).toMatchObject({
      source: 'up',
      phase: 'running',
      broker: 'connected',
      brokerPaused: false,
      orders: { placed: 1 },
    });
    for (const m of Object.values(t.models))
      expect(m).toMatchObject({ divergence: { missing: 0, unexpected: 0, wrong: 0, duplicated: 0 }, lagEvents: 0 });
  });

  it('stops a consumer on request: the summary falls behind the oracle, and converges once started again', async () => {
    expect(await control({ kind: 'stopConsumer', target: 'customer-order-summary' })).toEqual({
      ok: true,
      message: 'stopped customer-order-summary',
    });
    for (const c of ['cust_2', 'cust_3', 'cust_4'])
      expect((await http('POST', `${banner.url}/orders`, order(c))).status).toBe(201);
    const behind = await eventually(
      async () => {
        const x = await telemetry();
        const s = x.models['customer-order-summary'];
        // Not yet applied (stale), not missing: the stopped consumer's lag explains all three.
        return s.state === 'stopped' &&
          s.divergence.notYetApplied === 3 &&
          s.divergence.missing === 0 &&
          s.lagEvents > 0
          ? x
          : undefined;
      },
      { what: 'the summary missing orders', intervalMs: 50, retryOnError: true },
    );
    expect(behind.timeline).toEqual([
      expect.objectContaining({
        label: 'customer-order-summary consumer stopped (live)',
        status: 'active',
        live: true,
      }),
    ]);
    expect(
      ((await http('GET', `${banner.url}/health`)).body as { consumers: { name: string; state: string }[] }).consumers,
    ).toContainEqual(expect.objectContaining({ name: 'customer-order-summary', state: 'stopped' }));

    expect((await control({ kind: 'startConsumer', target: 'customer-order-summary' })).ok).toBe(true);
    const caughtUp = await eventually(
      async () => {
        const x = await telemetry();
        const s = x.models['customer-order-summary'];
        return s.divergence.notYetApplied === 0 && s.divergence.missing === 0 && s.divergence.ok === 4 ? x : undefined;
      },
      { what: 'the summary converged', intervalMs: 50, retryOnError: true },
    );
    expect(caughtUp.timeline.map((e) => e.status)).toEqual(['past', 'past']);
  });

  it('refuses what is not a control action', async () => {
    expect(await control({ kind: 'dropTables', target: 'products' })).toEqual({
      ok: false,
      message: 'not a control action',
    });
    expect(await control({ kind: 'stopConsumer', target: 'orders' })).toEqual({
      ok: false,
      message: 'not a control action',
    });
  });

  it('renders it in a terminal: `cqrs-testbed dashboard --nats-url …` shows the attached system', async () => {
    const version = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
    if (version.error || version.status !== 0)
      throw new Error('tmux is not installed; this test needs a real terminal: apt-get install -y tmux');
    const statusFile = join(mkdtempSync(join(tmpdir(), 'cqrs-attach-')), 'exit-status');
    const command = `cd ${root} && CI=0 node bin/cqrs-testbed dashboard --nats-url ${banner.brokerUrl} --log-file /dev/null; echo $? > ${statusFile}; sleep 60`;
    spawnSync('tmux', [
      '-L',
      socket,
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'dash',
      '-x',
      '100',
      '-y',
      '24',
      command,
    ]);
    const screen = await eventually(
      () => {
        const text = spawnSync('tmux', ['-L', socket, 'capture-pane', '-p', '-t', 'dash'], { encoding: 'utf8' }).stdout;
        return /› summary +idle +4 +0 +0 +0 +0/.test(text) ? text : undefined;
      },
      { what: 'the dashboard showing the summary', timeoutMs: 20_000, intervalMs: 200, retryOnError: true },
    );
    expect(screen).toMatch(/attached to a running system +up \d+\.\d s {2}running {2}broker connected/);
    expect(screen).toMatch(/customer-order-summary consumer stopped \(live\)/);
    spawnSync('tmux', ['-L', socket, 'send-keys', '-t', 'dash', 'q']);
    const status = await eventually(
      () => (existsSync(statusFile) ? readFileSync(statusFile, 'utf8').trim() : undefined),
      { what: 'the dashboard quitting on q', timeoutMs: 10_000, intervalMs: 100, retryOnError: true },
    );
    expect(status).toBe('0');
    rmSync(dirname(statusFile), { recursive: true, force: true });
  });
});
