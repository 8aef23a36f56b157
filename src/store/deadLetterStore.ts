import type { Db } from './sqlite.js';

export interface DeadLetter {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | null;
  readonly data: Uint8Array;
  readonly reason: string;
  readonly attempts: number;
  readonly parkedAt: string;
  readonly replayedAt: string | null;
}

const DDL = `CREATE TABLE IF NOT EXISTS dead_letters (
  seq INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,
  msg_id TEXT,
  payload BLOB NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  parked_at TEXT NOT NULL,
  replayed_at TEXT
)`;

interface Row {
  seq: number;
  subject: string;
  msg_id: string | null;
  payload: Buffer;
  reason: string;
  attempts: number;
  parked_at: string;
  replayed_at: string | null;
}

const toLetter = (r: Row): DeadLetter => ({
  seq: r.seq,
  subject: r.subject,
  msgId: r.msg_id,
  data: new Uint8Array(r.payload),
  reason: r.reason,
  attempts: r.attempts,
  parkedAt: r.parked_at,
  replayedAt: r.replayed_at,
});

/** What a dead letter keeps of an event: enough to replay it exactly. */
export interface ParkableEvent {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly msgId?: string | undefined;
}

/** Events a projection gave up on, with the reason: kept, never lost, replayable once a fix is deployed. */
export class DeadLetterStore {
  private readonly insert;
  private readonly countOpen;

  constructor(private readonly db: Db) {
    db.exec(DDL);
    // A re-park of the same seq (e.g. during a rebuild) keeps one row with the newest reason.
    this.insert = db.prepare(`INSERT INTO dead_letters (seq, subject, msg_id, payload, reason, attempts, parked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(seq) DO UPDATE SET reason = excluded.reason, attempts = excluded.attempts,
      parked_at = excluded.parked_at, replayed_at = NULL`);
    this.countOpen = db.prepare('SELECT COUNT(*) FROM dead_letters WHERE replayed_at IS NULL').pluck();
  }

  park(event: ParkableEvent, reason: string, attempts: number, now: string): void {
    this.insert.run(event.seq, event.subject, event.msgId ?? null, Buffer.from(event.data), reason, attempts, now);
  }

  /** Parked and not yet successfully replayed. */
  count(): number {
    return this.countOpen.get() as number;
  }

  list(limit = 100): DeadLetter[] {
    return (this.db.prepare('SELECT * FROM dead_letters ORDER BY seq LIMIT ?').all(limit) as Row[]).map(toLetter);
  }

  /** Bounded: a replay works through the backlog a page at a time. */
  unreplayed(limit = 10_000): DeadLetter[] {
    return (
      this.db.prepare('SELECT * FROM dead_letters WHERE replayed_at IS NULL ORDER BY seq LIMIT ?').all(limit) as Row[]
    ).map(toLetter);
  }

  markReplayed(seq: number, now: string): void {
    this.db.prepare('UPDATE dead_letters SET replayed_at = ? WHERE seq = ?').run(now, seq);
  }

  noteReplayFailure(seq: number, message: string): void {
    this.db
      .prepare("UPDATE dead_letters SET reason = reason || ' | replay failed: ' || ? WHERE seq = ?")
      .run(message, seq);
  }
}
