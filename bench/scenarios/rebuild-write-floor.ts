import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { checkpointInBackground } from '@ledger/platform/sqlite/background-checkpoints';
import { openReadModelDatabase } from '@ledger/read-models/adapters/sqlite';
import { elapsedMs } from '../harness/stats';

export interface WriteFloorResult {
  /** Rows of every live projection table (documents and side tables) copied. */
  readonly rows: number;
  readonly indexes: number;
  readonly insertSeconds: number;
  readonly indexSeconds: number;
  readonly seconds: number;
}

const ROWS_PER_TRANSACTION = 1_000;

/**
 * The floor of any rebuild into this read model: the rows the rebuild produced (every live
 * target's tables, read back from read-models.db) inserted into a fresh database opened as the
 * store opens it, in transactions of a rebuild page, into tables without indexes; then the same
 * indexes built. Only those inserts and index builds are timed: no event read, no fold, no JSON.
 * SQLite has one writer per file, so no number of cores makes a rebuild faster than this.
 */
export async function writeFloor(dataDir: string): Promise<WriteFloorResult> {
  const source = new Database(join(dataDir, 'read-models.db'), { readonly: true });
  const file = join(dataDir, 'write-floor.db');
  const removeFloor = () => ['', '-wal', '-shm'].forEach((s) => rmSync(file + s, { force: true }));
  removeFloor();
  const floor = openReadModelDatabase(file);
  // Checkpointed as the rebuild's store is: from a worker thread.
  const releaseCheckpoints = checkpointInBackground(floor);
  try {
    const tables = liveTables(source);
    let rows = 0;
    let insertMs = 0;
    for (const table of tables) {
      // Filled without the PRIMARY KEY, as a rebuild fills its shadow; the key comes back as
      // the UNIQUE id index among the indexes below. WITHOUT ROWID side tables keep theirs.
      floor.exec(table.sql.replace(/ PRIMARY KEY,/, ','));
      const columns = (
        source.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table.name) as string[]
      )
        .map((c) => `"${c}"`)
        .join(', ');
      const insert = floor.prepare(
        `INSERT INTO "${table.name}" (${columns}) VALUES (${columns.replace(/"[^"]+"/g, '?')})`,
      );
      const write = floor.transaction((batch: unknown[][]) => {
        for (const row of batch) insert.run(row);
      });
      let batch: unknown[][] = [];
      const flush = () => {
        const started = process.hrtime.bigint();
        write(batch);
        insertMs += elapsedMs(started);
        rows += batch.length;
        batch = [];
      };
      const read = source.prepare(`SELECT ${columns} FROM "${table.name}"`).raw();
      for (const row of read.iterate() as IterableIterator<unknown[]>) {
        batch.push(row);
        if (batch.length === ROWS_PER_TRANSACTION) flush();
      }
      flush();
    }
    const indexes = source
      .prepare(
        `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN (SELECT value FROM json_each(?))`,
      )
      .pluck()
      .all(JSON.stringify(tables.map((t) => t.name))) as string[];
    const started = process.hrtime.bigint();
    for (const sql of indexes) floor.exec(sql);
    const indexMs = elapsedMs(started);
    return {
      rows,
      indexes: indexes.length,
      insertSeconds: insertMs / 1000,
      indexSeconds: indexMs / 1000,
      seconds: (insertMs + indexMs) / 1000,
    };
  } finally {
    source.close();
    await releaseCheckpoints();
    floor.close();
    removeFloor();
  }
}

/** The document and side tables of every projection's live target (the lease records aside). */
function liveTables(db: Database.Database): { name: string; sql: string }[] {
  return db
    .prepare(
      `SELECT m.name, m.sql FROM sqlite_master m JOIN projections p
         ON m.name = 'doc__' || p.live_target OR m.name LIKE 'arr\\_\\_' || p.live_target || '\\_\\_%' ESCAPE '\\'
       WHERE m.type = 'table' AND p.name NOT LIKE '\\_%' ESCAPE '\\'
       ORDER BY m.name`,
    )
    .all() as { name: string; sql: string }[];
}
