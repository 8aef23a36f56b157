import type { Logger } from 'pino';
import { realClock, type Clock } from '../actors/clock.js';
import type { RunningSystem } from '../system/startSystem.js';
import type { BrokerNodeState } from '../transport/natsCluster.js';
import type { Service, Transport } from '../transport/port.js';
import type { FaultController } from './faultController.js';
import { IncrementalOracle } from './incrementalOracle.js';
import { createLiveControl, killLeaderNode, type LiveBrokerNodes, type LiveStep } from './liveControl.js';
import { modelsTelemetry, timelineEntries, type RanStep } from './runTelemetry.js';
import {
  CONTROL_SUBJECT,
  parseControlAction,
  TELEMETRY_SUBJECT,
  isProcessAction,
  type ControlResult,
  type ProcessAction,
  type ProcessTelemetry,
  type Telemetry,
} from './telemetry.js';
import type { SystemView } from './systemView.js';
import type { BrokerControl } from './timeline.js';

export interface TelemetryServiceOptions {
  /** The system as the snapshots read it: in this process, or its service processes (src/topology/). */
  readonly view: SystemView;
  /** The system, where it runs in this process: the dashboard's keys act on it; without it they are refused. */
  readonly system?: RunningSystem;
  /** The service processes, as each snapshot shows them (`up --topology processes`). */
  readonly processes?: () => readonly ProcessTelemetry[];
  /** The dashboard's process keys there: kill, freeze, thaw; `record` puts each on the live timeline. */
  readonly processControl?: (record: (step: LiveStep) => void) => (action: ProcessAction) => ControlResult;
  readonly transport: Transport;
  readonly log: Logger;
  readonly clock?: Clock;
  /** The system's fault switchboard (built with its `wrapView`), for the dashboard's handler-bug key. */
  readonly faults?: FaultController;
  /** The private nats-server, for the pause key; absent with NATS_URL. */
  readonly broker?: Pick<BrokerControl, 'pause' | 'resume'>;
  /** A private broker cluster's nodes, for the leader-kill key (`up --brokers 3`; the nodes are supervised). */
  readonly brokerNodeKeys?: LiveBrokerNodes;
  /** A private broker cluster's nodes, as each snapshot shows them (`up --brokers 3`). */
  readonly brokerNodes?: () => Promise<readonly BrokerNodeState[]>;
}

/** A fault that may cut this very connection (a pause, a node kill) lands this long after its answer went out. */
const ANSWER_FIRST_MS = 200;

/** A remote dashboard cannot send "resume" through a paused broker: a pause from afar lasts this long. */
export const REMOTE_PAUSE_MS = 5_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Lets `cqrs-testbed dashboard` in another process watch and steer this system over NATS: a snapshot of the
 * telemetry for each request on {@link TELEMETRY_SUBJECT}, live control on {@link CONTROL_SUBJECT}. Request/reply
 * rather than a stream of publishes: a dashboard pulls at its own pace, and nobody watching costs nothing. The
 * oracle starts on the first request and then folds the stream as it grows (it holds the log: fine for a testbed
 * session, not for months of uptime).
 */
export function serveTelemetry(options: TelemetryServiceOptions): { stop(): Promise<void> } {
  const { system, view, transport } = options;
  const clock = options.clock ?? realClock;
  const startedAt = clock.now();
  const ran: RanStep[] = [];
  const active = new Set<string>();
  const record = (step: LiveStep) => {
    ran.push({
      atMs: clock.now() - startedAt,
      label: step.label,
      phase: step.phase,
      key: step.key,
      live: true,
      instant: false,
    });
    if (step.phase === 'fault-start') active.add(step.key);
    if (step.phase === 'fault-end') active.delete(step.key);
    options.log.info({ step: step.label }, `${step.phase} (live, from a dashboard)`);
  };
  const control = system ? liveControlOf(system, options, clock, record) : undefined;
  const processControl = options.processControl?.(record);
  let oracle: IncrementalOracle | undefined;

  const snapshot = async (): Promise<Telemetry> => {
    oracle ??= new IncrementalOracle(transport);
    const head = await oracle.catchUp();
    // The write model's counts are durable; refusals that never reached it are counted since this process started.
    const orders = view.orderStore.counts();
    const unavailable = system?.orderService.getSnapshot().context.failed ?? 0;
    return {
      source: 'up',
      scenario: null,
      seed: null,
      elapsedMs: clock.now() - startedAt,
      workloadMs: null,
      phase: 'running',
      broker: transport.status(),
      brokerPaused: control?.brokerPaused() ?? false,
      ...(options.brokerNodes ? { brokerNodes: await options.brokerNodes() } : {}),
      ...(options.processes ? { processes: options.processes() } : {}),
      headSeq: head,
      outboxBacklog: { orders: view.orderStore.outbox.backlog(), inventory: view.inventoryStore.outbox.backlog() },
      orders: { placed: orders.placed, rejected: orders.rejected, unavailable, invalid: 0, failed: 0 },
      models: modelsTelemetry(
        view,
        head,
        { reference: oracle.state, states: view.readModelStates() },
        oracle.log,
        clock.now(),
      ),
      timeline: timelineEntries(ran, active, []),
      expectations: [],
      firstNegative: oracle.firstNegative ?? null,
      stale: false,
    };
  };

  const services: Service[] = [
    transport.serve(TELEMETRY_SUBJECT, async () => encoder.encode(JSON.stringify(await snapshot()))),
    transport.serve(CONTROL_SUBJECT, async (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(data));
      } catch (err: unknown) {
        options.log.warn({ err }, 'undecodable control request');
      }
      const action = parseControlAction(parsed);
      const result: ControlResult = !action
        ? { ok: false, message: 'not a control action' }
        : isProcessAction(action) && processControl
          ? processControl(action)
          : action.kind === 'killLeaderNode' && !control
            ? await killLeaderNode(options.brokerNodeKeys, clock, record, ANSWER_FIRST_MS)
            : control
              ? await control.send(action)
              : { ok: false, message: 'this key acts inside a service: on the processes topology only k and f work' };
      return encoder.encode(JSON.stringify(result));
    }),
  ];
  return { stop: async () => void (await Promise.all(services.map((s) => s.stop()))) };
}

/** The dashboard's keys on a system in this process; `record` hears every step they take. */
function liveControlOf(
  system: RunningSystem,
  options: TelemetryServiceOptions,
  clock: Clock,
  record: (step: LiveStep) => void,
) {
  return createLiveControl({
    system,
    clock,
    autoResumeMs: REMOTE_PAUSE_MS,
    pauseDelayMs: ANSWER_FIRST_MS,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.broker ? { broker: options.broker } : {}),
    ...(options.brokerNodeKeys ? { brokerNodes: options.brokerNodeKeys } : {}),
    record,
  });
}
