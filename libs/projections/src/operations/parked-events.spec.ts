import {
  statsProjection,
  tasksProjection,
  type StatsDocument,
  type TaskDocument,
} from '@ledger/read-models/projections';
import type { Projection, ReadDocument } from '../core/projection';
import { discardParked, listAllParked, retryParked } from './parked-events';
import { seedTasks } from './seed/seed-tasks';
import { projectLive, tempLedger, type TempLedger } from './testing/temp-ledger';
import { verifyProjection } from './verify-projection';

/** Yesterday's code: the fold throws on one event type, so the projector parks those events. */
const throwingOn = <D extends ReadDocument>(p: Projection<D>, type: string): Projection<D> => ({
  ...p,
  evolve: (doc, e) => {
    if (e.type === type) throw new Error(`bug: cannot fold ${type}`);
    return p.evolve(doc, e);
  },
});
const buggyTasks = throwingOn(tasksProjection, 'CommentAdded');
const buggyStats = throwingOn(statsProjection, 'TaskStarted');

let l: TempLedger;
beforeEach(async () => {
  l = tempLedger();
  await seedTasks({
    eventStore: l.eventStore,
    tasks: 12,
    eventsPerTask: 8,
    tenantId: 'acme',
    seed: 'parked',
  });
  await projectLive(l, [buggyTasks as Projection<ReadDocument>, buggyStats as Projection<ReadDocument>]);
});
afterEach(() => l.cleanup());

const retry = (projections: readonly Projection<never>[], ids?: readonly string[]) =>
  listAllParked(l.store).then((all) =>
    retryParked({
      projections: projections as readonly Projection<ReadDocument>[],
      eventStore: l.eventStore,
      store: l.store,
      parked: ids ? all.filter((p) => ids.includes(p.id)) : all,
    }),
  );

describe('parked events', () => {
  it('lists what the fold could not apply', async () => {
    const parked = await listAllParked(l.store);
    const comments = (await l.eventStore.readAll({ limit: 10_000, filter: { eventTypes: ['CommentAdded'] } }))
      .length;
    const starts = (await l.eventStore.readAll({ limit: 10_000, filter: { eventTypes: ['TaskStarted'] } }))
      .length;
    expect(comments).toBeGreaterThan(0);
    expect(parked.filter((p) => p.projection === 'tasks')).toHaveLength(comments);
    // A stats event the fold skipped makes later moves of the task impossible: those park too.
    const stats = parked.filter((p) => p.projection === 'stats');
    expect(stats.filter((p) => p.eventType === 'TaskStarted')).toHaveLength(starts);
    expect(
      stats.filter((p) => p.eventType !== 'TaskStarted').every((p) => /no \w+ task left/.test(p.error)),
    ).toBe(true);
    expect(parked[0]).toMatchObject({ attempts: 1, error: expect.stringContaining('bug: cannot fold') });
  });

  it('retry with code that still fails keeps the record and counts the attempt', async () => {
    const [first] = await listAllParked(l.store, 'tasks');
    const [outcome] = await retry([buggyTasks as Projection<never>], [first.id]);
    expect(outcome).toMatchObject({
      id: first.id,
      ok: false,
      error: expect.stringContaining('bug: cannot fold CommentAdded'),
    });
    expect(await l.store.getParked(first.id)).toMatchObject({ attempts: 2 });
  });

  it('retry with the fixed fold recomputes the documents from their streams and removes the records', async () => {
    expect(
      (await verifyProjection({ projection: tasksProjection, eventStore: l.eventStore, store: l.store }))
        .changed,
    ).toBeGreaterThan(0);
    const outcomes = await retry([tasksProjection, statsProjection] as Projection<never>[]);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(await l.store.countParked()).toBe(0);
    for (const projection of [tasksProjection, statsProjection] as Projection<ReadDocument>[]) {
      expect(await verifyProjection({ projection, eventStore: l.eventStore, store: l.store })).toMatchObject({
        ok: true,
      });
    }
    const docs = await l.store.scanDocuments<TaskDocument>((await l.store.getState('tasks'))!.liveTarget, {
      limit: 100,
    });
    expect(docs.some((d) => d.doc.commentCount > 0)).toBe(true);
    const [stats] = await l.store.scanDocuments<StatsDocument>(
      (await l.store.getState('stats'))!.liveTarget,
      { limit: 1 },
    );
    expect(stats.doc.total).toBe(12);
  });

  it('discard forgets one record and says whether it existed', async () => {
    const [first] = await listAllParked(l.store);
    expect(await discardParked(l.store, first.id)).toBe(true);
    expect(await discardParked(l.store, first.id)).toBe(false);
    expect(await l.store.getParked(first.id)).toBeUndefined();
  });
});
