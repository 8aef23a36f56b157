import type { EventEnvelope } from '../domain/envelope.js';
import { encodeEnvelope } from '../domain/envelope.js';
import { subjectFor } from '../domain/events.js';
import type { Db } from './sqlite.js';

/** A row waiting to be published. `msgId` is the event id: the broker dedupes a republish after a crash. */
export interface OutboxRow {
  readonly id: number;
  readonly msgId: string;
  readonly subject: string;
  readonly payload: Uint8Array;
}

export const OUTBOX_DDL = [
  `CREATE TABLE IF NOT EXISTS outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     msg_id TEXT NOT NULL UNIQUE,
     subject TEXT NOT NULL,
     payload BLOB NOT NULL,
     created_at TEXT NOT NULL,
     sent_at TEXT
   )`,
  `CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox(id) WHERE sent_at IS NULL`,
];

/**
 * The transactional outbox of one store. `append` must be called inside the caller's transaction, so the event
 * exists if and only if the state change that produced it does. A relay drains it after the broker acks.
 */
export class Outbox {
  private readonly insert;
  private readonly selectPending;
  private readonly markOne;
  private readonly countPending;
  private readonly selectSent;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      'INSERT INTO outbox (msg_id, subject, payload, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(msg_id) DO NOTHING',
    );
    this.selectPending = db.prepare(
      'SELECT id, msg_id, subject, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?',
    );
    this.markOne = db.prepare('UPDATE outbox SET sent_at = ? WHERE id = ?');
    this.countPending = db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL').pluck();
    this.selectSent = db.prepare(
      'SELECT id, msg_id FROM outbox WHERE sent_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?',
    );
  }

  /**
   * Event ids of rows the broker acknowledged (a row is marked sent only after its publish ack), in pages after row
   * `afterId`: what the stream must hold unless the broker lost acknowledged data.
   */
  acknowledged(afterId: number, limit: number): { readonly id: number; readonly msgId: string }[] {
    const rows = this.selectSent.all(afterId, limit) as { id: number; msg_id: string }[];
    return rows.map((r) => ({ id: r.id, msgId: r.msg_id }));
  }

  /** Idempotent on the event id: a redelivered source event appends nothing new. */
  append(envelope: EventEnvelope): void {
    this.insert.run(envelope.eventId, subjectFor(envelope.type), encodeEnvelope(envelope), envelope.occurredAt);
  }

  pending(limit: number): OutboxRow[] {
    const rows = this.selectPending.all(limit) as { id: number; msg_id: string; subject: string; payload: Buffer }[];
    return rows.map((r) => ({ id: r.id, msgId: r.msg_id, subject: r.subject, payload: new Uint8Array(r.payload) }));
  }

  markSent(ids: readonly number[], now: string): void {
    this.db.transaction(() => {
      for (const id of ids) this.markOne.run(now, id);
    })();
  }

  backlog(): number {
    return this.countPending.get() as number;
  }
}
