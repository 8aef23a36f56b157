import type { DomainEvent } from './events.js';
import { decodeEventData } from './eventSchema.js';
import { err, ok, type Result } from './result.js';

/** Schema version of the envelope and of every payload written by this code. Readers reject versions they do not know. */
export const SCHEMA_VERSION = 1;

/**
 * What travels on the stream. `eventId` is also the broker's `Nats-Msg-Id`, so a republished event is deduplicated.
 * `causationId` names the command or event that caused this one; time and ids enter from outside, so deciding is pure.
 */
export interface EventEnvelope<E extends DomainEvent = DomainEvent> {
  readonly eventId: string;
  readonly type: E['type'];
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly causationId: string;
  readonly data: E;
}

/** Where an event sits in the log: filled in on delivery, never part of the payload. */
export interface Positioned<E extends DomainEvent = DomainEvent> {
  readonly seq: number;
  readonly envelope: EventEnvelope<E>;
}

export interface EnvelopeMeta {
  readonly eventId: string;
  readonly occurredAt: string;
  readonly causationId: string;
}

export function envelop<E extends DomainEvent>(data: E, meta: EnvelopeMeta): EventEnvelope<E> {
  return { ...meta, type: data.type, schemaVersion: SCHEMA_VERSION, data };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeEnvelope(envelope: EventEnvelope): Uint8Array {
  return encoder.encode(JSON.stringify(envelope));
}

/** Decodes bytes from the stream. A failure carries a reason fit for the dead-letter store. */
export function decodeEnvelope(bytes: Uint8Array): Result<EventEnvelope, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    return err(`undecodable payload: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (typeof raw !== 'object' || raw === null) return err('undecodable payload: not a JSON object');
  const r = raw as Record<string, unknown>;
  for (const key of ['eventId', 'type', 'occurredAt', 'causationId'] as const) {
    if (typeof r[key] !== 'string' || r[key] === '') return err(`bad envelope: ${key} must be a non-empty string`);
  }
  if (r.schemaVersion !== SCHEMA_VERSION) {
    return err(`unsupported schemaVersion ${JSON.stringify(r.schemaVersion)} (this reader knows ${SCHEMA_VERSION})`);
  }
  const data = decodeEventData(r.data);
  if (!data.ok) return err(`bad ${String(r.type)} payload: ${data.error}`);
  if (data.value.type !== r.type)
    return err(`envelope type ${String(r.type)} does not match payload type ${data.value.type}`);
  return ok({
    eventId: r.eventId as string,
    type: data.value.type,
    schemaVersion: SCHEMA_VERSION,
    occurredAt: r.occurredAt as string,
    causationId: r.causationId as string,
    data: data.value,
  });
}
