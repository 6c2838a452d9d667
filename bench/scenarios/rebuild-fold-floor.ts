import { join } from 'node:path';
import { createSqliteEventStore } from '@ledger/event-store';
import { REBUILD_PAGE_SIZE, type ReadDocument, type StoredDocument } from '@ledger/projections';
import {
  documentIds,
  foldBatch,
  prepareEvent,
  upcastEvent,
  type PreparedEvent,
} from '@ledger/projections/engine/fold-batch';
import { allProjections } from '@ledger/read-models/projections';
import { TASK_STREAM_PREFIX, upcast } from '@ledger/tasks';
import { elapsedMs } from '../harness/stats';

export interface FoldFloorResult {
  readonly events: number;
  /** Documents written, one per document and page, as the rebuild's commits hold them. */
  readonly writes: number;
  readonly seconds: number;
  /** Reading the pages through the port, upcasting, keying positions. */
  readonly readSeconds: number;
  readonly foldSeconds: number;
  /** Each write's document turned into the JSON text a store keeps. */
  readonly jsonSeconds: number;
}

/**
 * The fold's share of any rebuild of these projections: the log read through the event-store
 * port in the rebuild's pages, each event upcast once, folded into every projection by the
 * engine's own `foldBatch`, and each written document turned into its JSON text, as a store must.
 * All on one thread, with every document kept in memory (nothing to load back) and nothing
 * written. Beside the write floor it bounds what any split of this work over threads can reach;
 * what the real rebuild takes beyond the two (commits, the cache, the pipeline) is its overhead.
 */
export async function foldFloor(dataDir: string): Promise<FoldFloorResult> {
  const eventStore = createSqliteEventStore({ file: join(dataDir, 'events.db') });
  const documents = allProjections.map(() => new Map<string, StoredDocument<ReadDocument>>());
  const handles = allProjections.map((p) => new Set<string>(p.handles));
  const filter = {
    streamPrefixes: [TASK_STREAM_PREFIX],
    eventTypes: [...new Set(allProjections.flatMap((p) => p.handles))],
  };
  const timers = { read: 0, fold: 0, json: 0 };
  const time = <T>(timer: keyof typeof timers, fn: () => T): T => {
    const started = process.hrtime.bigint();
    const result = fn();
    timers[timer] += elapsedMs(started);
    return result;
  };
  const started = process.hrtime.bigint();
  let events = 0;
  let writes = 0;
  let bytes = 0;
  try {
    let from: string | undefined;
    for (;;) {
      const pageStarted = process.hrtime.bigint();
      const page = await eventStore.readAll({ from, limit: REBUILD_PAGE_SIZE, filter });
      if (!page.length) break;
      const keys = page.map((e) => eventStore.positionKey(e.position));
      const upcasted = page.map((e) => upcastEvent(e, upcast));
      timers.read += elapsedMs(pageStarted);
      const folded = time('fold', () =>
        allProjections.map((projection, i) => {
          const prepared: PreparedEvent[] = [];
          for (let e = 0; e < page.length; e++) {
            if (handles[i].has(page[e].type))
              prepared.push(prepareEvent(page[e], keys[e], upcasted[e], projection));
          }
          const known = new Map<string, StoredDocument<ReadDocument>>();
          if (!projection.documentPerEvent) {
            for (const id of documentIds(prepared)) {
              const doc = documents[i].get(id);
              if (doc) known.set(id, doc);
            }
          }
          const result = foldBatch(projection, prepared, known);
          if (!projection.documentPerEvent)
            for (const w of result.writes) documents[i].set(w.id, w as StoredDocument<ReadDocument>);
          return result.writes;
        }),
      );
      time('json', () => {
        for (const pageWrites of folded) {
          for (const w of pageWrites) bytes += w.doc === null ? 0 : JSON.stringify(w.doc).length;
          writes += pageWrites.length;
        }
      });
      events += page.length;
      from = page[page.length - 1].position;
    }
  } finally {
    await eventStore.close();
  }
  // `bytes` is used so that no engine can drop the JSON as dead code.
  if (bytes < 0) throw new Error('unreachable');
  const s = (ms: number) => ms / 1000;
  return {
    events,
    writes,
    seconds: s(elapsedMs(started)),
    readSeconds: s(timers.read),
    foldSeconds: s(timers.fold),
    jsonSeconds: s(timers.json),
  };
}
