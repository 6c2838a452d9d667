import type { StoredDocument, TargetState } from '@ledger/projections/core';
import type { Database } from 'better-sqlite3';

/**
 * Bookkeeping tables of the read-model database. Documents live in per-target tables
 * (sqlite-document-tables.ts); `projections.live_target` is the pointer a switch moves.
 */
export function migrateReadModelSchema(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS projections (
      name TEXT NOT NULL PRIMARY KEY,
      live_target TEXT NOT NULL,
      shadow_target TEXT,
      status TEXT NOT NULL,
      last_error TEXT,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS targets (
      target TEXT NOT NULL PRIMARY KEY,
      projection TEXT NOT NULL,
      version INTEGER NOT NULL,
      checkpoint TEXT,
      checkpoint_key TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    -- AUTOINCREMENT never reuses a number, so a dropped target's name never comes back and a
    -- stale worker can never write into a newer copy.
    CREATE TABLE IF NOT EXISTS target_sequence (n INTEGER PRIMARY KEY AUTOINCREMENT, projection TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS parked_events (
      id TEXT NOT NULL PRIMARY KEY,
      projection TEXT NOT NULL,
      position TEXT NOT NULL,
      position_key TEXT NOT NULL,
      event_id TEXT NOT NULL,
      stream_name TEXT NOT NULL,
      event_type TEXT NOT NULL,
      error TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      parked_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS parked_events_by_position ON parked_events (position_key, id);
    CREATE INDEX IF NOT EXISTS parked_events_by_projection ON parked_events (projection, position_key, id);
    CREATE TABLE IF NOT EXISTS leases (
      name TEXT NOT NULL PRIMARY KEY,
      owner TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    );
  `);
  // Added later: a target filled without its secondary indexes (a rebuild's shadow) until
  // prepareSwitch builds them. Older files get the column, every existing target being complete.
  const targetColumns = db.prepare(`SELECT name FROM pragma_table_info('targets')`).pluck().all();
  if (!targetColumns.includes('indexes_deferred')) {
    try {
      db.exec(`ALTER TABLE targets ADD COLUMN indexes_deferred INTEGER NOT NULL DEFAULT 0`);
    } catch (e) {
      // Another process opening the same file added it first.
      if (!/duplicate column/i.test(String((e as Error).message))) throw e;
    }
  }
}

export interface ProjectionRow {
  name: string;
  live_target: string;
  shadow_target: string | null;
  status: string;
  last_error: string | null;
  updated_at: string;
}

export interface TargetRow {
  target: string;
  projection: string;
  version: number;
  checkpoint: string | null;
  checkpoint_key: string | null;
  indexes_deferred: number;
  created_at: string;
  updated_at: string;
}

export interface ParkedRow {
  id: string;
  projection: string;
  position: string;
  position_key: string;
  event_id: string;
  stream_name: string;
  event_type: string;
  error: string;
  attempts: number;
  parked_at: string;
}

export interface DocumentRow {
  id: string;
  position: string;
  position_key: string;
  body: string;
}

export const toTarget = (r: TargetRow): TargetState => ({
  target: r.target,
  projection: r.projection,
  version: r.version,
  ...(r.checkpoint !== null && r.checkpoint_key !== null
    ? { checkpoint: { position: r.checkpoint, key: r.checkpoint_key } }
    : {}),
  ...(r.indexes_deferred ? { indexesDeferred: true } : {}),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export const toStored = <Doc>(r: DocumentRow): StoredDocument<Doc> => ({
  id: r.id,
  doc: JSON.parse(r.body) as Doc,
  position: r.position,
  positionKey: r.position_key,
});
