import type { Clock } from '../actors/clock.js';
import type { RunningSystem } from '../system/startSystem.js';
import type { ReadModelName } from '../domain/readModels.js';
import type { FaultController } from './faultController.js';
import type { EventMatch } from './scenario.js';
import { isProcessAction, type ControlAction, type ControlResult, type LiveControl } from './telemetry.js';
import type { BrokerControl } from './timeline.js';

/** A step a live action adds to the run's timeline, keyed like a scenario fault so it shows as active until ended. */
export interface LiveStep {
  readonly label: string;
  readonly phase: 'fault-start' | 'fault-end' | 'remediation';
  readonly key: string;
  /** A model this action leaves wrong until it is rebuilt (a bug, a replay out of order): see CaughtUpCheck. */
  readonly taints?: ReadModelName;
}

export interface LiveControlDeps {
  readonly system: RunningSystem;
  readonly clock: Clock;
  /** Absent when the system was built without fault hooks: a handler bug cannot be toggled then. */
  readonly faults?: FaultController;
  /** Absent when the broker is not ours to pause (NATS_URL). */
  readonly broker?: Pick<BrokerControl, 'pause' | 'resume'>;
  /**
   * Resume a paused broker on our own after this long. Needed when the control arrives over NATS (`dashboard`):
   * once the broker is stopped, the "resume" request could never reach us.
   */
  readonly autoResumeMs?: number;
  /** Pause this long after answering, so the answer to a request that came over the broker still gets out. */
  readonly pauseDelayMs?: number;
  /** A broker cluster's nodes, for the leader-kill key; absent with one broker. */
  readonly brokerNodes?: LiveBrokerNodes;
  readonly record: (step: LiveStep) => void;
}

/** What the leader-kill key needs of a broker cluster. */
export interface LiveBrokerNodes {
  readonly names: readonly string[];
  /** The node leading the stream now (waits, bounded, while the cluster elects one). */
  streamLeader(): Promise<number>;
  kill9(node: number): Promise<void>;
  /** Where nothing supervises the nodes (a scenario run), the key starts the node again itself, after a while. */
  readonly restart?: (node: number) => Promise<void>;
}

/** How long a node killed from the dashboard stays down where the key itself must start it again. */
const LIVE_NODE_DOWN_MS = 3_000;

/**
 * The leader-kill key: SIGKILL of the node leading the stream, recorded; started again where nothing else does. The
 * kill lands `delayMs` after the answer, so an answer that goes out through that very node still gets out.
 */
export async function killLeaderNode(
  nodes: LiveBrokerNodes | undefined,
  clock: Clock,
  record: (step: LiveStep) => void,
  delayMs = 0,
): Promise<ControlResult> {
  if (!nodes) return refused('one broker here: the leader-kill key is for a cluster (--brokers 3)');
  const leader = await nodes.streamLeader();
  const name = nodes.names[leader] ?? `n${leader}`;
  const key = `live:node:${name}`;
  const { restart } = nodes;
  clock.setTimeout(() => {
    void nodes.kill9(leader).then(() => {
      record({ label: `broker node ${name} (stream leader) killed (SIGKILL, live)`, phase: 'fault-start', key });
      if (restart)
        clock.setTimeout(() => {
          void restart(leader).then(() =>
            record({ label: `broker node ${name} restarted (live)`, phase: 'fault-end', key }),
          );
        }, LIVE_NODE_DOWN_MS);
    });
  }, delayMs);
  return done(
    restart
      ? `killing ${name}, the stream leader; it starts again ${LIVE_NODE_DOWN_MS / 1000} s later`
      : `killing ${name}, the stream leader; its supervisor starts it again`,
  );
}

export interface LocalLiveControl extends LiveControl {
  brokerPaused(): boolean;
  /** Read models with a bug injected from here and not yet fixed. */
  bugs(): ReadonlySet<ReadModelName>;
}

// Messages name a read model with "of": a possessive built from a name ("products's") reads wrong for half of them.

/** The bug a key press injects: a handler that throws on the events its model cares most about. */
const BUG_MATCH: Record<ReadModelName, EventMatch> = {
  'product-inventory': { eventType: 'OrderPlaced' },
  products: { eventType: 'ProductRenamed' },
  'customer-order-summary': { eventType: 'OrderPlaced' },
};

type ConsumerVerb = 'stopConsumer' | 'startConsumer' | 'rebuild' | 'replayDeadLetters';

/** The consumer verbs: the event each sends, and how it shows on the timeline and in the answer. */
const CONSUMER_VERBS: {
  readonly [K in ConsumerVerb]: {
    readonly event: 'STOP' | 'START' | 'REBUILD' | 'REPLAY_DEAD_LETTERS';
    readonly step: (target: ReadModelName) => LiveStep;
    readonly answer: (target: ReadModelName) => string;
  };
} = {
  stopConsumer: {
    event: 'STOP',
    step: (t) => ({ label: `${t} consumer stopped (live)`, phase: 'fault-start', key: `live:stop:${t}` }),
    answer: (t) => `stopped ${t}`,
  },
  startConsumer: {
    event: 'START',
    step: (t) => ({ label: `${t} consumer started (live)`, phase: 'fault-end', key: `live:stop:${t}` }),
    answer: (t) => `started ${t}`,
  },
  rebuild: {
    event: 'REBUILD',
    step: (t) => ({ label: `rebuild ${t} (live)`, phase: 'remediation', key: `live:rebuild:${t}` }),
    answer: (t) => `rebuilding ${t}`,
  },
  replayDeadLetters: {
    event: 'REPLAY_DEAD_LETTERS',
    // Replayed out of order, the parked events may leave the model wrong until a rebuild.
    step: (t) => ({ label: `replayDeadLetters ${t} (live)`, phase: 'remediation', key: `live:replay:${t}`, taints: t }),
    answer: (t) => `replaying the dead letters of ${t}`,
  },
};

