import type { Database } from 'better-sqlite3';
import {
  parkedEventId,
  type ListParkedOptions,
  type NewParkedEvent,
  type ParkedEvent,
} from '@ledger/projections/core';
import type { ParkedRow } from './sqlite-read-model-schema';

const toParked = (r: ParkedRow): ParkedEvent => ({
  id: r.id,
  projection: r.projection,
  position: r.position,
  positionKey: r.position_key,
  eventId: r.event_id,
  streamName: r.stream_name,
  eventType: r.event_type,
  error: r.error,
  attempts: r.attempts,
  parkedAt: new Date(r.parked_at),
});

/** Parked events; callers wrap writes in the store's transaction. */
export class SqliteParkedEvents {
  constructor(
    private readonly db: Database,
    private readonly clock: () => Date,
  ) {}

  add(events: readonly NewParkedEvent[]): void {
    const upsert = this.db.prepare(`INSERT INTO parked_events
        (id, projection, position, position_key, event_id, stream_name, event_type, error, attempts, parked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
      ON CONFLICT (id) DO UPDATE SET attempts = attempts + 1, error = excluded.error, parked_at = excluded.parked_at`);
    const now = this.clock().toISOString();
    for (const e of events) {
      upsert.run(
        parkedEventId(e.projection, e.eventId),
        e.projection,
        e.position,
        e.positionKey,
        e.eventId,
        e.streamName,
        e.eventType,
        e.error,
        now,
      );
    }
  }

  list({ projection, limit = 100, after }: ListParkedOptions): ParkedEvent[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (projection !== undefined) {
      where.push('projection = ?');
      args.push(projection);
    }
    if (after !== undefined) {
      where.push('(position_key, id) > (SELECT position_key, id FROM parked_events WHERE id = ?)');
      args.push(after);
    }
    const sql = `SELECT * FROM parked_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY position_key, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, limit) as ParkedRow[]).map(toParked);
  }

  get(id: string): ParkedEvent | undefined {
    const row = this.db.prepare(`SELECT * FROM parked_events WHERE id = ?`).get(id) as ParkedRow | undefined;
    return row && toParked(row);
  }

  remove(id: string): boolean {
    return this.db.prepare(`DELETE FROM parked_events WHERE id = ?`).run(id).changes > 0;
  }

  count(projection?: string): number {
    const row = (
      projection === undefined
        ? this.db.prepare(`SELECT count(*) AS n FROM parked_events`).get()
        : this.db.prepare(`SELECT count(*) AS n FROM parked_events WHERE projection = ?`).get(projection)
    ) as { n: number };
    return row.n;
  }
}
