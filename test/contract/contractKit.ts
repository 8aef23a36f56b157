/**
 * What the transport contract cases share: the harness each transport provides, and timing helpers that work on
 * either clock. Virtual time moves only when driven, so every wait in a case goes through `h.sleep`: `settle` polls a
 * promise in small sleeps and records, on the harness's clock, when it actually settled.
 */
import { expect } from 'vitest';
import { TransportError, type Delivery, type DurableConsumerSpec, type Transport } from '../../src/transport/port.js';

export interface ContractHarness {
  readonly transport: Transport;
  /** Real: setTimeout. Simulation: advances the virtual clock (firing what falls due). */
  sleep(ms: number): Promise<void>;
  /** Epoch ms on the harness's clock: Date.now(), or the virtual clock. */
  now(): number;
  stopBroker(): Promise<void>;
  startBroker(): Promise<void>;
  /** A hung broker (SIGSTOP): the socket stays open, nothing answers. */
  pauseBroker(): Promise<void>;
  resumeBroker(): Promise<void>;
  /** Closes the transport and disposes of the broker. */
  close(): Promise<void>;
}

export const enc = new TextEncoder();
export const dec = new TextDecoder();

/** Real timers and Date.now() may disagree by a few ms with the broker's own; the simulation is exact. */
export const slackMs = 20;
const stepMs = 20;

/** `elapsedMs` counts from when the promise was watched; `atMs` is the harness time it settled. */
export type Settled<T> =
  | { readonly ok: true; readonly value: T; readonly elapsedMs: number; readonly atMs: number }
  | { readonly ok: false; readonly error: unknown; readonly elapsedMs: number; readonly atMs: number };

/** A promise observed from the moment it was made: when it settles is recorded even if nobody awaits it yet. */
export interface Watched<T> {
  /** Lets time pass until it settles (failing after `boundMs`); `elapsedMs` is when it settled, not when we looked. */
  settled(boundMs: number): Promise<Settled<T>>;
}

export function watch<T>(h: ContractHarness, p: Promise<T>): Watched<T> {
  const t0 = h.now();
  let outcome: Settled<T> | undefined;
  p.then(
    (value) => (outcome = { ok: true, value, elapsedMs: h.now() - t0, atMs: h.now() }),
    (error: unknown) => (outcome = { ok: false, error, elapsedMs: h.now() - t0, atMs: h.now() }),
  );
  return {
    settled: async (boundMs) => {
      await h.sleep(0);
      while (outcome === undefined) {
        if (h.now() - t0 > boundMs) throw new Error(`did not settle within ${boundMs} ms`);
        await h.sleep(stepMs);
      }
      return outcome;
    },
  };
}

export function settle<T>(h: ContractHarness, p: Promise<T>, boundMs: number): Promise<Settled<T>> {
  return watch(h, p).settled(boundMs);
}

const watched = <T>(h: ContractHarness, p: Promise<T> | Watched<T>): Watched<T> =>
  p instanceof Promise ? watch(h, p) : p;

export async function resolves<T>(
  h: ContractHarness,
  p: Promise<T> | Watched<T>,
  boundMs: number,
): Promise<{ value: T; elapsedMs: number; atMs: number }> {
  const s = await watched(h, p).settled(boundMs);
  if (!s.ok) throw new Error(`rejected after ${s.elapsedMs} ms: ${String(s.error)}`, { cause: s.error });
  return s;
}

/** Awaits a rejection that must be a TransportError of one of `kinds`; failures show the error itself. */
export async function rejects(
  h: ContractHarness,
  p: Promise<unknown> | Watched<unknown>,
  boundMs: number,
  ...kinds: TransportError['kind'][]
): Promise<{ error: TransportError; elapsedMs: number }> {
  const s = await watched(h, p).settled(boundMs);
  if (s.ok) throw new Error(`resolved instead after ${s.elapsedMs} ms: ${JSON.stringify(s.value)}`);
  if (!(s.error instanceof TransportError) || !kinds.includes(s.error.kind)) {
    throw new Error(`expected TransportError ${kinds.join('|')}, got ${String(s.error)}`, { cause: s.error });
  }
  return { error: s.error, elapsedMs: s.elapsedMs };
}

export async function waitUntil(
  h: ContractHarness,
  condition: () => boolean | Promise<boolean>,
  boundMs: number,
  what: string,
): Promise<void> {
  const t0 = h.now();
  while (!(await condition())) {
    if (h.now() - t0 > boundMs) throw new Error(`timed out after ${boundMs} ms waiting for ${what}`);
    await h.sleep(stepMs);
  }
}

/** Publishes `shop.<prefix>.<name>` with msg id `<prefix>-<name>` and the name as data, one after another. */
export async function publishNamed(t: Transport, prefix: string, names: readonly string[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const name of names) {
    const ack = await t.publish({
      subject: `shop.${prefix}.${name}`,
      msgId: `${prefix}-${name}`,
      data: enc.encode(name),
    });
    seqs.push(ack.seq);
  }
  return seqs;
}

export function spec(durable: string, overrides: Partial<DurableConsumerSpec> = {}): DurableConsumerSpec {
  return { durable, filterSubject: `shop.${durable}.>`, ackWaitMs: 5_000, maxAckPending: 100, ...overrides };
}

/** `[data, deliveryCount]` pairs: what most cases compare. */
export function seen(deliveries: readonly Delivery[]): [string, number][] {
  return deliveries.map((d) => [dec.decode(d.data), d.deliveryCount]);
}

export function expectWithin(elapsedMs: number, minMs: number, maxMs: number): void {
  expect(elapsedMs).toBeGreaterThanOrEqual(minMs - slackMs);
  expect(elapsedMs).toBeLessThanOrEqual(maxMs);
}
