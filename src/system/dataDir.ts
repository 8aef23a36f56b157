import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../store/sqlite.js';

/** The data directory that keeps every database in memory (the simulation and unit tests use it). */
export const IN_MEMORY = ':memory:';

/**
 * Where the system's SQLite databases live — one file per service and read model in a directory, or all in memory —
 * and every connection opened to them, so the system closes each once when it stops.
 */
export class DataDir {
  private readonly opened = new Set<Db>();

  constructor(readonly path: string) {
    if (!this.inMemory) mkdirSync(path, { recursive: true });
  }

  get inMemory(): boolean {
    return this.path === IN_MEMORY;
  }

  /** The read-write connection to database `name` (in memory, a database of its own). */
  open(name: string): Db {
    return this.track(openDatabase(this.inMemory ? IN_MEMORY : join(this.path, `${name}.db`)));
  }

  /**
   * A second, read-only connection to database `name`, for readers that must not see the writer's open
   * transaction (the HTTP queries, the summary's look-ups in Products). In memory there is no second connection to
   * the same database: the readers share `writer`.
   */
  reader(name: string, writer: Db): Db {
    return this.inMemory ? writer : this.track(openDatabase(join(this.path, `${name}.db`), { readonly: true }));
  }

  closeAll(): void {
    for (const db of this.opened) db.close();
    this.opened.clear();
  }

  private track(db: Db): Db {
    this.opened.add(db);
    return db;
  }
}
