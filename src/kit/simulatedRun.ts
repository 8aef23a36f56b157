/**
 * Plays a projection kit scenario on the deterministic simulation: the simulated broker on a virtual clock, SQLite
 * in memory, the whole system around the plug-in (the read model it may read from too), and the fault controller
 * the scenario runner uses. Given events go onto the stream as the services would publish them.
 */
import { isoNow, sleep } from '../actors/clock.js';
import { consumerState } from '../actors/consumerStatus.js';
import type { ConsumerSettings } from '../actors/consumerSettings.js';
import { encodeEnvelope, envelop } from '../domain/envelope.js';
import { subjectFor, type DomainEvent } from '../domain/events.js';
import { foldLog, type ReferenceState } from '../domain/projections/oracle.js';
import { Prng } from '../domain/prng.js';
import { READ_MODELS, type ReadModelName, type ReadModelStates } from '../domain/readModels.js';
import { silentLogger } from '../log/logger.js';
import type { ProjectionPlugin } from '../plugins/projectionPlugin.js';
import { readEventLog, type LogEntry } from '../scenarios/eventLog.js';
import { FaultController } from '../scenarios/faultController.js';
import { superviseCrashes } from '../scenarios/rig.js';
import { drive } from '../scenarios/simRig.js';
import { readModelStates } from '../system/pluginWiring.js';
import { startSystem, type RunningSystem } from '../system/startSystem.js';
import { SimBroker } from '../transport/sim/simBroker.js';
import { createSimTransport } from '../transport/sim/simTransport.js';
import { VirtualClock } from '../transport/sim/virtualClock.js';
import type { DeliveryStep } from './deliveries.js';

export interface SimulatedRunOptions {
  /** Seeds the simulated broker's choices (which connection is served first, …). */
  readonly seed: number;
  /** Virtual time any one step may take before the kit gives up on it (a projection that never catches up). */
  readonly stepLimitMs: number;
  readonly consumer: Partial<Pick<ConsumerSettings, 'ackWaitMs' | 'batchSize'>>;
}

export interface SimulatedRunResult<T extends ReadModelName> {
  /** The plug-in's model, through its `readState`. */
  readonly state: ReadModelStates[T];
  /** What the oracle (the reference fold of the stream) says every model should be. */
  readonly reference: ReferenceState;
  /** The stream as the oracle read it. */
  readonly log: readonly LogEntry[];
  /** Events the consumer parked in its dead-letter store (a handler that kept throwing). */
  readonly deadLetters: number;
}

/** Runs the steps, then delivers everything and reads the model back. Every resource is released, also on failure. */
export async function simulatedRun<T extends ReadModelName>(
  plugin: ProjectionPlugin<T>,
  given: readonly DomainEvent[],
  steps: readonly DeliveryStep[],
  options: SimulatedRunOptions,
): Promise<SimulatedRunResult<T>> {
  const clock = new VirtualClock();
  const broker = new SimBroker({ clock, prng: new Prng(options.seed) });
  const transport = createSimTransport(broker, { name: 'projection-kit' });
  const faults = new FaultController(clock);
  let ids = 0;
  const newId = () => `kit-${++ids}`;
  const target = plugin.target;
  const systemOptions = {
    transport,
    log: silentLogger(),
    dataDir: ':memory:',
    clock,
    newId,
    consumer: options.consumer,
    wrapView: faults.wrapView,
    wrapHandler: faults.wrapHandler,
    consumerHooks: faults.hooks,
    plugins: { [target]: plugin },
  };
  const system = await drive(clock, startSystem(systemOptions), options.stepLimitMs);
  superviseCrashes(faults, system, clock);
  const play = { system, broker, clock, faults, target, newId };
  try {
    // The plug-in's consumer waits while the given events go onto the stream: the first step's faults are armed
    // before any of them is delivered.
    await drive(clock, held(play), options.stepLimitMs);
    await drive(clock, publish(play, given), options.stepLimitMs);
    for (const step of [...steps, { kind: 'deliver' } as const]) {
      await drive(clock, runStep(play, step), options.stepLimitMs);
    }
    const unfired = unfiredFaults(play, steps);
    if (unfired.length > 0) throw new UnfiredFaults(unfired);
    const states = readModelStates(system.readModels);
    const { entries: log } = await drive(clock, readEventLog(transport), options.stepLimitMs);
    const reference = foldLog(log);
    const deadLetters = system.readModels[target].store.deadLetters.count();
    return { state: states[target], reference, log, deadLetters };
  } finally {
    await drive(clock, system.stop(), 60_000);
    await drive(clock, transport.close(), 60_000);
  }
}

/** The scenario armed faults that never fired (its deliveries did not go where it meant them to). */
export class UnfiredFaults extends Error {
  override readonly name = 'UnfiredFaults';
  constructor(readonly problems: readonly string[]) {
    super(`faults armed but never fired — the scenario did not test what it says:\n  ${problems.join('\n  ')}`);
  }
}

