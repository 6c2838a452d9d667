import type { TaskQueries } from '../core/task-queries.port';
import type { TaskDocument } from '../projections';
import { compareTasks, decodeCursor } from '../queries/cursor';
import { toTaskView } from '../queries/task-view';
import {
  parseTaskListQuery,
  TASK_LIST_SORTS,
  type TaskListFilter,
  type TaskListSort,
} from '../queries/task-list-query';
import {
  at,
  ck,
  matches,
  register,
  SEEDED_POSITION,
  seedTasks,
  seedTasksThroughDeferredShadow,
  T1_TASKS,
  T2_TASKS,
  task,
  TASK_LIST_FILTERS,
  using,
  type TaskQueriesFixture,
} from './task-queries.fixtures';

interface Walk {
  readonly ids: string[];
  readonly sizes: number[];
  /** The cursors that resumed a walk from a task without dueAt (value null). */
  readonly nullCursors: number;
}

/**
 * Follows `nextCursor` to the end, as a client does through the API (raw parameters through
 * parseTaskListQuery). `between` runs after every page that has a successor, before fetching it.
 */
async function walk(
  queries: TaskQueries,
  tenantId: string,
  filter: TaskListFilter,
  sort: TaskListSort,
  limit: number,
  between?: (last: TaskDocument) => Promise<void>,
): Promise<Walk> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let nullCursors = 0;
  let cursor: string | null = null;
  do {
    const raw: Record<string, unknown> = {
      ...filter,
      sort,
      limit: String(limit),
      ...(cursor ? { cursor } : {}),
    };
    const page = await queries.listTasks(tenantId, parseTaskListQuery(raw));
    // The spliced JSON of the same page is byte for byte what serialising its views would give.
    const { value: json } = await queries.listTasksJson(tenantId, parseTaskListQuery(raw));
    const views = { items: page.items.map(toTaskView), nextCursor: page.nextCursor };
    if (json !== JSON.stringify(views)) {
      expect(JSON.parse(json)).toEqual(views);
      expect(json).toBe(JSON.stringify(views));
    }
    ids.push(...page.items.map((t) => t.id));
    sizes.push(page.items.length);
    cursor = page.nextCursor;
    if (cursor !== null && decodeCursor(cursor, sort).value === null) nullCursors++;
    // A runaway walk (a cursor that does not advance) fails here instead of timing out.
    if (sizes.length > 1000) throw new Error(`walk of ${sort} ${JSON.stringify(filter)} never ended`);
    if (cursor !== null && between) await between(page.items[page.items.length - 1]);
  } while (cursor !== null);
  return { ids, sizes, nullCursors };
}

/**
 * Every page but the last is full (a next cursor means more rows exist), and the last page is
 * empty only when nothing matched at all: a walk never ends on a trailing empty page.
 */
const pagesAreFull = (sizes: readonly number[], limit: number): boolean =>
  sizes.slice(0, -1).every((s) => s === limit) &&
  sizes[sizes.length - 1] <= limit &&
  (sizes.length === 1 || sizes[sizes.length - 1] > 0);

const expectedIds = (tasks: readonly TaskDocument[], filter: TaskListFilter, sort: TaskListSort): string[] =>
  tasks
    .filter(matches(filter))
    .sort(compareTasks(sort))
    .map((t) => t.id);

