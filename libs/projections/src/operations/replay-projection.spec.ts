import type { RecordedEvent } from '@ledger/event-store';
import {
  statsProjection,
  tasksProjection,
  type StatsDocument,
  type TaskDocument,
} from '@ledger/read-models/projections';
import type { Projection } from '../core/projection';
import { readBoard } from './operation-lease';
import { replayProjection } from './replay-projection';
import { seedTasks } from './seed/seed-tasks';
import { allDocuments, overwrite, projectLive, tempLedger, type TempLedger } from './testing/temp-ledger';
import { verifyProjection } from './verify-projection';

let l: TempLedger;
let log: RecordedEvent[];
let from: string;
/** A task with events after `from`, and one whose events all lie before it. */
let touched: string;
let untouched: string;

beforeEach(async () => {
  l = tempLedger();
  await seedTasks({
    eventStore: l.eventStore,
    tasks: 30,
    eventsPerTask: 6,
    tenantId: 'acme',
    seed: 'replay',
    parts: 2,
    window: 10,
  });
  await projectLive(l);
  log = await l.eventStore.readAll({ limit: 10_000 });
  from = log[Math.floor(log.length * 0.6)].position;
  const after = new Set(
    log.filter((e) => Number(e.position) > Number(from)).map((e) => e.streamName.slice(5)),
  );
  touched = [...after][0];
  untouched = log.map((e) => e.streamName.slice(5)).find((id) => !after.has(id))!;
});
afterEach(() => l.cleanup());

const ops = (projection: Projection<TaskDocument> | Projection<StatsDocument>) => ({
  projection: projection as Projection<never>,
  eventStore: l.eventStore,
  store: l.store,
  pageSize: 7,
});
const taskDoc = async (id: string) => (await allDocuments(l, 'tasks')).find((d) => d.id === id)!;

describe('replayProjection', () => {
  it('re-applies the events after the position with the current fold, to exactly the documents they touch', async () => {
    // "The bug is fixed": the new fold upper-cases titles.
    const fixed: Projection<TaskDocument> = {
      ...tasksProjection,
      evolve: (doc, e) => {
        const next = tasksProjection.evolve(doc, e);
        return next && { ...next, title: next.title.toUpperCase() };
      },
    };
    const r = await replayProjection({ ...ops(fixed), from });
    expect(r).toMatchObject({
      ok: true,
      resumed: false,
      interrupted: false,
      to: log[log.length - 1].position,
    });
    expect(r.events).toBe(log.filter((e) => Number(e.position) > Number(from)).length);
    const title = (id: string) => taskDoc(id).then((d) => (d.doc as TaskDocument).title);
    expect(await title(touched)).toBe((await title(touched)).toUpperCase());
    expect(await title(untouched)).not.toBe((await title(untouched)).toUpperCase());
    expect(r.documentsRewritten).toBe(
      new Set(log.filter((e) => Number(e.position) > Number(from)).map((e) => e.streamName)).size,
    );
    // Idempotent: a second run finds every document as the fold makes it.
    expect(await replayProjection({ ...ops(fixed), from })).toMatchObject({
      documentsRewritten: 0,
      ok: true,
    });
  });

  it('fixes a drifted task document that events after the position touch, and leaves the others', async () => {
    const a = await taskDoc(touched);
    const b = await taskDoc(untouched);
    await overwrite(l, 'tasks', a, { ...(a.doc as TaskDocument), title: 'tampered' } as never);
    await overwrite(l, 'tasks', b, { ...(b.doc as TaskDocument), title: 'tampered' } as never);
    expect(await replayProjection({ ...ops(tasksProjection), from })).toMatchObject({
      documentsRewritten: 1,
    });
    expect(await taskDoc(touched)).toEqual(a);
    expect((await taskDoc(untouched)).doc).toMatchObject({ title: 'tampered' });
  });

  it("recomputes a per-tenant stats document from all of the tenant's streams", async () => {
    const [stats] = await allDocuments(l, 'stats');
    await overwrite(l, 'stats', stats, { ...(stats.doc as StatsDocument), total: 1 } as never);
    expect(await replayProjection({ ...ops(statsProjection), from })).toMatchObject({
      documentsRewritten: 1,
      ok: true,
    });
    expect((await allDocuments(l, 'stats'))[0]).toEqual(stats);
    expect(await verifyProjection(ops(statsProjection))).toMatchObject({ ok: true });
  });

  it('stops on abort keeping its cursor, and the next run with the same range resumes after it', async () => {
    const abort = new AbortController();
    const first = await replayProjection({
      ...ops(tasksProjection),
      from,
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    expect(first).toMatchObject({ interrupted: true, ok: false });
    const cursor = await readBoard<{ reached: string }>(l.store, 'replay:tasks');
    expect(Number(cursor?.reached)).toBeGreaterThan(Number(from));
    const second = await replayProjection({ ...ops(tasksProjection), from });
    expect(second).toMatchObject({ resumed: true, interrupted: false, ok: true });
    expect(first.events + second.events).toBe(log.filter((e) => Number(e.position) > Number(from)).length);
    expect(await readBoard(l.store, 'replay:tasks')).toBeUndefined();
  });
});
