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
  db.pragma('foreign_keys = ON');
  return db;
}

/** Runs `statements` (DDL) in one transaction. */
export function migrate(db: Db, statements: readonly string[]): void {
  db.transaction(() => {
    for (const sql of statements) db.exec(sql);
  })();
}
