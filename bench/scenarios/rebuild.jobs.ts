import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteEventStore } from '@ledger/event-store';
import { isRebuildFailure, rebuildProjections } from '@ledger/projections';
import {
  createSqliteProjectionStore,
  createThreadedSqliteProjectionStore,
} from '@ledger/read-models/adapters/sqlite';
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
  /** The read models' connection ran on a thread of its own (`--store-thread`), else on this one. */
  readonly storeThread: boolean;
}

export interface CeilingResult {
  readonly events: number;
  readonly seconds: number;
}

/**
 * Blue/green rebuild of every projection (or of `only`) in one pass over the log, exactly as
 * `ledger projections rebuild --all` runs it (shadow targets, a commit per page and projection,
 * indexes built once, catch-up, switch). Peak RSS is this process's, which is why the bench runs
 * this in a process of its own. Every projection finishes with the pass: each one's `seconds` is
 * the pass's wall time.
 */
export async function rebuildAll(
  dataDir: string,
  log: (line: string) => void,
  only?: readonly string[],
  storeThread = false,
): Promise<RebuildJobResult> {
  const rss = new RssSampler();
  const started = process.hrtime.bigint();
  // As `ledger projections rebuild [--store-thread]` opens them: checkpoints on a worker thread;
  // with `storeThread`, the read models' connection on a thread of its own.
  const eventStore = createSqliteEventStore({
    file: join(dataDir, 'events.db'),
    backgroundCheckpoints: true,
  });
  const file = join(dataDir, 'read-models.db');
  const store = storeThread
    ? createThreadedSqliteProjectionStore({ file, backgroundCheckpoints: true })
    : createSqliteProjectionStore({ file, backgroundCheckpoints: true });
  const selected = allProjections.filter((p) => !only?.length || only.includes(p.name));
  let projections: RebuildJobResult['projections'][number][];
  try {
    let lastLog = Date.now();
    const outcomes = await rebuildProjections({
      projections: selected,
      eventStore,
      store,
      onProgress: (p) => {
        if (Date.now() - lastLog < 5_000) return;
        lastLog = Date.now();
        log(`rebuild (one pass): ${p.projection} ${p.applied.toLocaleString('en-US')} events applied`);
      },
    });
    const seconds = round(elapsedMs(started) / 1000, 2);
    projections = outcomes.map((o) => {
      if (isRebuildFailure(o)) throw o.error;
      return { name: o.projection, seconds, applied: o.applied, switched: o.switched };
    });
  } finally {
    await eventStore.close();
    await store.close();
  }
  const seconds = elapsedMs(started) / 1000;
  const kernelPeak = process.resourceUsage().maxRSS / 1024;
  return {
    projections,
    seconds: round(seconds, 2),
    peakRssMb: Math.max(rss.stop(), round(kernelPeak, 1)),
    storeThread,
  };
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
