import type { Clock } from '../actors/clock.js';
import type { RunningSystem } from '../system/startSystem.js';
import type { ReadModelName } from '../domain/readModels.js';
import type { FaultController } from './faultController.js';
import type { EventMatch } from './scenario.js';
import type { ControlAction, ControlResult, LiveControl } from './telemetry.js';
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
  readonly record: (step: LiveStep) => void;
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

/**
 * Live control of a running system: the same verbs the scenario timeline and the admin API use (consumer
 * STOP/START/REBUILD/REPLAY_DEAD_LETTERS, the fault controller's handler bug, the broker's SIGSTOP/SIGCONT), each
 * recorded as a timeline step so the dashboard and the report show what was done and when.
 */
export function createLiveControl(deps: LiveControlDeps): LocalLiveControl {
  const bugs = new Set<ReadModelName>();
  let paused = false;
  let resumeTimer: unknown;
  const done = (message: string): ControlResult => ({ ok: true, message });
  const refused = (message: string): ControlResult => ({ ok: false, message });
  const resume = () => {
    if (!paused) return;
    deps.clock.clearTimeout(resumeTimer);
    deps.broker?.resume();
    paused = false;
    deps.record({ label: 'broker resumed (live)', phase: 'fault-end', key: 'live:broker' });
  };

  const apply = (action: ControlAction): ControlResult => {
    if ('target' in action && deps.system.readModels[action.target].consumer.getSnapshot().status !== 'active' && action.kind !== 'toggleBug') {
      return refused(`the process of ${action.target} is down (a processRestart fault); it is back shortly`);
    }
    switch (action.kind) {
      case 'stopConsumer':
        deps.system.readModels[action.target].consumer.send({ type: 'STOP' });
        deps.record({ label: `${action.target} consumer stopped (live)`, phase: 'fault-start', key: `live:stop:${action.target}` });
        return done(`stopped ${action.target}`);
      case 'startConsumer':
        deps.system.readModels[action.target].consumer.send({ type: 'START' });
        deps.record({ label: `${action.target} consumer started (live)`, phase: 'fault-end', key: `live:stop:${action.target}` });
        return done(`started ${action.target}`);
      case 'rebuild':
        deps.system.readModels[action.target].consumer.send({ type: 'REBUILD' });
        deps.record({ label: `rebuild ${action.target} (live)`, phase: 'remediation', key: `live:rebuild:${action.target}` });
        return done(`rebuilding ${action.target}`);
      case 'replayDeadLetters':
        deps.system.readModels[action.target].consumer.send({ type: 'REPLAY_DEAD_LETTERS' });
        deps.record({ label: `replayDeadLetters ${action.target} (live)`, phase: 'remediation', key: `live:replay:${action.target}`, taints: action.target });
        return done(`replaying the dead letters of ${action.target}`);
      case 'toggleBug': {
        if (!deps.faults) return refused('handler bugs need the fault hooks (scenario runs only)');
        const key = `live:bug:${action.target}`;
        if (bugs.delete(action.target)) {
          deps.faults.setBug(action.target, undefined);
          deps.record({ label: `${action.target} handler fixed (live)`, phase: 'fault-end', key });
          return done(`fixed the handler of ${action.target} (parked events stay parked: replay them)`);
        }
        const match = BUG_MATCH[action.target];
        bugs.add(action.target);
        deps.faults.setBug(action.target, match);
        deps.record({ label: `${action.target} handler throws for ${match.eventType ?? 'every event'} (live)`, phase: 'fault-start', key, taints: action.target });
        return done(`the handler of ${action.target} now throws for ${match.eventType ?? 'every event'}`);
      }
      case 'pauseBroker': {
        if (!deps.broker) return refused('the broker is not ours to pause (NATS_URL)');
        if (paused) return refused('the broker is already paused');
        const broker = deps.broker;
        paused = true;
        const pause = () => {
          broker.pause();
          deps.record({ label: 'broker paused (live)', phase: 'fault-start', key: 'live:broker' });
          if (deps.autoResumeMs !== undefined) resumeTimer = deps.clock.setTimeout(resume, deps.autoResumeMs);
        };
        if (deps.pauseDelayMs === undefined) pause();
        else deps.clock.setTimeout(pause, deps.pauseDelayMs);
        return done(deps.autoResumeMs === undefined ? 'broker paused (SIGSTOP)' : `broker paused for ${deps.autoResumeMs / 1000} s`);
      }
      case 'resumeBroker':
        if (!paused) return refused('the broker is not paused');
        resume();
        return done('broker resumed (SIGCONT)');
      default: {
        const never: never = action;
        return refused(`unknown action ${JSON.stringify(never)}`);
      }
    }
  };

  return {
    send: (action) => Promise.resolve(apply(action)),
    brokerPaused: () => paused,
    bugs: () => bugs,
  };
}
