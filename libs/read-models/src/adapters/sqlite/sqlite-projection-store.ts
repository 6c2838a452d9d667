import Database from 'better-sqlite3';
import type {
  Checkpoint,
  CommitResult,
  DocumentWrite,
  ListParkedOptions,
  NewParkedEvent,
  ParkedEvent,
  ProjectionState,
  ProjectionStatus,
  ProjectionStore,
  ScanOptions,
  ShadowTargetOptions,
  TargetState,
  StoredDocument,
} from '@ledger/projections/core';
import { StaleTargetError } from '@ledger/projections/core';
import { PLAIN_STORAGE, READ_MODEL_STORAGE, type DocumentStorage } from '../../core/document-storage';
import {
  documentTableDrops,
  dropDocumentTables,
  ensureDocumentTables,
  ensureIdIndex,
  hasIdIndex,
  prepareDocumentStatements,
  prepareRowStatements,
  slug,
  tablesByTarget,
  type DocumentStatements,
  type RowStatements,
} from './sqlite-document-tables';
import {
  checkpointOnFirstWrite,
  type CheckpointsOnFirstWrite,
} from '@ledger/platform/sqlite/background-checkpoints';
import { RowIdIndex } from './sqlite-row-id-index';
import { writeDocuments, writeRows } from './sqlite-document-writes';
import { SqliteParkedEvents } from './sqlite-parked-events';
import { SqliteLeases } from './sqlite-leases';
import { openReadModelDatabase, translateBusy } from './sqlite-connection';
import {
  migrateReadModelSchema,
  toStored,
  toTarget,
  type DocumentRow,
  type ProjectionRow,
  type TargetRow,
} from './sqlite-read-model-schema';

export interface SqliteProjectionStoreOptions {
  /** The read-model database, never the event store's: `${LEDGER_DATA_DIR}/read-models.db`. */
  readonly file: string;
  /** Storage per projection name (indexes, side tables); defaults to the read models' own. */
  readonly storage?: Readonly<Record<string, DocumentStorage>>;
  readonly clock?: () => Date;
  /** WAL checkpoints copied from a worker thread, beside the connection's own (see checkpointInBackground). */
  readonly backgroundCheckpoints?: boolean;
}

/** @example const store = createSqliteProjectionStore({ file: `${dataDir}/read-models.db` }) */
export const createSqliteProjectionStore = (options: SqliteProjectionStoreOptions): SqliteProjectionStore =>
  new SqliteProjectionStore(options);

export class SqliteProjectionStore implements ProjectionStore {
  /** Exposed for the query adapter on the same file and for tests (EXPLAIN QUERY PLAN). */
  readonly db: Database.Database;
  private readonly clock: () => Date;
  private readonly storage: Readonly<Record<string, DocumentStorage>>;
  private readonly statements = new Map<string, DocumentStatements>();
  /**
   * Shadows this object created with deferred indexes and fills without any index on `id`: their
   * rows by id, exact because every row of them was written through this object. Another object
   * (another process, after a crash) has no such map: it builds the table's id index first.
   */
  private readonly fills = new Map<string, { readonly rows: RowIdIndex; readonly s: RowStatements }>();
  private readonly parked: SqliteParkedEvents;
  private readonly leases: SqliteLeases;
  // Prepared once: every batch commit runs both.
  private readonly selectTarget: Database.Statement;
  private readonly advanceCheckpoint: Database.Statement;
  private readonly checkpoints: CheckpointsOnFirstWrite;

  constructor(options: SqliteProjectionStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.storage = options.storage ?? READ_MODEL_STORAGE;
    this.db = openReadModelDatabase(options.file);
    migrateReadModelSchema(this.db);
    // Started by the first write, as the event store's: a process that only reads through the
    // store runs no worker for the file.
    this.checkpoints = checkpointOnFirstWrite(this.db, options.backgroundCheckpoints ?? false);
    this.parked = new SqliteParkedEvents(this.db, this.clock);
    this.leases = new SqliteLeases(this.db, this.clock);
    this.selectTarget = this.db.prepare(`SELECT * FROM targets WHERE target = ?`);
    this.advanceCheckpoint = this.db.prepare(
      `UPDATE targets SET checkpoint = ?, checkpoint_key = ?, updated_at = ?
       WHERE target = ? AND (checkpoint_key IS NULL OR checkpoint_key < ?)`,
    );
    // Bring every existing target up to its projection's current storage declaration.
    const targets = this.db.prepare(`SELECT target, projection, indexes_deferred FROM targets`).all();
    for (const t of targets as TargetRow[]) {
      ensureDocumentTables(this.db, t.target, this.storageOf(t.projection), {
        deferIndexes: t.indexes_deferred === 1,
      });
    }
  }

