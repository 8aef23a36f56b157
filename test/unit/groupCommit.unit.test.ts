import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/groupCommit.js';
import { openDatabase, type Db } from '../../src/store/sqlite.js';

// Group commit against real SQLite: one transaction per turn, nobody resolved before the commit, one bad write
// fails alone.

function db(): Db {
  const d = openDatabase(':memory:');
  d.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  return d;
}
const insert = (d: Db, k: string) => () => void d.prepare('INSERT INTO t (k) VALUES (?)').run(k);
const keys = (d: Db) => d.prepare('SELECT k FROM t ORDER BY k').pluck().all() as string[];

describe('GroupCommit', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('commits the writes queued in one turn together, and resolves each only after the commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    dirs.push(dir);
    const writer = openDatabase(join(dir, 'g.db'));
    writer.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
    const reader = openDatabase(join(dir, 'g.db'), { readonly: true });
    const version = reader.prepare('SELECT data_version FROM pragma_data_version').pluck();
    const before = version.get();
    const group = new GroupCommit(writer);
    const seenAtResolve: number[] = [];
    const writes = ['a', 'b', 'c'].map((k) =>
      group
        .run(insert(writer, k))
        .then(() => seenAtResolve.push(reader.prepare('SELECT COUNT(*) FROM t').pluck().get() as number)),
    );
    // Nothing is written before the turn ends.
    expect(reader.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(0);
    await Promise.all(writes);
    expect(keys(writer)).toEqual(['a', 'b', 'c']);
    // Every caller already saw all three committed (one shared commit), and the other connection saw one commit.
    expect(seenAtResolve).toEqual([3, 3, 3]);
    expect(version.get()).toBe((before as number) + 1);
    reader.close();
    writer.close();
  });

  it('fails only the bad write: its neighbours still commit', async () => {
    const d = db();
    const group = new GroupCommit(d);
    const results = await Promise.allSettled([
      group.run(insert(d, 'x')),
      group.run(insert(d, 'x')),
      group.run(insert(d, 'y')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(keys(d)).toEqual(['x', 'y']);
  });

  it('flushes at once when maxBatch writes are queued', async () => {
    const d = db();
    const group = new GroupCommit(d, 2);
    const first = group.run(insert(d, 'a'));
    void group.run(insert(d, 'b'));
    // The second write filled the batch: committed synchronously, before the turn ends.
    expect(keys(d)).toEqual(['a', 'b']);
    const third = group.run(insert(d, 'c'));
    expect(keys(d)).toEqual(['a', 'b']);
    await Promise.all([first, third]);
    expect(keys(d)).toEqual(['a', 'b', 'c']);
  });
});
