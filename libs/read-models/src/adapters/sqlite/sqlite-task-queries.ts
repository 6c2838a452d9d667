import type Database from 'better-sqlite3';
import type { Position } from '@ledger/event-store';
import {
  emptyStats,
  STATS_PROJECTION_NAME,
  TASK_HISTORY_PROJECTION_NAME,
  TASKS_PROJECTION_NAME,
  type StatsDocument,
  type TaskDocument,
  type TaskHistoryDocument,
} from '../../projections';
import { cursorAfter } from '../../queries/cursor';
import type { TaskListPage, TaskListQuery } from '../../queries/task-list-query';
import { taskPageJson, taskViewJsonOf } from '../../queries/task-view';
import {
  TASK_READ_MODELS,
  type Positioned,
  type TaskHistoryEntry,
  type TaskQueries,
  type TaskReadModel,
  type TaskStats,
} from '../../core/task-queries.port';
import { cachedIn } from '@ledger/platform/sqlite/bounded-cache';
import { openReadModelDatabase, translateBusy } from './sqlite-connection';
import { docTable, quote, sideRowsHaveRid } from './sqlite-document-tables';
import { migrateReadModelSchema } from './sqlite-read-model-schema';
import { taskListSql } from './sqlite-task-list-sql';

export interface SqliteTaskQueriesOptions {
  /** The read-model database the projector writes (`${LEDGER_DATA_DIR}/read-models.db`). */
  readonly file?: string;
  /** Or a connection to share, e.g. `SqliteProjectionStore.db` in the all-in-one process. */
  readonly db?: Database.Database;
}

/**
 * Entry ids are `${taskId}:${revision padded}`: one range of the id index, in revision order
 * (`:` < `;`), the tenant checked on the rows found. Exported so a test can EXPLAIN it.
 */
export const taskHistorySql = (target: string): string =>
  `SELECT body FROM ${quote(docTable(target))} WHERE tenant_id = ? AND id > ? AND id < ? ORDER BY id`;

/** @example const queries = createSqliteTaskQueries({ file: `${dataDir}/read-models.db` }) */
export function createSqliteTaskQueries(options: SqliteTaskQueriesOptions): SqliteTaskQueries {
  if (options.db) return new SqliteTaskQueries(options.db, false);
  if (!options.file) throw new Error('createSqliteTaskQueries needs a file or a db');
  const db = openReadModelDatabase(options.file);
  // Creates the bookkeeping tables if the projector has not run yet, so reads answer "empty".
  migrateReadModelSchema(db);
  return new SqliteTaskQueries(db, true);
}

/** A target's checkpoint columns, as the statements below select them. */
interface CheckpointRow {
  readonly checkpoint: string | null;
  readonly checkpoint_key: string | null;
}

interface LiveCheckpoint extends CheckpointRow {
  readonly target: string;
}

/** A projection's position: none while it has no live target or its target projected nothing. */
const positionOf = (live: LiveCheckpoint | undefined): Position | undefined =>
  live && live.checkpoint_key !== null ? live.checkpoint! : undefined;

/**
 * Reads the live targets. Each call runs in one read transaction, so the live pointer and the
 * rows it points to come from the same WAL snapshot: a switch committed meanwhile (even by
 * another process) is either entirely visible or not at all, and a dropped old table is never hit.
 */
export class SqliteTaskQueries implements TaskQueries {
  private readonly liveTarget: Database.Statement;
  /** A projection's live target and that target's checkpoint, one row or none. */
  private readonly live: Database.Statement;
  private readonly checkpoints: Database.Statement;
  private readonly prepared = new Map<string, Database.Statement>();
  /** The list pages' statements, plucking the one column: 51 strings, not 51 row objects. */
  private readonly pages = new Map<string, Database.Statement>();
  private readonly ridLayouts = new Map<string, boolean>();
  /** Built once: better-sqlite3 builds a wrapper per `db.transaction(fn)`, a third of a lookup's cost. */
  private readonly snapshot: Database.Transaction<(fn: () => unknown) => unknown>;

  constructor(
    readonly db: Database.Database,
    private readonly ownsDb: boolean,
  ) {
    this.liveTarget = db.prepare(`SELECT live_target AS target FROM projections WHERE name = ?`);
    this.live = db.prepare(
      `SELECT p.live_target AS target, t.checkpoint, t.checkpoint_key
       FROM projections p LEFT JOIN targets t ON t.target = p.live_target WHERE p.name = ?`,
    );
    this.checkpoints = db.prepare(
      `SELECT p.name, t.checkpoint, t.checkpoint_key FROM projections p JOIN targets t ON t.target = p.live_target
       WHERE p.name IN (SELECT value FROM json_each(?))`,
    );
    this.snapshot = db.transaction((fn: () => unknown) => fn());
  }

  private read<T>(fn: () => T): T {
    return translateBusy(() => this.snapshot.deferred(fn) as T);
  }

  private target(projection: string): string | undefined {
    return (this.liveTarget.get(projection) as { target: string } | undefined)?.target;
  }

  /** Statements are cached by SQL text, which names the target: a switch simply yields new ones. */
  private statement(sql: string): Database.Statement {
    return cachedIn(this.prepared, sql, () => this.db.prepare(sql), 500);
  }