interface Play {
  readonly system: RunningSystem;
  readonly broker: SimBroker;
  readonly clock: VirtualClock;
  readonly faults: FaultController;
  readonly target: ReadModelName;
  readonly newId: () => string;
}

async function publish(play: Play, events: readonly DomainEvent[]): Promise<void> {
  const now = isoNow(play.clock);
  for (const event of events) {
    const eventId = play.newId();
    const envelope = envelop(event, { eventId, occurredAt: now(), causationId: 'projection-kit' });
    await play.system.options.transport.publish({
      subject: subjectFor(event.type),
      msgId: eventId,
      data: encodeEnvelope(envelope),
    });
  }
}

/** Stops the plug-in's consumer before anything is delivered to it (it is started again by the first step). */
async function held(play: Play): Promise<void> {
  const consumer = play.system.readModels[play.target].consumer;
  consumer.send({ type: 'STOP' });
  while (consumerState(consumer.getSnapshot()) !== 'stopped') await sleep(play.clock, POLL_MS);
}

async function runStep(play: Play, step: DeliveryStep): Promise<void> {
  const consumer = play.system.readModels[play.target].consumer;
  // Armed first, then (the first time) started: the faults of this step meet the first deliveries.
  armFaults(play, step);
  if (step.kind !== 'publish' && consumerState(consumer.getSnapshot()) === 'stopped') consumer.send({ type: 'START' });
  return runArmedStep(play, step);
}

function armFaults(play: Play, step: DeliveryStep): void {
  if (step.kind === 'crashAt') play.faults.armCrashPoint(play.target, step.point, step.times);
  if (step.kind === 'crashAfterCommit') play.faults.addCrashes(play.target, step.times);
  if (step.kind === 'loseAcks') play.faults.loseNextAcks(play.target, step.count);
}

async function runArmedStep(play: Play, step: DeliveryStep): Promise<void> {
  const { target, system } = play;
  switch (step.kind) {
    case 'deliver':
      return caughtUp(play);
    case 'publish':
      return publish(play, step.events);
    case 'crashAt':
    case 'crashAfterCommit':
    case 'loseAcks':
      // Armed until they fire, here or in a later step; `unfiredFaults` checks at the end that they all did.
      return caughtUp(play);
    case 'restart':
      system.killReadModel(target);
      await system.reviveReadModel(target);
      return caughtUp(play);
    case 'rebuild': {
      const rebuildsBefore = system.readModels[target].consumer.getSnapshot().context.rebuilds;
      system.readModels[target].consumer.send({ type: 'REBUILD' });
      const rebuilt = () => system.readModels[target].consumer.getSnapshot().context.rebuilds > rebuildsBefore;
      while (!rebuilt()) await sleep(play.clock, POLL_MS);
      return caughtUp(play);
    }
  }
}

const POLL_MS = 20;

/**
 * Faults the steps armed that never fired: a scenario that meant to test a crash and did not is an error, not a pass.
 * Armed faults add up, so what is left is told per kind, with the steps that asked for it.
 */
function unfiredFaults(play: Play, steps: readonly DeliveryStep[]): string[] {
  const { faults, target } = play;
  const problems: string[] = [];
  const points = new Set(steps.flatMap((s) => (s.kind === 'crashAt' ? [s.point] : [])));
  for (const point of points) {
    const left = faults.crashPointsLeft(target, point);
    if (left > 0)
      problems.push(
        `crashAt('${point}'): ${left} crash(es) never happened: no delivery reached ctx.crashPoint('${point}')`,
      );
  }
  const crashes = faults.crashesPending(target);
  if (crashes > 0) problems.push(`crashAfterCommit: ${crashes} crash(es) never happened: no batch left to commit`);
  const acks = faults.acksToLose(target);
  if (acks > 0) problems.push(`loseAcks: ${acks} ack(s) never lost: no delivery left to ack`);
  return problems;
}

/**
 * Waits until every read model has applied the whole stream and the broker holds nothing un-acked for it: a
 * redelivery still to come (a lost ack, a crash before the ack) is part of "delivered". The step limit bounds it.
 */
async function caughtUp(play: Play): Promise<void> {
  const { system, broker } = play;
  const settled = async () => {
    const { lastSeq } = await system.options.transport.streamInfo();
    return READ_MODELS.every((m) => {
      const runtime = system.readModels[m];
      const state = consumerState(runtime.consumer.getSnapshot());
      if (state === 'rebuilding' || state === 'down' || state === 'starting') return false;
      const info = broker.jetstream.consumerInfo(m);
      return runtime.store.checkpoint() >= lastSeq && info.pending === 0 && info.ackPending === 0;
    });
  };
  while (!(await settled())) await sleep(play.clock, POLL_MS);
}
