import type { Positioned } from '../domain/envelope.js';
import type { Db } from './sqlite.js';

/** Resolves a view's base table name to the physical one: itself when live, `<name>__rebuild` while rebuilding. */
export type TableName = (base: string) => string;

/** `live` applies deliveries from the durable consumer; `rebuild` replays the log into fresh tables. */
export type ApplyMode = 'live' | 'rebuild';

export type ApplyOutcome =
  | { readonly kind: 'applied' }
  /** The event does not concern this view; only the checkpoint moves. */
  | { readonly kind: 'ignored' }
  /** A read model this one reads from has not yet applied up to `neededSeq`: nothing was written; try later. */
  | {
      readonly kind: 'waitForDependency';
      readonly dependency: string;
      readonly neededSeq: number;
      readonly haveSeq: number;
    };

/** The part of a read model that writes rows. Called inside the consumer's transaction; throwing rolls the event back. */
export interface ViewWriter {
  apply(event: Positioned, mode: ApplyMode): ApplyOutcome;
}

/**
 * What a read model gives the generic projection store: its tables (so a rebuild can make fresh ones and swap
 * them in) and a writer bound to a set of physical table names.
 */
export interface ProjectionView {
  readonly name: string;
  readonly tables: readonly string[];
  /** CREATE TABLE statements for the given names (no `IF NOT EXISTS`: the store decides when). */
  tableDdl(t: TableName): readonly string[];
  /** CREATE INDEX statements; index names must derive from table names so rebuild copies do not collide. */
  indexDdl(t: TableName): readonly string[];
  /**
   * Indexes only readers need (the writer never looks rows up by them): a rebuild builds them once, after the last
   * event, instead of maintaining them for every row it writes. Same naming rule as `indexDdl`.
   */
  queryIndexDdl?(t: TableName): readonly string[];
  bind(db: Db, t: TableName): ViewWriter;
}

export const liveTables: TableName = (base) => base;
export const rebuildTables: TableName = (base) => `${base}__rebuild`;