  /** A list page's statement: plucked, so a page is its bodies as strings. */
  private pageStatement(sql: string): Database.Statement {
    return cachedIn(this.pages, sql, () => this.db.prepare(sql).pluck(), 500);
  }

  /** Asked of the schema once per target that a label is listed from: a table's columns never change. */
  private labelsHaveRid(target: string, query: TaskListQuery): boolean {
    if (query.filter.label === undefined) return false;
    return cachedIn(this.ridLayouts, target, () => sideRowsHaveRid(this.db, target, 'labels'), 100);
  }

  private body<T>(projection: string, tenantId: string, id: string): T | undefined {
    const target = this.target(projection);
    if (!target) return undefined;
    const row = this.statement(
      `SELECT body FROM ${quote(docTable(target))} WHERE id = ? AND tenant_id = ?`,
    ).get(id, tenantId) as { body: string } | undefined;
    return row && (JSON.parse(row.body) as T);
  }

  async getTask(tenantId: string, id: string): Promise<TaskDocument | undefined> {
    return this.read(() => this.body<TaskDocument>(TASKS_PROJECTION_NAME, tenantId, id));
  }

  async listTasks(tenantId: string, query: TaskListQuery): Promise<TaskListPage<TaskDocument>> {
    return this.read(() => {
      const target = this.target(TASKS_PROJECTION_NAME);
      const rows = target ? this.pageRows(target, tenantId, query) : [];
      const items = rows.slice(0, query.limit).map((body) => JSON.parse(body) as TaskDocument);
      const more = rows.length > query.limit;
      return { items, nextCursor: more ? cursorAfter(query.sort, items[items.length - 1]) : null };
    });
  }

  /**
   * The live target and its checkpoint come from one lookup in the page's own read transaction:
   * X-Position is then exactly what the page reflects, and a list request takes one snapshot,
   * not two (strace: each read transaction takes and releases the WAL read lock with fcntl, and
   * with an empty WAL also fstats the database file).
   */
  async listTasksJson(tenantId: string, query: TaskListQuery): Promise<Positioned<string>> {
    return this.read(() => {
      const live = this.live.get(TASKS_PROJECTION_NAME) as LiveCheckpoint | undefined;
      const rows = live ? this.pageRows(live.target, tenantId, query) : [];
      const more = rows.length > query.limit;
      const count = more ? query.limit : rows.length;
      const view = taskViewJsonOf(tenantId);
      const items = new Array<string>(count);
      for (let i = 0; i < count; i++) items[i] = view(rows[i]);
      // Only the last item is parsed, for the sort value its cursor carries.
      const last = more ? (JSON.parse(rows[count - 1]) as TaskDocument) : undefined;
      return {
        value: taskPageJson({ items, nextCursor: last ? cursorAfter(query.sort, last) : null }),
        position: positionOf(live),
      };
    });
  }

  /** The bodies of up to `limit + 1` documents of the page (the extra one says whether a next page exists). */
  private pageRows(target: string, tenantId: string, query: TaskListQuery): string[] {
    const { sql, params } = taskListSql(target, tenantId, query, this.labelsHaveRid(target, query));
    return this.pageStatement(sql).all(...params) as string[];
  }

  async taskHistory(tenantId: string, taskId: string): Promise<TaskHistoryEntry[]> {
    return this.read(() => {
      const target = this.target(TASK_HISTORY_PROJECTION_NAME);
      if (!target) return [];
      const rows = this.statement(taskHistorySql(target)).all(tenantId, `${taskId}:`, `${taskId};`) as {
        body: string;
      }[];
      return rows.map((r) => {
        const { revision, type, data, actor, occurredAt, position } = JSON.parse(
          r.body,
        ) as TaskHistoryDocument;
        return { revision, type, data, actor, occurredAt, position };
      });
    });
  }

  async stats(tenantId: string): Promise<TaskStats> {
    const doc =
      this.read(() => this.body<StatsDocument>(STATS_PROJECTION_NAME, tenantId, tenantId)) ??
      emptyStats(tenantId);
    return { byStatus: doc.byStatus, total: doc.total };
  }

  /**
   * X-Position of the reads that do not take it with their data, and what X-Min-Position waits
   * on: frequent, so it is one statement with no transaction around it (one statement reads one
   * snapshot by itself), and for one read model a lookup by primary key without json_each: 10 µs
   * instead of 17 in a micro-benchmark on the 100k-task read model.
   */
  async position(readModels: readonly TaskReadModel[] = TASK_READ_MODELS): Promise<Position | undefined> {
    // Every read route names one read model.
    if (readModels.length === 1) {
      return positionOf(translateBusy(() => this.live.get(readModels[0])) as LiveCheckpoint | undefined);
    }
    const rows = translateBusy(() => this.checkpoints.all(JSON.stringify(readModels))) as CheckpointRow[];
    if (rows.length < new Set(readModels).size || rows.some((r) => r.checkpoint_key === null))
      return undefined;
    rows.sort((a, b) =>
      a.checkpoint_key! < b.checkpoint_key! ? -1 : a.checkpoint_key! > b.checkpoint_key! ? 1 : 0,
    );
    return rows[0].checkpoint!;
  }

  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
