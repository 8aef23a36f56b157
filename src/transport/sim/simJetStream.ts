/**
 * The simulated server's JetStream state and API: the one stream and its durable consumers. It only ever runs as the
 * broker lets it (never while paused or down); its errors are TransportErrors with the server's wording, which the
 * transport prefixes with the operation, as the adapter does.
 */
import { EVENT_SUBJECTS, TransportError, type ConsumerInfo, type StreamInfo } from '../port.js';
import { SimConsumer, type SimConsumerConfig } from './simConsumer.js';
import type { PullRequester } from './simPull.js';
import { SimStream, type SimMessage, type StoreResult } from './simStream.js';
import { subjectMatches } from '../subjects.js';
import type { Timers } from './virtualClock.js';

export type Provisioned = 'created' | 'updated' | 'unchanged';
export type AckVerb =
  { readonly kind: 'ack' | 'term' | 'working' } | { readonly kind: 'nak'; readonly delayMs: number };

export class SimJetStream {
  #stream: SimStream | undefined;
  readonly #consumers = new Map<string, SimConsumer>();

  /** `timers` are the server's: they stand still while the broker is paused. */
  constructor(private readonly timers: Timers) {}

  /** The process died: consumers lose what was only in memory. */
  crash(): void {
    for (const consumer of this.#consumers.values()) consumer.crash();
  }

  /** The process came back; each consumer checks its pending after `checkAfterMs()`. */
  restart(checkAfterMs: () => number): void {
    for (const consumer of this.#consumers.values()) consumer.restart(checkAfterMs());
  }

  provisionStream(duplicateWindowMs: number): Provisioned {
    if (this.#stream === undefined) {
      this.#stream = new SimStream(EVENT_SUBJECTS, duplicateWindowMs);
      return 'created';
    }
    if (this.#stream.duplicateWindowMs === duplicateWindowMs) return 'unchanged';
    this.#stream.duplicateWindowMs = duplicateWindowMs;
    return 'updated';
  }

  publish(subject: string, data: Uint8Array, msgId: string | undefined): StoreResult {
    const stream = this.#stream;
    // No stream listens on the subject: the server answers 503, which the client reports as JetStream not enabled.
    if (stream === undefined || !stream.accepts(subject))
      throw new TransportError('unavailable', 'jetstream is not enabled');
    const result = stream.store(subject, data, msgId, this.timers.now());
    const message = stream.get(result.seq);
    if (!result.duplicate && message !== undefined) {
      for (const consumer of this.#consumers.values()) consumer.stored(message);
    }
    return result;
  }

  consumerConfig(durable: string): SimConsumerConfig | undefined {
    this.#requireStream();
    return this.#consumers.get(durable)?.config;
  }

  /** Creates or replaces a durable's config (position and pending are kept on update). */
  upsertConsumer(config: SimConsumerConfig): Provisioned {
    const stream = this.#requireStream();
    const filter = config.filterSubject;
    if (!subjectMatches(stream.subjects, filter) && !subjectMatches(filter, stream.subjects)) {
      throw new TransportError('rejected', 'consumer filter subject is not a valid subset of the interest subjects');
    }
    const backoff = config.backoffMs ?? [];
    if (backoff.length > 0 && (config.maxDeliver ?? -1) <= backoff.length) {
      throw new TransportError('rejected', 'max deliver is required to be > length of backoff values');
    }
    const existing = this.#consumers.get(config.durable);
    if (existing === undefined) {
      this.#consumers.set(config.durable, new SimConsumer(config, stream, this.timers));
      return 'created';
    }
    existing.update(config);
    return 'updated';
  }

  deleteConsumer(durable: string): boolean {
    this.#requireStream();
    const consumer = this.#consumers.get(durable);
    if (consumer === undefined) return false;
    this.#consumers.delete(durable);
    consumer.close();
    return true;
  }

  consumerInfo(durable: string): ConsumerInfo {
    this.#requireStream();
    const consumer = this.#consumers.get(durable);
    if (consumer === undefined) throw new TransportError('not-found', 'consumer not found');
    return consumer.info();
  }

  /** 2.9 says nothing at all to a pull for a consumer (or stream) that does not exist. */
  pull(durable: string, req: PullRequester): void {
    this.#consumers.get(durable)?.pull(req);
  }

  /** Acks are one-way: for a consumer that is gone they are dropped. */
  ackVerb(durable: string, seq: number, dseq: number, verb: AckVerb): void {
    const consumer = this.#consumers.get(durable);
    if (consumer === undefined) return;
    switch (verb.kind) {
      case 'ack':
        return consumer.ack(seq, dseq);
      case 'term':
        return consumer.term(seq, dseq);
      case 'working':
        return consumer.working(seq);
      case 'nak':
        return consumer.nak(seq, dseq, verb.delayMs);
      default: {
        const unexpected: never = verb;
        throw new Error(`unknown ack verb ${JSON.stringify(unexpected)}`);
      }
    }
  }

  getMessage(seq: number): SimMessage | undefined {
    return this.#requireStream().get(seq);
  }

  readRange(fromSeq: number, max: number): SimMessage[] {
    return this.#requireStream().range(fromSeq, max);
  }

  streamInfo(): StreamInfo {
    const stream = this.#requireStream();
    const lastSeq = stream.lastSeq;
    // As 2.9 reports it: an empty stream has first_seq 0.
    return { firstSeq: lastSeq > 0 ? 1 : 0, lastSeq, messages: stream.count, lastTimestampMs: stream.lastTimestampMs };
  }

  #requireStream(): SimStream {
    if (this.#stream === undefined) throw new TransportError('not-found', 'stream not found');
    return this.#stream;
  }
}
