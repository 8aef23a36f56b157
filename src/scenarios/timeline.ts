import { sleep, type Clock } from '../actors/clock.js';
import type { RunningSystem } from '../system/startSystem.js';
import type { ReadModelName } from '../domain/readModels.js';
import type { ReplicaState } from '../transport/natsCluster.js';
import { TransportError, type OutgoingEvent, type Transport } from '../transport/port.js';
import type { FaultController } from './faultController.js';
import type {
  BrokerNodeChoice,
  FaultSpec,
  ProcessKillPoint,
  RemediationSpec,
  Scenario,
  ServiceProcessName,
} from './scenario.js';

/** What the fault injector can do to the broker: a nats-server process, or the simulated broker. */
export interface BrokerControl {
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** The nodes of a broker cluster, one by one (absent with a single broker). */
  readonly nodes?: BrokerNodes;
}

export interface BrokerNodes {
  readonly size: number;
  readonly names: readonly string[];
  /** The node leading the stream now; retried (bounded) while the cluster elects one. */
  streamLeader(): Promise<number>;
  kill9(node: number): Promise<void>;
  /** SIGTERM: the node shuts down cleanly (bounded, then SIGKILL). */
  stop(node: number): Promise<void>;
  /** Starts a stopped node again on its own store (stops it first if it runs). */
  restart(node: number): Promise<void>;
  /** Each running node's own copy of the stream (see NatsCluster.replicaStates). */
  replicaStates(): Promise<readonly ReplicaState[]>;
  /** The node leading a durable consumer now (undefined: none); rejects when the cluster cannot answer. */
  consumerLeader(durable: string): Promise<string | undefined>;
  /** Cuts a node off from the others, packets dropped; absent where the rig cannot (see networkPartition.ts). */
  readonly partitions?: { isolate(node: number): Promise<void>; heal(node: number): Promise<void> };
}

/** The service processes of the multi-process topology, as faults act on them (src/topology/processesRig.ts). */
export interface ServiceProcesses {
  /**
   * SIGKILL of the process — at once, or armed to strike at a point of its work (it kills itself there) — and
   * resolves once it is dead (bounded); its supervisor starts it again `restartAfterMs` after that.
   */
  kill(target: ServiceProcessName, when: ProcessKillPoint, restartAfterMs: number): Promise<void>;
  /** SIGSTOP / SIGCONT. */
  pause(target: ServiceProcessName): void;
  resume(target: ServiceProcessName): void;
}

export interface TimelineContext {
  /** The system, where it runs in this process: faults inside its consumers and relays need it. */
  readonly system: RunningSystem | undefined;
  /** The service processes, where each service runs as its own (topology.processes). */
  readonly processes?: ServiceProcesses | undefined;
  readonly transport: Transport;
  readonly broker: BrokerControl;
  readonly clock: Clock;
  readonly faults: FaultController;
  readonly seed: number;
  /** Waits (bounded) until the consumer's rebuild counter passes `before` and it pulls again. */
  readonly awaitConsumer: (name: ReadModelName, done: () => boolean, what: string) => Promise<void>;
}

/** One thing that happens at a scenario time: a fault starting or healing, or a remediation step. */
export interface TimedStep {
  readonly atMs: number;
  readonly label: string;
  readonly phase: 'fault-start' | 'fault-end' | 'remediation';
  /** Identifies the fault a start/end step belongs to; a deployFix lists the bug faults it ends. */
  readonly faultKey?: string;
  readonly ends?: readonly string[];
  /** A fault that acts once (poison events published, crashes armed): never "active" on the timeline. */
  readonly instant?: boolean;
  /** A model this step leaves wrong until it is rebuilt (a bug, a replay out of order): see CaughtUpCheck. */
  readonly taints?: ReadModelName;
  run(ctx: TimelineContext): Promise<void>;
}