const done = (message: string): ControlResult => ({ ok: true, message });
const refused = (message: string): ControlResult => ({ ok: false, message });

/**
 * Live control of a running system: the same verbs the scenario timeline and the admin API use (consumer
 * STOP/START/REBUILD/REPLAY_DEAD_LETTERS, the fault controller's handler bug, the broker's SIGSTOP/SIGCONT), each
 * recorded as a timeline step so the dashboard and the report show what was done and when.
 */
export function createLiveControl(deps: LiveControlDeps): LocalLiveControl {
  const bugs = new Set<ReadModelName>();
  const broker = brokerPauser(deps);
  const apply = (action: ControlAction): ControlResult => {
    const consumerDown = (target: ReadModelName) =>
      deps.system.readModels[target].consumer.getSnapshot().status !== 'active';
    if ('target' in action && action.kind !== 'toggleBug' && !isProcessAction(action) && consumerDown(action.target)) {
      return refused(`the process of ${action.target} is down (a processRestart fault); it is back shortly`);
    }
    switch (action.kind) {
      case 'stopConsumer':
      case 'startConsumer':
      case 'rebuild':
      case 'replayDeadLetters': {
        const verb = CONSUMER_VERBS[action.kind];
        deps.system.readModels[action.target].consumer.send({ type: verb.event });
        deps.record(verb.step(action.target));
        return done(verb.answer(action.target));
      }
      case 'toggleBug':
        return toggleBug(deps, bugs, action.target);
      case 'pauseBroker':
        return broker.pause();
      case 'resumeBroker':
        return broker.resume();
      case 'killProcess':
      case 'freezeProcess':
      case 'thawProcess':
        return refused('every service runs in this one process here: process keys are for up --topology processes');
      case 'killLeaderNode':
        return refused('asynchronous: see send'); // never reached: send handles it
      default: {
        const never: never = action;
        return refused(`unknown action ${JSON.stringify(never)}`);
      }
    }
  };
  return {
    send: (action) =>
      action.kind === 'killLeaderNode'
        ? killLeaderNode(deps.brokerNodes, deps.clock, deps.record, deps.pauseDelayMs)
        : Promise.resolve(apply(action)),
    brokerPaused: broker.paused,
    bugs: () => bugs,
  };
}

/** Injects the key press's bug into `target`'s handler, or fixes it when it is in. */
function toggleBug(deps: LiveControlDeps, bugs: Set<ReadModelName>, target: ReadModelName): ControlResult {
  if (!deps.faults) return refused('handler bugs need the fault hooks (scenario runs only)');
  const key = `live:bug:${target}`;
  if (bugs.delete(target)) {
    deps.faults.setBug(target, undefined);
    deps.record({ label: `${target} handler fixed (live)`, phase: 'fault-end', key });
    return done(`fixed the handler of ${target} (parked events stay parked: replay them)`);
  }
  const match = BUG_MATCH[target];
  bugs.add(target);
  deps.faults.setBug(target, match);
  const throwsFor = match.eventType ?? 'every event';
  deps.record({ label: `${target} handler throws for ${throwsFor} (live)`, phase: 'fault-start', key, taints: target });
  return done(`the handler of ${target} now throws for ${throwsFor}`);
}

/** SIGSTOP/SIGCONT of our broker, with the optional delay before pausing and the automatic resume. */
function brokerPauser(deps: LiveControlDeps) {
  let paused = false;
  let resumeTimer: unknown;
  const resumeNow = () => {
    if (!paused) return;
    deps.clock.clearTimeout(resumeTimer);
    deps.broker?.resume();
    paused = false;
    deps.record({ label: 'broker resumed (live)', phase: 'fault-end', key: 'live:broker' });
  };
  return {
    paused: () => paused,
    pause: (): ControlResult => {
      if (!deps.broker) return refused('the broker is not ours to pause (NATS_URL)');
      if (paused) return refused('the broker is already paused');
      const broker = deps.broker;
      paused = true;
      const pauseNow = () => {
        broker.pause();
        deps.record({ label: 'broker paused (live)', phase: 'fault-start', key: 'live:broker' });
        if (deps.autoResumeMs !== undefined) resumeTimer = deps.clock.setTimeout(resumeNow, deps.autoResumeMs);
      };
      if (deps.pauseDelayMs === undefined) pauseNow();
      else deps.clock.setTimeout(pauseNow, deps.pauseDelayMs);
      return done(
        deps.autoResumeMs === undefined ? 'broker paused (SIGSTOP)' : `broker paused for ${deps.autoResumeMs / 1000} s`,
      );
    },
    resume: (): ControlResult => {
      if (!paused) return refused('the broker is not paused');
      resumeNow();
      return done('broker resumed (SIGCONT)');
    },
  };
}