/** listTasks: filters, sorts, keyset pages, limits, tenants, and walks under concurrent inserts. */
export function listingCases(make: () => Promise<TaskQueriesFixture>): void {
  describe('listTasks', () => {
    it.each(TASK_LIST_SORTS)(
      'walks every filter sorted by %s, page by page, in the reference order',
      (sort) =>
        using(make, async ({ store, queries }) => {
          await seedTasks(store);
          for (const filter of TASK_LIST_FILTERS) {
            const { ids, sizes } = await walk(queries, 't1', filter, sort, 4);
            expect({ filter, ids, fullPages: pagesAreFull(sizes, 4) }).toEqual({
              filter,
              ids: expectedIds(T1_TASKS, filter, sort),
              fullPages: true,
            });
          }
        }),
    );

    it.each(TASK_LIST_SORTS)(
      'walks every filter sorted by %s after a rebuild filled its copy with deferred indexes',
      (sort) =>
        using(make, async ({ store, queries }) => {
          await seedTasksThroughDeferredShadow(store);
          for (const filter of [...TASK_LIST_FILTERS, { label: 'stale' }, { status: 'archived' as const }]) {
            const { ids } = await walk(queries, 't1', filter, sort, 7);
            expect({ filter, ids }).toEqual({ filter, ids: expectedIds(T1_TASKS, filter, sort) });
          }
          expect(await queries.getTask('t2', T2_TASKS[9].id)).toEqual(T2_TASKS[9]);
        }),
    );

    it('sorts tasks without dueAt last, and resumes among them from a cursor with no value', () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        const { ids, nullCursors } = await walk(queries, 't1', {}, 'dueAt', 4);
        const dueAt = new Map(T1_TASKS.map((t) => [t.id, t.dueAt]));
        const firstUndated = ids.findIndex((id) => dueAt.get(id) === null);
        expect(firstUndated).toBe(T1_TASKS.filter((t) => t.dueAt !== null).length);
        expect(ids.slice(firstUndated).every((id) => dueAt.get(id) === null)).toBe(true);
        expect(ids).toEqual(expectedIds(T1_TASKS, {}, 'dueAt'));
        // 12 undated tasks over pages of 4 starting on a page boundary: two cursors point into them.
        expect(nullCursors).toBe(2);
      }));

    it('serves the default limit of 50, then the rest with no next cursor', () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        const first = await queries.listTasks('t1', parseTaskListQuery({}));
        expect(first.items).toHaveLength(50);
        expect(first.nextCursor).not.toBeNull();
        const rest = await queries.listTasks('t1', parseTaskListQuery({ cursor: first.nextCursor }));
        expect(rest.items).toHaveLength(10);
        expect(rest.nextCursor).toBeNull();
        // No sort given: newest first.
        expect([...first.items, ...rest.items].map((t) => t.id)).toEqual(
          expectedIds(T1_TASKS, {}, '-createdAt'),
        );
      }));

    it('walks one task per page with limit 1, and everything in one page with the maximum limit', () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        const single = await walk(queries, 't1', {}, 'createdAt', 1);
        expect(single.ids).toEqual(expectedIds(T1_TASKS, {}, 'createdAt'));
        expect(single.sizes).toEqual(Array(60).fill(1));
        const all = await queries.listTasks('t1', parseTaskListQuery({ limit: '200', sort: 'dueAt' }));
        expect(all.items.map((t) => t.id)).toEqual(expectedIds(T1_TASKS, {}, 'dueAt'));
        expect(all.nextCursor).toBeNull();
      }));

    it('answers a full page with no next cursor when nothing follows, never a trailing empty page', () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        const exact = await queries.listTasks('t2', parseTaskListQuery({ limit: '10' }));
        expect(exact.items).toHaveLength(10);
        expect(exact.nextCursor).toBeNull();
        const short = await queries.listTasks('t2', parseTaskListQuery({ limit: '9' }));
        expect(short.items).toHaveLength(9);
        expect(short.nextCursor).not.toBeNull();
        const last = await queries.listTasks(
          't2',
          parseTaskListQuery({ limit: '9', cursor: short.nextCursor }),
        );
        expect(last.items.map((t) => t.id)).toEqual(expectedIds(T2_TASKS, {}, '-createdAt').slice(9));
        expect(last.nextCursor).toBeNull();
      }));

    it('answers an empty page with no cursor before anything is projected, for an unknown tenant and when nothing matches', () =>
      using(make, async ({ store, queries }) => {
        const empty = { items: [], nextCursor: null };
        expect(await queries.listTasks('t1', parseTaskListQuery({}))).toEqual(empty);
        await seedTasks(store);
        expect(await queries.listTasks('nobody', parseTaskListQuery({}))).toEqual(empty);
        expect(await queries.listTasks('t1', parseTaskListQuery({ label: 'absent' }))).toEqual(empty);
        // Status and priority are both i % 4 in the fixture, so no task is todo AND normal.
        expect(
          await queries.listTasks('t1', parseTaskListQuery({ status: 'todo', priority: 'normal' })),
        ).toEqual(empty);
      }));

    it("serves the JSON page with the position its read model reached, a shadow's only once switched in", () =>
      using(make, async ({ store, queries }) => {
        const json = (raw: Record<string, unknown> = {}) =>
          queries.listTasksJson('t1', parseTaskListQuery(raw));
        expect(await json()).toEqual({ value: '{"items":[],"nextCursor":null}', position: undefined });
        await register(store, 'tasks');
        expect((await json()).position).toBeUndefined();
        await seedTasks(store);
        expect((await json()).position).toBe(String(SEEDED_POSITION));
        expect((await json({ label: 'absent' })).position).toBe(String(SEEDED_POSITION));
        const shadow = await store.createShadowTarget('tasks', 2);
        await store.commitBatch(shadow.target, [at(T1_TASKS[0], 500)], ck(500));
        expect(await json({ limit: '200' })).toEqual({
          value: expect.stringContaining(T1_TASKS[59].id) as unknown,
          position: String(SEEDED_POSITION),
        });
        await store.switchLive('tasks', shadow.target);
        expect(await json({ limit: '200' })).toEqual({
          value: JSON.stringify({ items: [toTaskView(T1_TASKS[0])], nextCursor: null }),
          position: '500',
        });
      }));

    it("keeps tenants apart: a listing holds only its tenant's tasks, under every filter", () =>
      using(make, async ({ store, queries }) => {
        await seedTasks(store);
        const all = await queries.listTasks('t2', parseTaskListQuery({ limit: '200' }));
        expect(all.items.map((t) => t.tenantId)).toEqual(Array(10).fill('t2'));
        expect(all.items).toEqual(
          expectedIds(T2_TASKS, {}, '-createdAt').map((id) => T2_TASKS.find((t) => t.id === id)),
        );
        for (const filter of TASK_LIST_FILTERS) {
          const { ids } = await walk(queries, 't2', filter, 'createdAt', 3);
          expect({ filter, ids }).toEqual({ filter, ids: expectedIds(T2_TASKS, filter, 'createdAt') });
        }
      }));

    it.each(TASK_LIST_SORTS)(
      'walks %s stably while tasks are inserted between pages: every earlier task once, later ones where they sort after the cursor',
      (sort) =>
        using(make, async ({ store, queries }) => {
          const target = await seedTasks(store);
          const present: TaskDocument[] = [...T1_TASKS];
          let position = SEEDED_POSITION;
          let n = 0;
          let appeared = 0;
          let passed = 0;
          for (const filter of [{}, { label: 'red' }, { status: 'todo' }] satisfies TaskListFilter[]) {
            const before = [...present];
            const inserted: { doc: TaskDocument; cursorAt: TaskDocument }[] = [];
            const { ids } = await walk(queries, 't1', filter, sort, 5, async (last) => {
              // Two for this tenant (they land anywhere in the order) and one for another tenant.
              const fresh = [task(1000 + n++), task(1000 + n++), task(1000 + n++, 't2')];
              position += fresh.length;
              await store.commitBatch(
                target,
                fresh.map((doc, i) => at(doc, position - fresh.length + i + 1)),
                ck(position),
              );
              for (const doc of fresh.filter((d) => d.tenantId === 't1')) {
                inserted.push({ doc, cursorAt: last });
                present.push(doc);
              }
            });
            // Keyset paging: a task inserted behind the cursor is never seen, one ahead of it is.
            const late = inserted
              .filter(({ doc }) => matches(filter)(doc))
              .filter(({ doc, cursorAt }) => compareTasks(sort)(doc, cursorAt) > 0)
              .map(({ doc }) => doc);
            appeared += late.length;
            passed += inserted.filter(({ doc }) => matches(filter)(doc)).length - late.length;
            expect({ filter, ids }).toEqual({ filter, ids: expectedIds([...before, ...late], filter, sort) });
          }
          // Both kinds of insert happened, so neither half of the promise was checked vacuously.
          expect(appeared).toBeGreaterThan(0);
          expect(passed).toBeGreaterThan(0);
        }),
    );
  });
}
