import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { verifyProjection } from '@ledger/projections';
import { PROJECTION_STORE, type ProjectionStore } from '@ledger/projections/core';
import { allProjections } from '@ledger/read-models/projections';
import { evolve, initialState, upcast, type ExistingTask, type TaskState } from '@ledger/tasks';
import { auth, headPosition, type TestApp } from '../support/ledger-test-app';

export interface FoldedTask {
  readonly state: ExistingTask;
  readonly revision: number;
}

/**
 * Every task as its own stream tells it, folded with the *domain's* evolve (the write side's
 * fold), not with the projections: a read model that disagrees with it has drifted, whichever
 * projection code produced it.
 */
export async function foldAllStreams(store: EventStore): Promise<Map<string, FoldedTask>> {
  const states = new Map<string, { state: TaskState; revision: number }>();
  let from: string | undefined;
  for (;;) {
    const page = await store.readAll({ from, limit: 1000 });
    if (page.length === 0) break;
    for (const e of page) {
      if (!e.streamName.startsWith('task-')) continue;
      const prev = states.get(e.streamName) ?? { state: initialState, revision: -1 };
      states.set(e.streamName, { state: evolve(prev.state, upcast(e)), revision: Number(e.revision) });
    }
    from = page[page.length - 1].position;
  }
  const tasks = new Map<string, FoldedTask>();
  for (const { state, revision } of states.values()) {
    if (state.exists) tasks.set(state.taskId, { state, revision });
  }
  return tasks;
}

export function statsOf(tasks: Iterable<FoldedTask>, tenantId: string) {
  const byStatus = { todo: 0, in_progress: 0, done: 0, archived: 0 };
  let total = 0;
  for (const { state } of tasks) {
    if (state.tenantId !== tenantId) continue;
    byStatus[state.status]++;
    total++;
  }
  return { byStatus, total };
}

/**
 * A read once the read models have caught up with every write so far. The app under test may
 * have a short LEDGER_READ_WAIT_MS (hostile input), so a 503 is retried here, up to `deadlineMs`.
 */
async function readCaughtUp(t: TestApp, path: string, key: string, deadlineMs: number) {
  const head = await headPosition(t);
  const until = Date.now() + deadlineMs;
  for (;;) {
    const res = await t.http().get(path).set(auth(key)).set('X-Min-Position', head);
    if (res.status !== 503 || Date.now() > until) {
      if (res.status !== 200)
        throw new Error(`GET ${path} as ${key}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Record<string, unknown>;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until no write has landed for `quietMs`: requests a load generator had in flight when it
 * stopped keep landing for a moment, and a fold taken before them would look like drift.
 */
async function quiet(store: EventStore, quietMs = 500, deadlineMs = 30_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  let head = await store.headPosition();
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = await store.headPosition();
    if (now === head || Date.now() > until) return;
    head = now;
  }
}

const COMPARED = [
  'title',
  'description',
  'status',
  'assignee',
  'priority',
  'dueAt',
  'labels',
  'commentCount',
  'createdAt',
  'updatedAt',
] as const;

/**
 * Differences between the read models served over HTTP (`GET /v1/stats`, every page of
 * `GET /v1/tasks`) and a fold of the streams, for each tenant's key. Empty means consistent.
 */
export async function readModelDrift(
  t: TestApp,
  keysByTenant: Readonly<Record<string, string>>,
  deadlineMs = 30_000,
): Promise<string[]> {
  const store = t.app.get<EventStore>(EVENT_STORE);
  await quiet(store);
  const folded = await foldAllStreams(store);
  const drift: string[] = [];
  for (const [tenantId, key] of Object.entries(keysByTenant)) {
    const stats = await readCaughtUp(t, '/v1/stats', key, deadlineMs);
    const expected = statsOf(folded.values(), tenantId);
    if (JSON.stringify({ byStatus: stats.byStatus, total: stats.total }) !== JSON.stringify(expected)) {
      drift.push(
        `${tenantId} stats: served ${JSON.stringify(stats)}, streams say ${JSON.stringify(expected)}`,
      );
    }

    const served = new Map<string, Record<string, unknown>>();
    let cursor: string | null = null;
    do {
      const page = await readCaughtUp(
        t,
        `/v1/tasks?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        key,
        deadlineMs,
      );
      for (const item of page.items as Array<Record<string, unknown>>) served.set(String(item.id), item);
      cursor = page.nextCursor as string | null;
    } while (cursor);

    for (const [id, { state, revision }] of folded) {
      if (state.tenantId !== tenantId) continue;
      const doc = served.get(id);
      if (!doc) {
        drift.push(`${tenantId} task ${id}: in the streams, missing from the read model`);
        continue;
      }
      served.delete(id);
      const want: Record<string, unknown> = { revision };
      for (const f of COMPARED) want[f] = state[f];
      for (const [f, v] of Object.entries(want)) {
        if (JSON.stringify(doc[f]) !== JSON.stringify(v)) {
          drift.push(
            `${tenantId} task ${id}.${f}: served ${JSON.stringify(doc[f])}, stream says ${JSON.stringify(v)}`,
          );
        }
      }
    }
    for (const id of served.keys())
      drift.push(`${tenantId} task ${id}: served, but no stream of this tenant has it`);
  }
  return drift;
}

/**
 * `ledger projections verify --all`, run in-process on the app's own stores: every read model
 * recomputed from its streams by the projections' folds. What it finds, one line per projection
 * that is not clean (drift, or events the folds cannot apply); empty when all are clean.
 */
export async function verifyAllProjections(t: TestApp): Promise<string[]> {
  const eventStore = t.app.get<EventStore>(EVENT_STORE);
  const store = t.app.get<ProjectionStore>(PROJECTION_STORE);
  const problems: string[] = [];
  for (const projection of allProjections) {
    const r = await verifyProjection({ projection, eventStore, store });
    if (!r.ok || r.unfoldable > 0 || r.interrupted || r.documents === 0) {
      const { changed, missing, extra, unfoldable, documents, findings } = r;
      problems.push(
        `${projection.name}: ${JSON.stringify({ documents, changed, missing, extra, unfoldable, findings: findings.slice(0, 3) })}`,
      );
    }
  }
  return problems;
}
