import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens a SQLite file (or `:memory:`) the way every store here wants it. WAL lets HTTP readers run beside the
 * projection writer; synchronous=NORMAL in WAL mode survives a process crash (kill -9) without losing a commit,
 * which is the failure this testbed injects (power loss is out of scope).
 */
export function openDatabase(path: string, options: { readonly readonly?: boolean } = {}): Db {
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('busy_timeout = 5000');
  // Every event is applied inside a savepoint (a failing handler must leave nothing behind). With temp files on
  // disk, SQLite spills each savepoint's journal to a temp file: 15 pwrite calls per event in a rebuild, two thirds
  // of its time when traced. In memory the journal holds one event's pages, released with the savepoint.
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Runs `work` with SQLite's temp files on disk. For statements whose temp data grows with a table (the sort behind
 * CREATE INDEX over a rebuilt view): in memory that would be RSS growing with the length of the log. Must be called
 * outside a transaction (SQLite refuses to change temp_store inside one).
 */
export function withTempFilesOnDisk<T>(db: Db, work: () => T): T {
  db.pragma('temp_store = FILE');
  try {
    return work();
  } finally {
    db.pragma('temp_store = MEMORY');
  }
}

/** Runs `statements` (DDL) in one transaction. */
export function migrate(db: Db, statements: readonly string[]): void {
  db.transaction(() => {
    for (const sql of statements) db.exec(sql);
  })();
}
