import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, type EventStore } from '@ledger/event-store';
import { createSqliteProjectionStore } from '@ledger/read-models/adapters/sqlite';
import { allProjections } from '@ledger/read-models/projections';
import type { Projection, ReadDocument } from '../../core/projection';
import type { ProjectionStore, StoredDocument } from '../../core/projection-store.port';
import { ProjectionWorker } from '../../engine/projection-worker';

/** Real SQLite event and read-model stores in a temp dir that `cleanup` removes. */
export interface TempLedger {
  readonly dir: string;
  readonly eventStore: EventStore;
  readonly store: ProjectionStore;
  cleanup(): Promise<void>;
}

export function tempLedger(): TempLedger {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-ops-'));
  const eventStore = createSqliteEventStore({ file: join(dir, 'events.db') });
  const store = createSqliteProjectionStore({ file: join(dir, 'read-models.db') });
  return {
    dir,
    eventStore,
    store,
    cleanup: async () => {
      await Promise.allSettled([eventStore.close(), store.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the live projector once over the whole log, as `npm start` would, then stops it. */
export async function projectLive(
  l: TempLedger,
  projections: readonly Projection<ReadDocument>[] = allProjections,
): Promise<void> {
  for (const projection of projections) {
    const worker = new ProjectionWorker({
      projection,
      eventStore: l.eventStore,
      store: l.store,
      untilCaughtUp: true,
      idleMs: 10,
      batchSize: 300,
    });
    await worker.start();
    const end = await worker.finished();
    await worker.stop();
    if (end.state === 'failed') throw new Error(`projecting ${projection.name} failed: ${end.lastError}`);
  }
}

export async function liveTarget(l: TempLedger, name: string): Promise<string> {
  return (await l.store.getState(name))!.liveTarget;
}

/** Every document of the live copy, in id order. */
export async function allDocuments(l: TempLedger, name: string): Promise<StoredDocument<ReadDocument>[]> {
  const target = await liveTarget(l, name);
  const all: StoredDocument<ReadDocument>[] = [];
  for (let afterId: string | undefined; ;) {
    const page = await l.store.scanDocuments<ReadDocument>(target, { afterId, limit: 500 });
    all.push(...page);
    if (page.length < 500) return all;
    afterId = page[page.length - 1].id;
  }
}

/** Corrupts one document in place (same position, so the engine would never notice). */
export async function overwrite(
  l: TempLedger,
  name: string,
  d: StoredDocument<ReadDocument>,
  doc: (ReadDocument & Record<string, unknown>) | null,
): Promise<void> {
  await l.store.commitBatch(await liveTarget(l, name), [
    { id: d.id, doc, position: d.position, positionKey: d.positionKey, guard: 'not-older' },
  ]);
}
