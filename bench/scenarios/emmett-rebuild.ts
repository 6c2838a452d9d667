import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ProjectedEvent } from '@ledger/projections';
import { tasksProjection, type TaskDocument } from '@ledger/read-models/projections';
import type { EmmettReadEvent, EmmettSqlite } from '../harness/peers';
import { elapsedMs } from '../harness/stats';

export interface EmmettRebuildResult {
  readonly events: number;
  readonly seconds: number;
  /** Events copied into Emmett's schema for it to read (setup, not measured). */
  readonly copied: number;
}

/**
 * Emmett's side of the rebuild: the same events (the first `maxEvents` of the log) copied into
 * Emmett's own schema, then read by Emmett's consumer and folded by the same tasks fold into a
 * SQLite table through an Emmett projection (its way: a handler per event on its connection, one
 * transaction per pulled batch, a checkpoint per event). Bounded by `maxEvents` and `maxSeconds`.
 */
export async function emmettRebuild(
  emmett: EmmettSqlite,
  dataDir: string,
  workDir: string,
  maxEvents: number,
  maxSeconds: number,
): Promise<EmmettRebuildResult> {
  const file = join(workDir, 'emmett-rebuild.db');
  const copied = copyIntoEmmettSchema(emmett, join(dataDir, 'events.db'), file, maxEvents);
  const store = emmett.getSQLiteEventStore({ fileName: file, schema: { autoMigration: 'None' } });
  const consumer = store.consumer({ pulling: { batchSize: 5_000, pullingFrequencyInMs: 0 } });
  let events = 0;
  consumer.processor({
    processorId: 'bench-tasks',
    startFrom: 'BEGINNING',
    stopAfter: (e) => e.metadata.globalPosition >= BigInt(copied),
    projection: {
      name: 'tasks',
      canHandle: tasksProjection.handles,
      async handle(batch, { connection }) {
        for (const e of batch) {
          const event = toProjected(e);
          const id = tasksProjection.documentId(event);
          const row = await connection.querySingle<{ doc: string }>(
            'SELECT doc FROM bench_tasks WHERE id = ?',
            [id],
          );
          const doc = tasksProjection.evolve(row ? (JSON.parse(row.doc) as TaskDocument) : null, event);
          if (doc)
            await connection.command('INSERT OR REPLACE INTO bench_tasks (id, doc) VALUES (?, ?)', [
              id,
              JSON.stringify(doc),
            ]);
          events++;
        }
      },
    },
  });
  const started = process.hrtime.bigint();
  const timer = setTimeout(() => void consumer.stop(), maxSeconds * 1000);
  try {
    await consumer.start();
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
  return { events, seconds: elapsedMs(started) / 1000, copied };
}

const toProjected = (e: EmmettReadEvent): ProjectedEvent =>
  ({
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    id: String(e.metadata.messageId),
    streamName: e.metadata.streamName,
    revision: e.metadata.streamPosition - 1n,
    position: String(e.metadata.globalPosition),
  }) as unknown as ProjectedEvent;

/** Bulk copy (setup only): our events table -> Emmett's messages table, same positions and payloads. */
function copyIntoEmmettSchema(emmett: EmmettSqlite, from: string, to: string, maxEvents: number): number {
  const db = new Database(to);
  try {
    db.pragma('journal_mode = WAL');
    for (const statement of emmett.schemaSQL) db.exec(statement);
    db.exec('CREATE TABLE IF NOT EXISTS bench_tasks (id TEXT PRIMARY KEY, doc TEXT NOT NULL)');
    db.exec(`ATTACH DATABASE '${from.replace(/'/g, "''")}' AS ours`);
    const { changes } = db
      .prepare(
        `INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, message_metadata,
           message_schema_version, message_type, message_id, is_archived, global_position)
         SELECT stream, revision + 1, 'emt:default', 'E', data, metadata, '0', type, id, FALSE, position
         FROM ours.events ORDER BY position LIMIT ?`,
      )
      .run(maxEvents);
    return changes;
  } finally {
    db.close();
  }
}
