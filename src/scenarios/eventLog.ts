import { decodeEnvelope, type EventEnvelope } from '../domain/envelope.js';
import type { StoredEvent, Transport } from '../transport/port.js';

export interface LogEntry {
  readonly seq: number;
  readonly envelope: EventEnvelope;
}

export interface ReadLog {
  readonly entries: LogEntry[];
  /** Events that do not decode: the oracle skips them, exactly as the projections park them. */
  readonly undecodable: { readonly seq: number; readonly reason: string }[];
  readonly lastSeq: number;
}

/** Reads the whole stream back, in order, in bounded pages. The input of the oracle. */
export async function readEventLog(transport: Transport, pageSize = 1_000): Promise<ReadLog> {
  const entries: LogEntry[] = [];
  const undecodable: { seq: number; reason: string }[] = [];
  let from = 1;
  let lastSeq = 0;
  for (;;) {
    const page: StoredEvent[] = await transport.readRange(from, pageSize);
    if (page.length === 0) break;
    for (const stored of page) {
      const decoded = decodeEnvelope(stored.data);
      if (decoded.ok) entries.push({ seq: stored.seq, envelope: decoded.value });
      else undecodable.push({ seq: stored.seq, reason: decoded.error });
      lastSeq = stored.seq;
    }
    from = lastSeq + 1;
  }
  return { entries, undecodable, lastSeq };
}
