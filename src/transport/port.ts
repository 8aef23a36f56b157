/**
 * The message-bus port. The services, consumers and the scenario runner see only this; the JetStream adapter and
 * (later) the deterministic simulation implement it. No NATS type crosses it: payloads are bytes, positions are
 * stream sequences, times are epoch milliseconds.
 */

/** The one stream every event lives on, and the subject filter that selects all of it. */
export const EVENT_STREAM = 'SHOP';
export const EVENT_SUBJECTS = 'shop.>';

export interface OutgoingEvent {
  readonly subject: string;
  /** Becomes `Nats-Msg-Id`: the broker drops a second publish of the same id within the dedupe window. */
  readonly msgId: string;
  readonly data: Uint8Array;
}

export interface PublishAck {
  readonly seq: number;
  /** True when the broker recognised the msg id and stored nothing new. */
  readonly duplicate: boolean;
}

/** A message as it sits in the stream. */
export interface StoredEvent {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  /** Broker's receive time, epoch ms. */
  readonly timestampMs: number;
  readonly msgId: string | undefined;
}

/** A message handed to a durable consumer, with the acknowledgement verbs. Acks are one-way and may be lost. */
export interface Delivery extends StoredEvent {
  /** 1 on first delivery; grows with every redelivery (nak, ack-wait expiry). */
  readonly deliveryCount: number;
  ack(): void;
  /** Ask for redelivery after `delayMs` (0: as soon as the broker likes). */
  nak(delayMs?: number): void;
  /** Never deliver again (we parked it ourselves). */
  term(): void;
  /** Still working: restart the ack-wait timer. */
  working(): void;
}

export interface DurableConsumerSpec {
  readonly durable: string;
  readonly filterSubject: string;
  readonly ackWaitMs: number;
  /** Upper bound of un-acked messages in flight; also bounds a fetch. */
  readonly maxAckPending: number;
}

export interface DurableConsumer {
  /** Pulls up to `max` messages, waiting at most `expiresMs` for the first one. Resolves [] when none came. */
  fetch(max: number, expiresMs: number): Promise<Delivery[]>;
  info(): Promise<ConsumerInfo>;
}

export interface ConsumerInfo {
  /** Messages matching the filter that were never delivered. */
  readonly pending: number;
  readonly ackPending: number;
  readonly redelivered: number;
  /** Highest stream sequence acknowledged contiguously. */
  readonly ackFloorSeq: number;
}

export interface StreamInfo {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly messages: number;
  readonly lastTimestampMs: number;
}

/** Broker reachability as the dashboard and /health render it. */
export type BrokerStatus = 'connected' | 'reconnecting' | 'disconnected' | 'closed';

export type RequestHandler = (data: Uint8Array) => Promise<Uint8Array>;

export interface Service {
  stop(): Promise<void>;
}

export interface Transport {
  /** Idempotent: creates the stream if absent, updates it if its config drifted. */
  provisionStream(options?: { readonly duplicateWindowMs?: number }): Promise<void>;
  publish(event: OutgoingEvent, options?: { readonly timeoutMs?: number }): Promise<PublishAck>;
  /** Idempotent: creates or updates a durable pull consumer and returns a handle to it. */
  durableConsumer(spec: DurableConsumerSpec): Promise<DurableConsumer>;
  deleteConsumer(durable: string): Promise<void>;
  /** Reads stored messages in order starting at `fromSeq`, up to `max` of them (fewer at the end of the stream). */
  readRange(fromSeq: number, max: number): Promise<StoredEvent[]>;
  /** One stored message, or undefined if that sequence does not exist (deleted, or past the end). */
  getEvent(seq: number): Promise<StoredEvent | undefined>;
  streamInfo(): Promise<StreamInfo>;
  /** Answers requests on `subject` (request/reply, not persisted). */
  serve(subject: string, handler: RequestHandler): Service;
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  status(): BrokerStatus;
  onStatus(listener: (status: BrokerStatus) => void): () => void;
  close(): Promise<void>;
}

/** Raised by the adapters; `kind` lets callers tell a broker outage from a bug without inspecting NATS errors. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: 'unavailable' | 'timeout' | 'no-responders' | 'not-found' | 'rejected',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