  private storageOf(projection: string): DocumentStorage {
    return this.storage[projection] ?? PLAIN_STORAGE;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private tx<T>(fn: () => T): T {
    // IMMEDIATE takes the write lock up front: a reader-turned-writer cannot deadlock with
    // another process, and SQLITE_BUSY surfaces before any work (then it is retried as transient).
    const result = translateBusy(() => this.db.transaction(fn).immediate());
    this.checkpoints.wrote();
    return result;
  }

  private targetRow(target: string): TargetRow | undefined {
    return this.selectTarget.get(target) as TargetRow | undefined;
  }

  private projectionRow(name: string): ProjectionRow | undefined {
    return this.db.prepare(`SELECT * FROM projections WHERE name = ?`).get(name) as ProjectionRow | undefined;
  }

  private requireTarget(target: string): TargetRow {
    const row = this.targetRow(target);
    if (!row) throw new StaleTargetError(target);
    return row;
  }

  private statementsOf(target: TargetRow): DocumentStatements {
    let s = this.statements.get(target.target);
    if (!s) {
      // A shadow filled without its id index by another object (a crashed rebuild): index it now.
      if (target.indexes_deferred === 1) ensureIdIndex(this.db, target.target);
      s = prepareDocumentStatements(
        this.db,
        target.target,
        this.storageOf(target.projection),
        target.indexes_deferred === 1,
      );
      this.statements.set(target.target, s);
    }
    return s;
  }

  private newTarget(projection: string, version: number, deferIndexes = false): TargetRow {
    const { lastInsertRowid } = this.db
      .prepare(`INSERT INTO target_sequence (projection) VALUES (?)`)
      .run(projection);
    const target = `${slug(projection)}_g${lastInsertRowid}`;
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO targets (target, projection, version, indexes_deferred, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(target, projection, version, deferIndexes ? 1 : 0, now, now);
    ensureDocumentTables(this.db, target, this.storageOf(projection), { deferIndexes });
    if (deferIndexes && !hasIdIndex(this.db, target))
      this.fills.set(target, { rows: new RowIdIndex(), s: prepareRowStatements(this.db, target) });
    return this.requireTarget(target);
  }

  private dropTargetNow(target: string): void {
    this.forgetTarget(target);
    dropDocumentTables(this.db, target);
  }

  /** From here on the target is stale: a commit to it throws StaleTargetError, its tables are leftovers. */
  private forgetTarget(target: string): void {
    this.statements.delete(target);
    this.fills.delete(target);
    this.db.prepare(`DELETE FROM targets WHERE target = ?`).run(target);
  }

  /**
   * A forgotten target's tables, one index or table per transaction (see documentTableDrops).
   * Interrupted (a crash, a lock held past busy_timeout), the rest stays behind for
   * dropOrphanTargets, which every rebuild runs first: the switch it follows is already done.
   */
  private dropTablesStepwise(target: string): void {
    try {
      for (const sql of documentTableDrops(this.db, target)) this.tx(() => this.db.exec(sql));
    } catch {
      // Left for dropOrphanTargets (see above).
    }
  }

  private stateOf(row: ProjectionRow): ProjectionState {
    const live = toTarget(this.requireTarget(row.live_target));
    const shadowRow = row.shadow_target ? this.targetRow(row.shadow_target) : undefined;
    return {
      name: row.name,
      version: live.version,
      liveTarget: live.target,
      ...(live.checkpoint ? { checkpoint: live.checkpoint } : {}),
      ...(shadowRow ? { shadow: toTarget(shadowRow) } : {}),
      status: row.status as ProjectionStatus,
      ...(row.last_error !== null ? { lastError: row.last_error } : {}),
      updatedAt: new Date(row.updated_at),
    };
  }

  async registerProjection(name: string, version: number): Promise<ProjectionState> {
    return this.tx(() => {
      const existing = this.projectionRow(name);
      if (existing) return this.stateOf(existing);
      const target = this.newTarget(name, version);
      this.db
        .prepare(
          `INSERT INTO projections (name, live_target, status, updated_at) VALUES (?, ?, 'stopped', ?)`,
        )
        .run(name, target.target, this.now());
      return this.stateOf(this.projectionRow(name)!);
    });
  }

  async getState(name: string): Promise<ProjectionState | undefined> {
    const row = this.projectionRow(name);
    return row && this.stateOf(row);
  }

  async listStates(): Promise<ProjectionState[]> {
    const rows = this.db.prepare(`SELECT * FROM projections ORDER BY name`).all() as ProjectionRow[];
    return rows.map((r) => this.stateOf(r));
  }

  async setStatus(name: string, status: ProjectionStatus, lastError?: string | null): Promise<void> {
    const sql =
      lastError === undefined
        ? `UPDATE projections SET status = ?, updated_at = ? WHERE name = ?`
        : `UPDATE projections SET status = ?, updated_at = ?, last_error = ? WHERE name = ?`;
    const args = lastError === undefined ? [status, this.now(), name] : [status, this.now(), lastError, name];
    translateBusy(() => this.db.prepare(sql).run(...args));
  }

  async getTarget(target: string): Promise<TargetState | undefined> {
    const row = this.targetRow(target);
    return row && toTarget(row);
  }

  async loadDocuments<Doc>(
    target: string,
    ids: readonly string[],
  ): Promise<Map<string, StoredDocument<Doc>>> {
    const row = this.requireTarget(target);
    const fill = this.fills.get(target);
    if (fill) {
      const wanted = new Set(ids);
      const rowids = ids.flatMap((id) => fill.rows.candidates(id));
      const rows = rowids.length ? (fill.s.loadRows.all(JSON.stringify(rowids)) as DocumentRow[]) : [];
      // Candidates come from a hash: keep the rows that really carry a requested id.
      return new Map(rows.filter((r) => wanted.has(r.id)).map((r) => [r.id, toStored<Doc>(r)]));
    }
    const s = this.statementsOf(row);
    const rows = ids.length ? (s.load.all(JSON.stringify(ids)) as DocumentRow[]) : [];
    return new Map(rows.map((r) => [r.id, toStored<Doc>(r)]));
  }

  async commitBatch<Doc extends { readonly tenantId: string }>(
    target: string,
    writes: readonly DocumentWrite<Doc>[],
    checkpoint?: Checkpoint,
    parked?: readonly NewParkedEvent[],
  ): Promise<CommitResult> {
    return this.tx(() => {
      const row = this.requireTarget(target);
      const fill = this.fills.get(target);
      const applied = fill
        ? writeRows(fill.rows, fill.s, writes)
        : writeDocuments(this.statementsOf(row), writes);
      if (parked?.length) this.parked.add(parked);
      if (checkpoint) {
        this.advanceCheckpoint.run(checkpoint.position, checkpoint.key, this.now(), target, checkpoint.key);
      }
      return { applied, skipped: writes.length - applied };
    });
  }

  async resetCheckpoint(target: string, checkpoint: Checkpoint | undefined): Promise<void> {
    this.tx(() => {
      this.requireTarget(target);
      this.db
        .prepare(`UPDATE targets SET checkpoint = ?, checkpoint_key = ?, updated_at = ? WHERE target = ?`)
        .run(checkpoint?.position ?? null, checkpoint?.key ?? null, this.now(), target);
    });
  }

  async scanDocuments<Doc>(target: string, options: ScanOptions): Promise<StoredDocument<Doc>[]> {
    const row = this.requireTarget(target);
    const s = this.fills.get(target)?.s ?? this.statementsOf(row);
    return (s.scan.all(options.afterId ?? '', options.limit) as DocumentRow[]).map((r) => toStored<Doc>(r));
  }

  async addParked(events: readonly NewParkedEvent[]): Promise<void> {
    this.tx(() => this.parked.add(events));
  }
  async listParked(options: ListParkedOptions = {}): Promise<ParkedEvent[]> {
    return this.parked.list(options);
  }
  async getParked(id: string): Promise<ParkedEvent | undefined> {
    return this.parked.get(id);
  }
  async removeParked(id: string): Promise<boolean> {
    return translateBusy(() => this.parked.remove(id));
  }
  async countParked(projection?: string): Promise<number> {
    return this.parked.count(projection);
  }

  async acquireLease(name: string, owner: string, ttlMs: number, now?: Date): Promise<boolean> {
    return this.tx(() => this.leases.acquire(name, owner, ttlMs, now));
  }
  async renewLease(name: string, owner: string, ttlMs: number, now?: Date): Promise<boolean> {
    return this.tx(() => this.leases.renew(name, owner, ttlMs, now));
  }
  async releaseLease(name: string, owner: string): Promise<void> {
    this.tx(() => this.leases.release(name, owner));
  }

  async createShadowTarget(
    name: string,
    version: number,
    options: ShadowTargetOptions = {},
  ): Promise<TargetState> {
    return this.tx(() => {
      const p = this.projectionRow(name);
      if (!p) throw new Error(`projection ${name} is not registered`);
      if (p.shadow_target) this.dropTargetNow(p.shadow_target);
      const shadow = this.newTarget(name, version, options.deferIndexes);
      this.db
        .prepare(`UPDATE projections SET shadow_target = ?, updated_at = ? WHERE name = ?`)
        .run(shadow.target, this.now(), name);
      return toTarget(shadow);
    });
  }

  /**
   * One transaction: CREATE INDEX over the finished table, the side tables filled from the bodies,
   * the flag cleared. Killed half-way, it rolls back and the target is still deferred. It holds
   * the write lock while it runs (a live projector's commit waits, then retries on busy); readers
   * of other targets are not blocked (WAL).
   */
  private buildDeferred(row: TargetRow): void {
    if (row.indexes_deferred !== 1) return;
    ensureDocumentTables(this.db, row.target, this.storageOf(row.projection));
    this.db
      .prepare(`UPDATE targets SET indexes_deferred = 0, updated_at = ? WHERE target = ?`)
      .run(this.now(), row.target);
    // Its statements skipped the side tables (or the id index): prepare them again, maintaining them.
    this.statements.delete(row.target);
    this.fills.delete(row.target);
  }

  async prepareSwitch(target: string): Promise<void> {
    this.tx(() => this.buildDeferred(this.requireTarget(target)));
  }

  /**
   * The switch is one transaction: the pointer moves and the old target is forgotten. Its tables
   * are dropped after, each in a transaction of its own, so that a projector's commit waits for
   * one table's drop at most rather than for all of them inside the switch.
   */
  async switchLive(name: string, target: string): Promise<void> {
    const old = this.tx(() => {
      const p = this.projectionRow(name);
      const row = this.targetRow(target);
      if (!p || p.shadow_target !== target || !row) throw new StaleTargetError(target);
      this.buildDeferred(row);
      this.db
        .prepare(
          `UPDATE projections SET live_target = ?, shadow_target = NULL, updated_at = ? WHERE name = ?`,
        )
        .run(target, this.now(), name);
      this.forgetTarget(p.live_target);
      return p.live_target;
    });
    this.dropTablesStepwise(old);
  }

  async dropTarget(target: string): Promise<void> {
    this.tx(() => {
      if (this.db.prepare(`SELECT 1 FROM projections WHERE live_target = ?`).get(target)) {
        throw new Error(`refusing to drop ${target}: it is a live target`);
      }
      this.db.prepare(`UPDATE projections SET shadow_target = NULL WHERE shadow_target = ?`).run(target);
      this.dropTargetNow(target);
    });
  }

  /**
   * Two kinds: a `targets` row no projection points to, and tables whose target has no row any
   * more (a switch interrupted before its old tables were all dropped). Tables and rows are made
   * in one transaction (newTarget), so a target being created is never seen as either.
   */
  async dropOrphanTargets(): Promise<string[]> {
    return this.tx(() => {
      const unreferenced = this.db
        .prepare(
          `SELECT target FROM targets WHERE target NOT IN
             (SELECT live_target FROM projections UNION SELECT shadow_target FROM projections WHERE shadow_target IS NOT NULL)`,
        )
        .pluck()
        .all() as string[];
      for (const target of unreferenced) this.dropTargetNow(target);
      const known = new Set(this.db.prepare(`SELECT target FROM targets`).pluck().all() as string[]);
      const leftovers = [...tablesByTarget(this.db).keys()].filter((t) => !known.has(t));
      for (const target of leftovers) dropDocumentTables(this.db, target);
      return [...new Set([...unreferenced, ...leftovers])].sort();
    });
  }

  async close(): Promise<void> {
    await this.checkpoints.release();
    if (this.db.open) this.db.close();
  }
}
