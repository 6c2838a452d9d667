import { compareTasks } from '../queries/cursor';
import { parseTaskListQuery } from '../queries/task-list-query';
import {
  at,
  ck,
  historyEntry,
  register,
  SEEDED_POSITION,
  seedTasks,
  statsDocument,
  T1_TASKS,
  T2_TASKS,
  task,
  using,
  ZERO_STATS,
  type TaskQueriesFixture,
} from './task-queries.fixtures';

/** getTask, taskHistory, stats, position(), and live-target-only reads across a blue/green switch. */
export function readCases(make: () => Promise<TaskQueriesFixture>): void {
  describe('getTask', () => {
    it('answers undefined before anything is projected', () =>
      using(make, async ({ queries }) => {
        expect(await queries.getTask('t1', T1_TASKS[3].id)).toBeUndefined();
      }));

    it('returns the projected document as written, nulls included', () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        expect(await queries.getTask('t1', T1_TASKS[3].id)).toEqual(T1_TASKS[3]);
        // Task 0 has no assignee and no dueAt: nulls come back as nulls, not missing keys.
        expect(await queries.getTask('t1', T1_TASKS[0].id)).toEqual(T1_TASKS[0]);
        expect(await queries.getTask('t2', T2_TASKS[1].id)).toEqual(T2_TASKS[1]);
      }));

    it("hides another tenant's task and answers undefined for an unknown id", () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        expect(await queries.getTask('t2', T1_TASKS[3].id)).toBeUndefined();
        expect(await queries.getTask('t1', T2_TASKS[0].id)).toBeUndefined();
        expect(await queries.getTask('t1', 'no-such-task')).toBeUndefined();
      }));
  });

  describe('taskHistory', () => {
    it('answers [] before anything is projected and for an unknown task', () =>
      using(make, async ({ store, queries }) => {
        expect(await queries.taskHistory('t1', 'abc')).toEqual([]);
        const target = await register(store, 'task-history');
        await store.commitBatch(target, [at(historyEntry('abc', 0), 1)], ck(1));
        expect(await queries.taskHistory('t1', 'nope')).toEqual([]);
      }));

    it("lists the entries in revision order whatever order they were written in, and only that task's", () =>
      using(make, async ({ store, queries }) => {
        const target = await register(store, 'task-history');
        // 100 after 10 after 2: numeric order, which the padded ids give lexically.
        const entries = [
          historyEntry('abc', 10),
          historyEntry('abc', 2),
          historyEntry('abc', 100),
          historyEntry('abc', 0),
        ];
        // Ids that share a prefix with `abc` must not leak into its history.
        const neighbours = [historyEntry('abcd', 1), historyEntry('ab', 1)];
        await store.commitBatch(
          target,
          [...entries, ...neighbours].map((e, i) => at(e, i + 1)),
          ck(6),
        );
        await store.commitBatch(target, [at(historyEntry('abc', 1), 7)], ck(7));
        const history = await queries.taskHistory('t1', 'abc');
        expect(history.map((e) => e.revision)).toEqual([0, 1, 2, 10, 100]);
        // An entry is exactly the route's fields: no id, tenant or task id.
        const first = historyEntry('abc', 0);
        expect(history[0]).toEqual({
          revision: 0,
          type: 'TaskStarted',
          data: { taskId: 'abc' },
          actor: 'ann',
          occurredAt: first.occurredAt,
          position: first.position,
        });
        expect((await queries.taskHistory('t1', 'abcd')).map((e) => e.revision)).toEqual([1]);
      }));

    it("hides another tenant's history", () =>
      using(make, async ({ store, queries }) => {
        const target = await register(store, 'task-history');
        await store.commitBatch(
          target,
          [at(historyEntry('abc', 0), 1), at(historyEntry('xyz', 0, 't2'), 2)],
          ck(2),
        );
        expect(await queries.taskHistory('t2', 'abc')).toEqual([]);
        expect(await queries.taskHistory('t1', 'xyz')).toEqual([]);
        expect((await queries.taskHistory('t2', 'xyz')).map((e) => e.revision)).toEqual([0]);
      }));
  });

  describe('stats', () => {
    it('answers zeros before anything is projected and for a tenant without tasks', () =>
      using(make, async ({ store, queries }) => {
        expect(await queries.stats('t1')).toEqual(ZERO_STATS);
        const target = await register(store, 'stats');
        await store.commitBatch(
          target,
          [at(statsDocument('t1', { todo: 2, in_progress: 1, done: 0, archived: 1 }), 1)],
          ck(1),
        );
        expect(await queries.stats('t2')).toEqual(ZERO_STATS);
      }));

    it("answers each tenant's own counts and total", () =>
      using(make, async ({ store, queries }) => {
        const target = await register(store, 'stats');
        const t1 = statsDocument('t1', { todo: 2, in_progress: 1, done: 0, archived: 1 });
        const t2 = statsDocument('t2', { todo: 0, in_progress: 0, done: 5, archived: 0 });
        await store.commitBatch(target, [at(t1, 5), at(t2, 6)], ck(6));
        expect(await queries.stats('t1')).toEqual({ byStatus: t1.byStatus, total: 4 });
        expect(await queries.stats('t2')).toEqual({ byStatus: t2.byStatus, total: 5 });
      }));
  });

  describe('position', () => {
    it('is undefined before anything is projected, and while a listed read model has projected nothing', () =>
      using(make, async ({ store, queries }) => {
        expect(await queries.position()).toBeUndefined();
        expect(await queries.position(['tasks'])).toBeUndefined();
        await register(store, 'tasks');
        expect(await queries.position(['tasks'])).toBeUndefined();
        await seedTasks(store);
        expect(await queries.position(['tasks'])).toBe(String(SEEDED_POSITION));
        // task-history and stats are not even registered yet.
        expect(await queries.position()).toBeUndefined();
        await register(store, 'stats');
        expect(await queries.position(['tasks', 'stats'])).toBeUndefined();
      }));

    it('reports the lowest checkpoint among the listed read models, by key (9 < 70 < 100)', () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        await store.commitBatch(await register(store, 'task-history'), [], ck(9));
        await store.commitBatch(await register(store, 'stats'), [], ck(100));
        // As strings '100' < '70' < '9': only comparing keys gets these right.
        expect(await queries.position()).toBe('9');
        expect(await queries.position(['tasks', 'stats'])).toBe('70');
        expect(await queries.position(['stats'])).toBe('100');
        expect(await queries.position(['stats', 'stats'])).toBe('100');
      }));

    it("follows the live target's checkpoint: a shadow's counts only once switched in", () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        const shadow = await store.createShadowTarget('tasks', 2);
        await store.commitBatch(shadow.target, [], ck(500));
        expect(await queries.position(['tasks'])).toBe('70');
        await store.switchLive('tasks', shadow.target);
        expect(await queries.position(['tasks'])).toBe('500');
      }));
  });

  describe('live target only', () => {
    it('never serves a tasks shadow being filled; after switchLive serves only the new copy', () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        const shadow = await store.createShadowTarget('tasks', 2);
        const rebuilt = { ...T1_TASKS[0], title: 'rebuilt' };
        const shadowOnly = task(500);
        await store.commitBatch(shadow.target, [at(rebuilt, 1), at(shadowOnly, 2)], ck(2));

        expect((await queries.getTask('t1', T1_TASKS[0].id))?.title).toBe('Task 0');
        expect(await queries.getTask('t1', shadowOnly.id)).toBeUndefined();
        const during = await queries.listTasks('t1', parseTaskListQuery({ limit: '200' }));
        expect(during.items.map((t) => t.id).sort()).toEqual(T1_TASKS.map((t) => t.id).sort());

        await store.switchLive('tasks', shadow.target);
        expect(await queries.getTask('t1', T1_TASKS[0].id)).toEqual(rebuilt);
        expect(await queries.getTask('t1', shadowOnly.id)).toEqual(shadowOnly);
        expect(await queries.getTask('t1', T1_TASKS[1].id)).toBeUndefined();
        const after = await queries.listTasks('t1', parseTaskListQuery({ sort: 'createdAt' }));
        expect(after.items).toEqual([rebuilt, shadowOnly].sort(compareTasks('createdAt')));
        expect((await queries.listTasks('t2', parseTaskListQuery({}))).items).toEqual([]);
      }));

    it('never serves a history or stats shadow being filled; after switchLive serves only the new copy', () =>
      using(make, async ({ store, queries }) => {
        const history = await register(store, 'task-history');
        const stats = await register(store, 'stats');
        await store.commitBatch(history, [at(historyEntry('abc', 0), 1)], ck(1));
        await store.commitBatch(
          stats,
          [at(statsDocument('t1', { todo: 1, in_progress: 0, done: 0, archived: 0 }), 1)],
          ck(1),
        );

        const historyShadow = await store.createShadowTarget('task-history', 2);
        const statsShadow = await store.createShadowTarget('stats', 2);
        await store.commitBatch(
          historyShadow.target,
          [at(historyEntry('xyz', 0), 1), at(historyEntry('xyz', 1), 2)],
          ck(2),
        );
        const rebuiltStats = statsDocument('t1', { todo: 0, in_progress: 2, done: 0, archived: 0 });
        await store.commitBatch(statsShadow.target, [at(rebuiltStats, 2)], ck(2));

        expect((await queries.taskHistory('t1', 'abc')).map((e) => e.revision)).toEqual([0]);
        expect(await queries.taskHistory('t1', 'xyz')).toEqual([]);
        expect((await queries.stats('t1')).total).toBe(1);

        await store.switchLive('task-history', historyShadow.target);
        await store.switchLive('stats', statsShadow.target);
        expect(await queries.taskHistory('t1', 'abc')).toEqual([]);
        expect((await queries.taskHistory('t1', 'xyz')).map((e) => e.revision)).toEqual([0, 1]);
        expect(await queries.stats('t1')).toEqual({ byStatus: rebuiltStats.byStatus, total: 2 });
      }));
  });
}
