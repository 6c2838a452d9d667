import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, type EventStore } from '@ledger/event-store';
import { ProjectionRunner } from '@ledger/projections';
import { isLedgerError } from '@ledger/platform/errors';
import {
  CURRENT_SCHEMA_VERSION,
  decide,
  evolve,
  initialState,
  TASK_STATUSES,
  upcast,
  type TaskCommand,
  type TaskState,
} from '@ledger/tasks';
import { allProjections } from '../../projections';
import { parseTaskListQuery } from '../../queries/task-list-query';
import { createSqliteProjectionStore, type SqliteProjectionStore } from './sqlite-projection-store';
import { createSqliteTaskQueries } from './sqlite-task-queries';

/**
 * The engine on the real stores: SQLite event store, SQLite read models, the real folds.
 * Commands go through the real `decide`, so the streams are ones the API could have written.
 */
let dir: string;
let events: EventStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-sqlite-engine-'));
  events = createSqliteEventStore({ file: join(dir, 'events.db') });
});
afterEach(async () => {
  await events.close();
  rmSync(dir, { recursive: true, force: true });
});

const readModels = () => createSqliteProjectionStore({ file: join(dir, 'read-models.db') });
const start = async (store: SqliteProjectionStore) => {
  const runner = new ProjectionRunner({
    projections: allProjections,
    eventStore: events,
    store,
    worker: { idleMs: 10, batchSize: 64 },
  });
  await runner.start();
  return runner;
};
const atHead = async (runner: ProjectionRunner) =>
  expect(await runner.waitForPosition((await events.headPosition())!, 10_000)).toBe(true);

/** A seeded walk of commands over a few tenants; commands the rules refuse are skipped. */
async function randomCommands(
  n: number,
  seed: number,
): Promise<Map<string, { tenantId: string; state: TaskState }>> {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const tasks = new Map<string, { tenantId: string; state: TaskState; revision: bigint }>();
  for (let i = 0; i < n; i++) {
    const now = new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString();
    const create = tasks.size < 5 || rnd() < 0.25;
    const taskId = create ? randomUUID() : pick([...tasks.keys()]);
    const known = tasks.get(taskId);
    const tenantId = known?.tenantId ?? pick(['acme', 'globex']);
    const metadata = { tenantId, actor: 'sim', now };
    const command: TaskCommand = create
      ? {
          type: 'CreateTask',
          data: {
            taskId,
            title: `t${i}`,
            labels: [pick(['a', 'b'])],
            priority: pick(['low', 'high'] as const),
          },
          metadata,
        }
      : pick<TaskCommand>([
          { type: 'StartTask', data: { taskId }, metadata },
          { type: 'CompleteTask', data: { taskId }, metadata },
          { type: 'ReopenTask', data: { taskId }, metadata },
          { type: 'ArchiveTask', data: { taskId }, metadata },
          { type: 'AssignTask', data: { taskId, assignee: pick(['ann', 'bob']) }, metadata },
          { type: 'AddComment', data: { taskId, commentId: randomUUID(), body: 'hi' }, metadata },
        ]);
    let produced;
    try {
      produced = decide(command, known?.state ?? initialState);
    } catch (e) {
      if (isLedgerError(e)) continue;
      throw e;
    }
    if (produced.length === 0) continue;
    const stamped = produced.map((e) => ({
      id: randomUUID(),
      type: e.type,
      data: e.data,
      metadata: {
        tenantId,
        actor: 'sim',
        correlationId: randomUUID(),
        causationId: randomUUID(),
        occurredAt: now,
        schemaVersion: CURRENT_SCHEMA_VERSION[e.type],
      },
    }));
    const result = await events.append(`task-${taskId}`, stamped, known ? known.revision : 'no_stream');
    const state = stamped.reduce((st, e) => evolve(st, upcast(e)), known?.state ?? initialState);
    tasks.set(taskId, { tenantId, state, revision: result.nextRevision });
  }
  return tasks;
}

const expectedStats = (tasks: Map<string, { tenantId: string; state: TaskState }>, tenantId: string) => {
  const byStatus = Object.fromEntries(TASK_STATUSES.map((st) => [st, 0])) as Record<string, number>;
  for (const t of tasks.values()) if (t.tenantId === tenantId && t.state.exists) byStatus[t.state.status]++;
  return { byStatus, total: Object.values(byStatus).reduce((a, b) => a + b, 0) };
};

describe('projection engine on SQLite', () => {
  it('projects a random command history exactly, across a restart and a replayed batch', async () => {
    const first = await randomCommands(400, 7);
    let store = readModels();
    let runner = await start(store);
    await atHead(runner);
    await runner.stop();
    await store.close();

    const more = await randomCommands(300, 11);
    store = readModels();
    // As if a crash had lost the last checkpoints after their documents were written.
    for (const s of await store.listStates())
      await store.resetCheckpoint(s.liveTarget, { position: '5', key: events.positionKey('5') });
    runner = await start(store);
    await atHead(runner);

    const queries = createSqliteTaskQueries({ file: join(dir, 'read-models.db') });
    try {
      const all = new Map([...first, ...more]);
      for (const tenant of ['acme', 'globex'])
        expect(await queries.stats(tenant)).toEqual(expectedStats(all, tenant));
      for (const [id, t] of all) {
        const doc = await queries.getTask(t.tenantId, id);
        if (!t.state.exists) continue;
        expect(doc).toMatchObject({
          status: t.state.status,
          assignee: t.state.assignee,
          commentCount: t.state.commentCount,
        });
        expect((await queries.taskHistory(t.tenantId, id)).length).toBe(doc!.revision + 1);
      }
      const listed = await queries.listTasks('acme', parseTaskListQuery({ limit: '200', status: 'done' }));
      expect(listed.items.every((t) => t.status === 'done' && t.tenantId === 'acme')).toBe(true);
      expect(await queries.position()).toBe(await events.headPosition());
      expect(await store.countParked()).toBe(0);
    } finally {
      await queries.close();
      await runner.stop();
      await store.close();
    }
  });
});
