/** The simulated stream: an append-only log with sequences from 1 and a msg-id dedupe window. */
import { subjectMatches } from '../subjects.js';

/** A message as the simulated broker stores it. `data` is the broker's own copy: hand out copies of it. */
export interface SimMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly timestampMs: number;
  readonly msgId: string | undefined;
}

export interface StoreResult {
  readonly seq: number;
  readonly duplicate: boolean;
}

export class SimStream {
  duplicateWindowMs: number;
  /** Index = seq - 1: nothing is ever deleted (limits retention without limits). */
  readonly #messages: SimMessage[] = [];
  /** msg id → first store; insertion order is time order, so expiry trims from the front. */
  readonly #ids = new Map<string, { readonly seq: number; readonly atMs: number }>();

  constructor(
    readonly subjects: string,
    duplicateWindowMs: number,
  ) {
    this.duplicateWindowMs = duplicateWindowMs;
  }

  /** Stores a message unless its msg id was seen within the window; a duplicate answers with the original's seq. */
  store(subject: string, data: Uint8Array, msgId: string | undefined, nowMs: number): StoreResult {
    this.#forgetExpiredIds(nowMs);
    if (msgId !== undefined) {
      const seen = this.#ids.get(msgId);
      if (seen !== undefined) return { seq: seen.seq, duplicate: true };
    }
    const seq = this.#messages.length + 1;
    this.#messages.push({ seq, subject, data: new Uint8Array(data), timestampMs: nowMs, msgId });
    if (msgId !== undefined) this.#ids.set(msgId, { seq, atMs: nowMs });
    return { seq, duplicate: false };
  }

  accepts(subject: string): boolean {
    return subjectMatches(this.subjects, subject);
  }

  get(seq: number): SimMessage | undefined {
    return Number.isSafeInteger(seq) && seq >= 1 ? this.#messages[seq - 1] : undefined;
  }

  /** Up to `max` messages from `fromSeq` on, in order. */
  range(fromSeq: number, max: number): SimMessage[] {
    const start = Math.max(1, Math.floor(fromSeq)) - 1;
    return this.#messages.slice(start, start + Math.max(0, max));
  }

  get lastSeq(): number {
    return this.#messages.length;
  }

  get count(): number {
    return this.#messages.length;
  }

  get lastTimestampMs(): number {
    return this.#messages.at(-1)?.timestampMs ?? 0;
  }

  /** First message at or after `fromSeq` whose subject matches `filter`. */
  nextMatching(fromSeq: number, filter: string): SimMessage | undefined {
    for (let i = Math.max(1, fromSeq) - 1; i < this.#messages.length; i++) {
      const m = this.#messages[i] as SimMessage;
      if (subjectMatches(filter, m.subject)) return m;
    }
    return undefined;
  }

  countMatching(fromSeq: number, filter: string): number {
    let n = 0;
    for (let i = Math.max(1, fromSeq) - 1; i < this.#messages.length; i++) {
      if (subjectMatches(filter, (this.#messages[i] as SimMessage).subject)) n++;
    }
    return n;
  }

  #forgetExpiredIds(nowMs: number): void {
    for (const [id, seen] of this.#ids) {
      if (nowMs - seen.atMs < this.duplicateWindowMs) return;
      this.#ids.delete(id);
    }
  }
}
