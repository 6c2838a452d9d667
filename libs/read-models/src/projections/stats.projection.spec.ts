import fc from 'fast-check';
import type { ProjectedEvent } from '@ledger/projections/core/projection';
import { TASK_STATUSES, type TaskStatus } from '@ledger/tasks/task.events';
import { projectedEvent, taskCreatedData } from './testing/projected-event';
import { emptyStats, type StatsDocument, type StatusCounts, statsProjection } from './stats.projection';

const tenantId = 'tenant-s';
const taskId = 'task-1';
const at = { tenantId, revision: 1 };

const counts = (partial: Partial<StatusCounts>): StatusCounts => ({
  todo: 0,
  in_progress: 0,
  done: 0,
  archived: 0,
  ...partial,
});
const stats = (byStatus: Partial<StatusCounts>): StatsDocument => {
  const full = counts(byStatus);
  return { id: tenantId, tenantId, byStatus: full, total: TASK_STATUSES.reduce((n, s) => n + full[s], 0) };
};

describe('statsProjection', () => {
  it('is named, versioned, keyed by tenant and handles only status-changing events', () => {
    expect(statsProjection.name).toBe('stats');
    expect(statsProjection.version).toBe(1);
    expect([...statsProjection.handles].sort()).toEqual([
      'TaskArchived',
      'TaskCompleted',
      'TaskCreated',
      'TaskReopened',
      'TaskStarted',
    ]);
    expect(statsProjection.documentId(projectedEvent('TaskStarted', { taskId }, at))).toBe(tenantId);
  });

  it('TaskCreated on no document starts the tenant at todo 1, total 1', () => {
    const doc = statsProjection.evolve(
      null,
      projectedEvent('TaskCreated', taskCreatedData(taskId), { tenantId }),
    );
    expect(doc).toEqual(stats({ todo: 1 }));
    expect(emptyStats('t')).toEqual({ id: 't', tenantId: 't', byStatus: counts({}), total: 0 });
  });

  it('TaskCreated adds to todo and total', () => {
    const doc = statsProjection.evolve(
      stats({ todo: 2, done: 1 }),
      projectedEvent('TaskCreated', taskCreatedData(taskId), at),
    );
    expect(doc).toEqual(stats({ todo: 3, done: 1 }));
  });

  it('TaskStarted moves todo to in_progress', () => {
    const doc = statsProjection.evolve(stats({ todo: 2 }), projectedEvent('TaskStarted', { taskId }, at));
    expect(doc).toEqual(stats({ todo: 1, in_progress: 1 }));
  });

  it.each(['todo', 'in_progress'] as const)('TaskCompleted moves %s to done', (previousStatus) => {
    const doc = statsProjection.evolve(
      stats({ todo: 1, in_progress: 1 }),
      projectedEvent('TaskCompleted', { taskId, previousStatus }, at),
    );
    expect(doc).toEqual(stats({ todo: 1, in_progress: 1, [previousStatus]: 0, done: 1 }));
  });

  it('TaskReopened moves done to todo', () => {
    const doc = statsProjection.evolve(stats({ done: 2 }), projectedEvent('TaskReopened', { taskId }, at));
    expect(doc).toEqual(stats({ todo: 1, done: 1 }));
  });

  it.each(['todo', 'in_progress', 'done'] as const)('TaskArchived moves %s to archived', (previousStatus) => {
    const doc = statsProjection.evolve(
      stats({ todo: 1, in_progress: 1, done: 1 }),
      projectedEvent('TaskArchived', { taskId, previousStatus }, at),
    );
    expect(doc).toEqual(stats({ todo: 1, in_progress: 1, done: 1, [previousStatus]: 0, archived: 1 }));
  });

  it('keeps the tenant of the document', () => {
    const doc = statsProjection.evolve(
      null,
      projectedEvent('TaskCreated', taskCreatedData(taskId), { tenantId: 'acme' }),
    )!;
    expect(doc).toMatchObject({ id: 'acme', tenantId: 'acme' });
  });

  it('refuses a move out of an empty status, so lost events surface as parked ones', () => {
    expect(() =>
      statsProjection.evolve(stats({ todo: 1 }), projectedEvent('TaskReopened', { taskId }, at)),
    ).toThrow(/no done task/);
  });

  it('refuses an unknown previousStatus instead of writing NaN', () => {
    const bad = projectedEvent(
      'TaskArchived',
      { taskId, previousStatus: undefined as unknown as 'todo' },
      at,
    );
    expect(() => statsProjection.evolve(stats({ todo: 1 }), bad)).toThrow(/unknown previous status/);
  });

  it('is an accumulator: the same event twice counts twice (the engine guards by position)', () => {
    const created = projectedEvent('TaskCreated', taskCreatedData(taskId), at);
    expect(statsProjection.evolve(statsProjection.evolve(null, created), created)).toEqual(
      stats({ todo: 2 }),
    );
  });

  describe('exactness', () => {
    type Ctx = { tenantId: string; revision: number; position: string };
    type Transition = { to: TaskStatus; event: (taskId: string, ctx: Ctx) => ProjectedEvent };
    // Every transition the decider allows, keyed by the status it leaves.
    const transitions: Record<TaskStatus, Transition[]> = {
      todo: [
        { to: 'in_progress', event: (id, c) => projectedEvent('TaskStarted', { taskId: id }, c) },
        {
          to: 'done',
          event: (id, c) => projectedEvent('TaskCompleted', { taskId: id, previousStatus: 'todo' }, c),
        },
        {
          to: 'archived',
          event: (id, c) => projectedEvent('TaskArchived', { taskId: id, previousStatus: 'todo' }, c),
        },
      ],
      in_progress: [
        {
          to: 'done',
          event: (id, c) => projectedEvent('TaskCompleted', { taskId: id, previousStatus: 'in_progress' }, c),
        },
        {
          to: 'archived',
          event: (id, c) => projectedEvent('TaskArchived', { taskId: id, previousStatus: 'in_progress' }, c),
        },
      ],
      done: [
        { to: 'todo', event: (id, c) => projectedEvent('TaskReopened', { taskId: id }, c) },
        {
          to: 'archived',
          event: (id, c) => projectedEvent('TaskArchived', { taskId: id, previousStatus: 'done' }, c),
        },
      ],
      archived: [],
    };

    const tenants = ['t1', 't2', 't3'];
    const tasksPerTenant = 4;
    const step = fc.record({
      tenant: fc.nat(tenants.length - 1),
      task: fc.nat(tasksPerTenant - 1),
      choice: fc.nat(),
    });

    /** Interprets random picks as a valid interleaved log; returns it with each task's final status. */
    function buildLog(steps: Array<{ tenant: number; task: number; choice: number }>) {
      const tasks = new Map<string, { tenantId: string; status: TaskStatus; revision: number }>();
      const log: ProjectedEvent[] = [];
      for (const s of steps) {
        const tenant = tenants[s.tenant]!;
        const id = `${tenant}-task-${s.task}`;
        const ctx = (revision: number): Ctx => ({
          tenantId: tenant,
          revision,
          position: String(log.length + 1),
        });
        const task = tasks.get(id);
        if (!task) {
          log.push(projectedEvent('TaskCreated', taskCreatedData(id), ctx(0)));
          tasks.set(id, { tenantId: tenant, status: 'todo', revision: 0 });
          continue;
        }
        const options = transitions[task.status];
        if (options.length === 0) continue; // archived is terminal
        const { event, to } = options[s.choice % options.length]!;
        task.revision += 1;
        task.status = to;
        log.push(event(id, ctx(task.revision)));
      }
      return { log, tasks };
    }

    it('folding any valid log equals counting the final statuses per tenant', () => {
      fc.assert(
        fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
          const { log, tasks } = buildLog(steps);
          const folded = new Map<string, StatsDocument | null>();
          for (const event of log) {
            if (!statsProjection.handles.includes(event.type)) continue;
            const key = statsProjection.documentId(event);
            folded.set(key, statsProjection.evolve(folded.get(key) ?? null, event));
          }

          const expected = new Map<string, StatsDocument>();
          for (const { tenantId: t, status } of tasks.values()) {
            const doc = expected.get(t) ?? emptyStats(t);
            expected.set(t, {
              ...doc,
              byStatus: { ...doc.byStatus, [status]: doc.byStatus[status] + 1 },
              total: doc.total + 1,
            });
          }
          expect(Object.fromEntries(folded)).toEqual(Object.fromEntries(expected));
        }),
        { numRuns: 300 },
      );
    });
  });
});