/** The system in this process, for a step that acts inside it; an error naming the step otherwise. */
const inProcess = (ctx: TimelineContext): RunningSystem => {
  if (!ctx.system) throw new Error('this fault acts inside the services, which run in other processes here');
  return ctx.system;
};
const consumer = (ctx: TimelineContext, name: ReadModelName) => inProcess(ctx).readModels[name].consumer;
const alive = (ctx: TimelineContext, name: ReadModelName) => consumer(ctx, name).getSnapshot().status === 'active';
/** A consumer whose process is dead (processRestart) hears nothing; its successor starts as configured. */
const tell = (ctx: TimelineContext, name: ReadModelName, event: { readonly type: 'STOP' | 'START' }): Promise<void> => {
  if (alive(ctx, name)) consumer(ctx, name).send(event);
  return Promise.resolve();
};
const relay = (ctx: TimelineContext, target: 'orders' | 'inventory') => inProcess(ctx).relays[target];

/** How long an `afterCommit` process kill waits for a commit before it kills an idle process anyway. */
export const PROCESS_KILL_WAIT_MS = 2_000;

/** When a fault stops acting on its own (bugs end at their target's deployFix instead). */
export function faultEndMs(fault: FaultSpec, remediation: readonly RemediationSpec[]): number | undefined {
  switch (fault.kind) {
    case 'consumerOutage':
    case 'slowConsumer':
    case 'dependencyLag':
    case 'brokerPause':
    case 'outboxRelayOutage':
      return fault.atMs + fault.durationMs;
    case 'brokerRestart':
    case 'brokerNodeRestart':
      return fault.atMs + fault.downMs;
    case 'partition':
    case 'processPause':
      return fault.atMs + fault.durationMs;
    case 'processKill':
      return fault.atMs + fault.restartAfterMs;
    case 'ackLoss':
      return fault.atMs + fault.durationMs;
    case 'processRestart':
    case 'brokerNodeKill':
      return fault.atMs + fault.restartAfterMs;
    case 'crashMidBatch':
    case 'poisonEvent':
    case 'orderServiceCrash':
    case 'crashPoint':
      return fault.atMs;
    case 'handlerBug':
    case 'silentCorruption': {
      // The first fix deployed once the bug is in: an earlier deployFix (for an earlier bug) does not end this one.
      const fixes = remediation.flatMap((r) =>
        r.action === 'deployFix' && r.target === fault.target && r.atMs !== undefined && r.atMs >= fault.atMs
          ? [r.atMs]
          : [],
      );
      return fixes.length > 0 ? Math.min(...fixes) : undefined;
    }
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${JSON.stringify(never)}`);
    }
  }
}

/** What a fault's steps are made with: its start and end time, and a step maker that keys them to the fault. */
interface StepKit {
  readonly at: number;
  readonly end: number;
  readonly faultKey: string;
  readonly step: (atMs: number, phase: TimedStep['phase'], label: string, run: TimedStep['run']) => TimedStep;
}

/** Faults that act once (events published, crashes armed): never "active" on the timeline. */
const INSTANT_FAULTS: ReadonlySet<FaultSpec['kind']> = new Set([
  'poisonEvent',
  'crashMidBatch',
  'orderServiceCrash',
  'crashPoint',
]);

/**
 * The steps of each fault kind (keyed by the kinds in scenario.ts, so a new kind does not compile until it has
 * steps here): a start, and an end for faults that last.
 */
const FAULT_STEPS: {
  readonly [K in FaultSpec['kind']]: (fault: Extract<FaultSpec, { kind: K }>, kit: StepKit) => TimedStep[];
} = {
  consumerOutage: (fault, { at, end, step }) => {
    return [
      step(at, 'fault-start', `${fault.target} consumer down`, (c) => tell(c, fault.target, { type: 'STOP' })),
      step(end, 'fault-end', `${fault.target} consumer back`, (c) => tell(c, fault.target, { type: 'START' })),
    ];
  },
  crashMidBatch: (fault, { at, step }) => [
    step(at, 'fault-start', `${fault.target} crashes after commit, before ack (×${fault.times})`, (c) =>
      Promise.resolve(c.faults.addCrashes(fault.target, fault.times)),
    ),
  ],
  handlerBug: (fault, { at, step }) => [
    {
      ...step(at, 'fault-start', `${fault.target} handler throws for ${JSON.stringify(fault.match)}`, (c) =>
        Promise.resolve(c.faults.setBug(fault.target, fault.match)),
      ),
      taints: fault.target,
    },
  ],
  silentCorruption: (fault, { at, step }) => [
    {
      ...step(
        at,
        'fault-start',
        `${fault.target} handler silently writes wrong values for ${JSON.stringify(fault.match)}`,
        (c) => Promise.resolve(c.faults.setCorruption(fault.target, fault.match)),
      ),
      taints: fault.target,
    },
  ],
  slowConsumer: (fault, { at, end, step }) => {
    return [
      step(at, 'fault-start', `${fault.target} slowed by ${fault.latencyMs} ms per batch`, (c) =>
        Promise.resolve(c.faults.setLatency(fault.target, fault.latencyMs)),
      ),
      step(end, 'fault-end', `${fault.target} at full speed`, (c) =>
        Promise.resolve(c.faults.setLatency(fault.target, 0)),
      ),
    ];
  },
  poisonEvent: (fault, { at, step, faultKey }) => {
    return [
      step(at, 'fault-start', `${fault.count} undecodable event(s) published`, async (c) => {
        for (let i = 0; i < fault.count; i++) {
          // The fault's own key in the id: two poison faults at the same time are two sets of events, not one
          // the broker dedupes (the property suite found that: it expected two dead letters and saw one).
          const poison = {
            subject: 'shop.products.added',
            msgId: `poison-${c.seed}-${faultKey}-${at}-${i}`,
            data: new TextEncoder().encode(`{"not": "an envelope", "n": ${i}`),
          };
          await publishPersistently(c, poison);
        }
      }),
    ];
  },
  dependencyLag: (fault, { at, end, step }) => {
    return [
      step(at, 'fault-start', 'products read model down (summary depends on it)', (c) =>
        tell(c, 'products', { type: 'STOP' }),
      ),
      step(end, 'fault-end', 'products read model back', (c) => tell(c, 'products', { type: 'START' })),
    ];
  },
  brokerPause: (fault, { at, end, step }) => {
    return [
      step(at, 'fault-start', 'broker paused (SIGSTOP)', (c) => Promise.resolve(c.broker.pause())),
      step(end, 'fault-end', 'broker resumed (SIGCONT)', (c) => Promise.resolve(c.broker.resume())),
    ];
  },
  brokerRestart: (fault, { at, end, step }) => {
    return [
      step(at, 'fault-start', 'broker stopped', (c) => c.broker.stop()),
      step(end, 'fault-end', 'broker restarted', (c) => c.broker.restart()),
    ];
  },
  outboxRelayOutage: (fault, { at, end, step }) => {
    return [
      step(at, 'fault-start', `${fault.target} outbox relay down`, (c) =>
        Promise.resolve(relay(c, fault.target).send({ type: 'STOP' })),
      ),
      step(end, 'fault-end', `${fault.target} outbox relay back`, (c) =>
        Promise.resolve(relay(c, fault.target).send({ type: 'START' })),
      ),
    ];
  },
  orderServiceCrash: (fault, { at, step }) => [
    step(at, 'fault-start', `order service dies between inventory check and commit (×${fault.times})`, (c) =>
      Promise.resolve(c.faults.addOrderCrashes(fault.times)),
    ),
  ],
  ackLoss: (fault, { at, end, step }) => {
    const share = fault.ratio >= 1 ? 'all' : `${Math.round(fault.ratio * 100)}% of`;
    // Seeded per fault, so the same scenario loses the same acks.
    const seed = (fault.atMs * 31 + fault.durationMs) ^ 0x2545f491;
    return [
      step(at, 'fault-start', `${fault.target} loses ${share} its acks`, (c) =>
        Promise.resolve(c.faults.setAckLoss(fault.target, { ratio: fault.ratio, seed: seed ^ c.seed })),
      ),
      step(end, 'fault-end', `${fault.target} acks get through again`, (c) =>
        Promise.resolve(c.faults.setAckLoss(fault.target, undefined)),
      ),
    ];
  },
  processRestart: (fault, { at, end, step }) => {
    const moment = fault.when === 'afterCommit' ? 'after its next commit' : 'where it is';
    // One step does the whole restart: an `afterCommit` kill waits for the commit, and the revival must follow it.
    return [
      step(at, 'fault-start', `${fault.target} process killed ${moment} (memory lost)`, async (c) => {
        if (fault.when === 'afterCommit') await c.faults.nextCommit(fault.target, PROCESS_KILL_WAIT_MS);
        inProcess(c).killReadModel(fault.target);
        await sleep(c.clock, fault.restartAfterMs);
        await inProcess(c).reviveReadModel(fault.target);
      }),
      step(end, 'fault-end', `${fault.target} process back (fresh module and stores)`, () => Promise.resolve()),
    ];
  },
  brokerNodeKill: (fault, { at, end, step }) => {
    const which = nodeLabel(fault.node);
    // One step kills and restarts: the restart must follow this kill, whatever node "leader" turned out to be.
    return [
      step(at, 'fault-start', `broker node: ${which} killed (SIGKILL)`, async (c) => {
        const { nodes, node } = await chosenNode(c, fault);
        await nodes.kill9(node);
        await sleep(c.clock, fault.restartAfterMs);
        await nodes.restart(node);
      }),
      step(end, 'fault-end', `broker node: ${which} restarted`, () => Promise.resolve()),
    ];
  },
  brokerNodeRestart: (fault, { at, end, step }) => {
    const which = nodeLabel(fault.node);
    return [
      step(at, 'fault-start', `broker node: ${which} shut down (SIGTERM)`, async (c) => {
        const { nodes, node } = await chosenNode(c, fault);
        await nodes.stop(node);
        await sleep(c.clock, fault.downMs);
        await nodes.restart(node);
      }),
      step(end, 'fault-end', `broker node: ${which} started again`, () => Promise.resolve()),
    ];
  },
  partition: (fault, { at, end, step }) => {
    const which = nodeLabel(fault.node);
    // One step cuts and heals, so the heal reaches the node the cut did (a leader chosen at the start).
    return [
      step(
        at,
        'fault-start',
        `partition: ${which} cut off from the other broker nodes (packets dropped)`,
        async (c) => {
          const { nodes, node } = await chosenNode(c, fault);
          const partitions = nodes.partitions;
          if (!partitions) throw new Error('this rig cannot partition broker nodes (see networkPartition.ts)');
          await partitions.isolate(node);
          try {
            await sleep(c.clock, fault.durationMs);
          } finally {
            await partitions.heal(node);
          }
        },
      ),
      step(end, 'fault-end', `partition healed: ${which} reaches the others again`, () => Promise.resolve()),
    ];
  },
  processKill: (fault, { at, end, step }) => {
    const moment = { now: '', afterCommit: ' after its next commit', betweenCheckAndCommit: ' inside its next order' };
    return [
      step(at, 'fault-start', `${fault.target} process killed (SIGKILL)${moment[fault.when]}`, (c) =>
        serviceProcesses(c).kill(fault.target, fault.when, fault.restartAfterMs),
      ),
      step(end, 'fault-end', `${fault.target} process started again`, () => Promise.resolve()),
    ];
  },
  processPause: (fault, { at, end, step }) => [
    step(at, 'fault-start', `${fault.target} process frozen (SIGSTOP)`, (c) =>
      Promise.resolve(serviceProcesses(c).pause(fault.target)),
    ),
    step(end, 'fault-end', `${fault.target} process continued (SIGCONT)`, (c) =>
      Promise.resolve(serviceProcesses(c).resume(fault.target)),
    ),
  ],
  crashPoint: (fault, { at, step }) => [
    step(at, 'fault-start', `${fault.target} crashes at crash point "${fault.point}" (×${fault.times})`, (c) =>
      Promise.resolve(c.faults.armCrashPoint(fault.target, fault.point, fault.times)),
    ),
  ],
};

const serviceProcesses = (c: TimelineContext): ServiceProcesses => {
  if (!c.processes)
    throw new Error('a process fault needs every service in its own process (system.topology.processes)');
  return c.processes;
};

const nodeLabel = (node: BrokerNodeChoice): string =>
  node === 'leader' ? 'the stream leader' : node === 'follower' ? 'a follower' : `node n${node}`;

/** The cluster's nodes and the one a node fault acts on (the stream leader asked for at that moment). */
async function chosenNode(
  c: TimelineContext,
  fault: { readonly kind: string; readonly node: BrokerNodeChoice },
): Promise<{ nodes: BrokerNodes; node: number }> {
  const nodes = c.broker.nodes;
  if (!nodes) throw new Error(`${fault.kind} needs a broker cluster (system.topology.brokers 3 or 5)`);
  if (typeof fault.node === 'number') return { nodes, node: fault.node };
  const leader = await nodes.streamLeader();
  return { nodes, node: fault.node === 'leader' ? leader : (leader + 1) % nodes.size };
}

function faultSteps(fault: FaultSpec, remediation: readonly RemediationSpec[], faultKey: string): TimedStep[] {
  const at = fault.atMs;
  const end = faultEndMs(fault, remediation) ?? at;
  const instant = INSTANT_FAULTS.has(fault.kind);
  const step = (atMs: number, phase: TimedStep['phase'], label: string, run: TimedStep['run']): TimedStep => ({
    atMs,
    phase,
    label,
    faultKey,
    instant,
    run,
  });
  const make = FAULT_STEPS[fault.kind] as (f: FaultSpec, kit: StepKit) => TimedStep[];
  return make(fault, { at, end, faultKey, step });
}

/**
 * The injector's own publish must land even if another fault has the broker down right then; the msg id makes
 * retrying safe. Bounded: after a minute of trying, the step fails.
 */
async function publishPersistently(c: TimelineContext, event: OutgoingEvent): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await c.transport.publish(event);
      return;
    } catch (error) {
      if (!(error instanceof TransportError) || attempt >= 120) throw error;
      await sleep(c.clock, 500);
    }
  }
}

/** A remediation as a step; its `run` resolves when the remediation has finished (rebuild done, replay done). */
export function remediationStep(r: RemediationSpec, atMs: number, ends: readonly string[] = []): TimedStep {
  const label = `${r.action} ${r.target}`;
  const run = async (c: TimelineContext): Promise<void> => {
    // A remediation waits for a dead consumer process to come back (bounded): a process restart is no excuse.
    if (r.action !== 'deployFix') await c.awaitConsumer(r.target, () => alive(c, r.target), 'its process to come back');
    const ref = consumer(c, r.target);
    switch (r.action) {
      case 'deployFix':
        c.faults.deployFix(r.target);
        return;
      case 'rebuild': {
        const before = ref.getSnapshot().context.rebuilds;
        ref.send({ type: 'REBUILD' });
        await c.awaitConsumer(r.target, () => ref.getSnapshot().context.rebuilds > before, 'rebuild to finish');
        return;
      }
      case 'replayDeadLetters':
        ref.send({ type: 'REPLAY_DEAD_LETTERS' });
        await c.awaitConsumer(
          r.target,
          () => ref.getSnapshot().value !== 'replayingDeadLetters',
          'dead-letter replay to finish',
        );
        return;
      case 'restartConsumer':
        ref.send({ type: 'STOP' });
        ref.send({ type: 'START' });
        return;
      default: {
        const never: never = r.action;
        throw new Error(`unknown remediation ${String(never)}`);
      }
    }
  };
  // Dead letters replayed after newer events: safe for effects that commute, not for a parked rename (see README).
  return {
    atMs,
    phase: 'remediation',
    label,
    ends,
    run,
    ...(r.action === 'replayDeadLetters' ? { taints: r.target } : {}),
  };
}

/** Every timed step of a scenario (faults and `atMs` remediations), in time order; `afterWorkload` ones separately. */
export function planTimeline(scenario: Scenario): { timed: TimedStep[]; afterWorkload: RemediationSpec[] } {
  const timed = scenario.faults.flatMap((f, i) => faultSteps(f, scenario.remediation, `fault#${i}`));
  // A fix ends the bugs on its target whose end faultEndMs says it is: not a bug that only starts after it.
  const endedBy = (target: string, atMs: number) =>
    scenario.faults.flatMap((f, i) =>
      (f.kind === 'handlerBug' || f.kind === 'silentCorruption') &&
      f.target === target &&
      faultEndMs(f, scenario.remediation) === atMs
        ? [`fault#${i}`]
        : [],
    );
  for (const r of scenario.remediation) {
    if (r.atMs !== undefined)
      timed.push(remediationStep(r, r.atMs, r.action === 'deployFix' ? endedBy(r.target, r.atMs) : []));
  }
  timed.sort((a, b) => a.atMs - b.atMs);
  return { timed, afterWorkload: scenario.remediation.filter((r) => r.afterWorkload === true) };
}
