import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteEventStore } from '@ledger/event-store';
import { rebuildProjection } from '@ledger/projections';
import { createSqliteProjectionStore } from '@ledger/read-models/adapters/sqlite';
import { allProjections } from '@ledger/read-models/projections';
import { elapsedMs, round, RssSampler } from '../harness/stats';

export interface RebuildJobResult {
  readonly projections: {
    readonly name: string;
    readonly seconds: number;
    readonly applied: number;
    readonly switched: boolean;
  }[];
  readonly seconds: number;
  readonly peakRssMb: number;
}

export interface CeilingResult {
  readonly events: number;
  readonly seconds: number;
}

/**
 * Blue/green rebuild of every projection, one after the other, exactly as the operation runs
 * (shadow target, batches, checkpoint per batch, switch). Peak RSS is this process's, which is why
 * the bench runs this in a process of its own.
 */
export async function rebuildAll(
  dataDir: string,
  log: (line: string) => void,
  only?: readonly string[],
): Promise<RebuildJobResult> {
  const rss = new RssSampler();
  const started = process.hrtime.bigint();
  const eventStore = createSqliteEventStore({ file: join(dataDir, 'events.db') });
  const store = createSqliteProjectionStore({ file: join(dataDir, 'read-models.db') });
  const projections: RebuildJobResult['projections'][number][] = [];
  try {
    for (const projection of allProjections.filter((p) => !only?.length || only.includes(p.name))) {
      const t0 = process.hrtime.bigint();
      let lastLog = Date.now();
      const result = await rebuildProjection({
        projection,
        eventStore,
        store,
        onProgress: (p) => {
          if (Date.now() - lastLog < 5_000) return;
          lastLog = Date.now();
          log(`rebuild ${projection.name}: ${p.applied.toLocaleString('en-US')} events applied`);
        },
      });
      const seconds = elapsedMs(t0) / 1000;
      projections.push({
        name: projection.name,
        seconds: round(seconds, 2),
        applied: result.applied,
        switched: result.switched,
      });
    }
  } finally {
    await eventStore.close();
    await store.close();
  }
  const seconds = elapsedMs(started) / 1000;
  const kernelPeak = process.resourceUsage().maxRSS / 1024;
  return { projections, seconds: round(seconds, 2), peakRssMb: Math.max(rss.stop(), round(kernelPeak, 1)) };
}

/** The ceiling: every event read in position order and its JSON parsed, with nothing else done. */
export function readAndParse(dataDir: string): CeilingResult {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true });
  const started = process.hrtime.bigint();
  let events = 0;
  try {
    const rows = db.prepare(
      'SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events ORDER BY position',
    );
    for (const row of rows.iterate() as IterableIterator<{ data: string; metadata: string }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      events++;
    }
  } finally {
    db.close();
  }
  return { events, seconds: elapsedMs(started) / 1000 };
}
