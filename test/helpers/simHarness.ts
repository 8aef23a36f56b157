/**
 * One machine on the deterministic simulation, for the machines' unit tests: the product's own simulated broker
 * (src/transport/sim) on a virtual clock, a transport connected to it with the event stream provisioned, and
 * publishing the way the outbox relay does it (event id as msg id). Nothing here reads the real clock: time moves
 * only when a test calls `clock.advance`, so every wait, backoff and redelivery happens at an exact virtual time.
 */
import type { Actor, AnyStateMachine } from 'xstate';
import { encodeEnvelope, envelop } from '../../src/domain/envelope.js';
import { subjectFor, type DomainEvent } from '../../src/domain/events.js';
import { Prng } from '../../src/domain/prng.js';
import type { Transport } from '../../src/transport/port.js';
import { SimBroker } from '../../src/transport/sim/simBroker.js';
import { createSimTransport } from '../../src/transport/sim/simTransport.js';
import { VirtualClock } from '../../src/transport/sim/virtualClock.js';

export interface SimHarness {
  readonly clock: VirtualClock;
  readonly broker: SimBroker;
  readonly transport: Transport;
  /** The clock's time as ISO text: what stores write as `parked_at`, `sent_at`. */
  isoNow(): string;
  /** Publishes events in argument order; returns their stream sequences. */
  publish(...events: readonly DomainEvent[]): Promise<number[]>;
  /** Publishes bytes as they are (an undecodable event); returns the stream sequence. */
  publishBytes(subject: string, data: Uint8Array, msgId: string): Promise<number>;
}

export async function startSimHarness(seed = 1): Promise<SimHarness> {
  const clock = new VirtualClock();
  const broker = new SimBroker({ clock, prng: new Prng(seed) });
  const transport = createSimTransport(broker, { name: 'unit' });
  await transport.provisionStream();
  const isoNow = () => new Date(clock.now()).toISOString();
  let published = 0;
  const publishBytes = async (subject: string, data: Uint8Array, msgId: string) =>
    (await transport.publish({ subject, msgId, data })).seq;
  return {
    clock,
    broker,
    transport,
    isoNow,
    publishBytes,
    async publish(...events) {
      const seqs: number[] = [];
      for (const data of events) {
        const eventId = `evt_sim_${++published}`;
        const envelope = envelop(data, { eventId, occurredAt: isoNow(), causationId: 'cmd_sim' });
        seqs.push(await publishBytes(subjectFor(data.type), encodeEnvelope(envelope), eventId));
      }
      return seqs;
    },
  };
}

/** A state an actor entered, and when on the virtual clock (ms since the trail began). */
export interface StateStep {
  readonly state: string;
  readonly atMs: number;
}

/**
 * Every state change of `actor` with its virtual time: `"backingOff"` or `{"pulling":"idle"}` (JSON for nested
 * values). Subscribe before `start()` to see the first state.
 */
export function stateTrail(actor: Actor<AnyStateMachine>, clock: VirtualClock): StateStep[] {
  const startedMs = clock.now();
  const trail: StateStep[] = [];
  actor.subscribe((snapshot) => {
    const value: unknown = snapshot.value;
    const state = typeof value === 'string' ? value : JSON.stringify(value);
    if (trail.at(-1)?.state !== state) trail.push({ state, atMs: clock.now() - startedMs });
  });
  return trail;
}

/** Times (ms since the trail began) at which the actor entered `state`. */
export const entries = (trail: readonly StateStep[], state: string): number[] =>
  trail.filter((s) => s.state === state).map((s) => s.atMs);
