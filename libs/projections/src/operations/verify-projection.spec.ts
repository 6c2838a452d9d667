import { statsProjection, taskHistoryProjection, tasksProjection } from '@ledger/read-models/projections';
import type { ReadDocument } from '../core/projection';
import type { StoredDocument } from '../core/projection-store.port';
import { seedTasks } from './seed/seed-tasks';
import { allDocuments, overwrite, projectLive, tempLedger, type TempLedger } from './testing/temp-ledger';
import { repairProjection, verifyProjection } from './verify-projection';

let l: TempLedger;
beforeEach(async () => {
  l = tempLedger();
  await seedTasks({
    eventStore: l.eventStore,
    tasks: 40,
    eventsPerTask: 6,
    tenantId: 'acme',
    seed: 'verify',
    parts: 2, // tasks interleave in the log, as concurrent users make them
    window: 16,
  });
  await seedTasks({
    eventStore: l.eventStore,
    tasks: 15,
    eventsPerTask: 4,
    tenantId: 'globex',
    seed: 'verify',
  });
  await projectLive(l);
});
afterEach(() => l.cleanup());

const ops = (projection: typeof tasksProjection | typeof taskHistoryProjection | typeof statsProjection) => ({
  projection,
  eventStore: l.eventStore,
  store: l.store,
  pageSize: 16, // small pages, so streams straddle page boundaries
});

type Doc = ReadDocument & Record<string, unknown>;
const body = (d: StoredDocument<ReadDocument>) => d.doc as Doc;

describe('verifyProjection', () => {
  it('finds nothing on a read model the projector wrote', async () => {
    for (const p of [tasksProjection, taskHistoryProjection, statsProjection]) {
      const r = await verifyProjection(ops(p));
      expect(r).toMatchObject({ ok: true, changed: 0, missing: 0, extra: 0, unfoldable: 0 });
      expect(r.documents).toBe((await allDocuments(l, p.name)).length);
    }
  });

  it('reports a changed field, a missing and an extra document, each exactly once', async () => {
    const [a, b] = await allDocuments(l, 'tasks');
    await overwrite(l, 'tasks', a, { ...body(a), title: 'tampered' });
    await overwrite(l, 'tasks', b, null);
    await overwrite(
      l,
      'tasks',
      { ...a, id: 'ffffffff-0000-4000-8000-000000000000' },
      { ...body(a), id: 'ffffffff-0000-4000-8000-000000000000' },
    );

    const r = await verifyProjection(ops(tasksProjection));
    expect(r).toMatchObject({ ok: false, changed: 1, missing: 1, extra: 1 });
    expect(r.findings).toEqual(
      expect.arrayContaining([
        {
          kind: 'changed',
          id: a.id,
          fields: [{ field: 'title', stored: 'tampered', expected: body(a).title }],
        },
        { kind: 'missing', id: b.id, expected: body(b) },
        {
          kind: 'extra',
          id: 'ffffffff-0000-4000-8000-000000000000',
          stored: expect.objectContaining({ title: body(a).title }),
        },
      ]),
    );
    expect(r.findings).toHaveLength(3);
  });

  it('finds a missing history entry inside a stream and a stats count that is off', async () => {
    const history = await allDocuments(l, 'task-history');
    const middle = history[3];
    await overwrite(l, 'task-history', middle, null);
    const [stats] = await allDocuments(l, 'stats');
    const byStatus = body(stats).byStatus as Record<string, number>;
    await overwrite(l, 'stats', stats, {
      ...body(stats),
      byStatus: { ...byStatus, todo: byStatus.todo + 1 },
    });

    expect((await verifyProjection(ops(taskHistoryProjection))).findings).toEqual([
      { kind: 'missing', id: middle.id, expected: body(middle) },
    ]);
    const s = await verifyProjection(ops(statsProjection));
    expect(s.findings).toEqual([
      {
        kind: 'changed',
        id: stats.id,
        fields: [{ field: 'byStatus', stored: expect.anything(), expected: byStatus }],
      },
    ]);
  });

  it('finds a task whose documents are all gone (no stored document points at its stream)', async () => {
    const [a] = await allDocuments(l, 'tasks');
    const entries = (await allDocuments(l, 'task-history')).filter((d) => d.id.startsWith(`${a.id}:`));
    for (const e of entries) await overwrite(l, 'task-history', e, null);
    const r = await verifyProjection(ops(taskHistoryProjection));
    expect(r.missing).toBe(entries.length);
    expect(r.findings.map((f) => f.id).sort()).toEqual(entries.map((e) => e.id).sort());
  });

  it('compares documents ahead of the checkpoint at their own position (a running projector is not drift)', async () => {
    const state = (await l.store.getState('tasks'))!;
    const first = (await l.eventStore.readAll({ limit: 10 }))[9];
    await l.store.resetCheckpoint(state.liveTarget, {
      position: first.position,
      key: l.eventStore.positionKey(first.position),
    });
    expect(await verifyProjection(ops(tasksProjection))).toMatchObject({
      ok: true,
      changed: 0,
      missing: 0,
      extra: 0,
    });
  });

  it('checks a sample of documents with their whole streams', async () => {
    const docs = await allDocuments(l, 'tasks');
    for (const d of docs) await overwrite(l, 'tasks', d, { ...body(d), title: 'tampered' });
    const r = await verifyProjection({ ...ops(tasksProjection), sample: 5 });
    expect(r.changed).toBeGreaterThanOrEqual(1);
    expect(r.changed).toBeLessThanOrEqual(5);
    expect(r.sampled).toBe(5);
  });
});

describe('repairProjection', () => {
  it('rewrites exactly the drifted documents, then verify is clean', async () => {
    const before = await allDocuments(l, 'tasks');
    const [a, b] = before;
    await overwrite(l, 'tasks', a, { ...body(a), status: 'archived', commentCount: 99 });
    await overwrite(l, 'tasks', b, null);
    await overwrite(
      l,
      'tasks',
      { ...a, id: 'ffffffff-0000-4000-8000-000000000000' },
      { ...body(a), id: 'ffffffff-0000-4000-8000-000000000000' },
    );
    const statsBefore = await allDocuments(l, 'stats');
    const [stats, other] = statsBefore;
    await overwrite(l, 'stats', stats, { ...body(stats), total: 0 });
    await overwrite(l, 'stats', other, null);

    const fixed: string[] = [];
    const r = await repairProjection({
      ...ops(tasksProjection),
      onDrift: (d, outcome) => outcome === 'fixed' && fixed.push(`${d.kind}:${d.id}`),
    });
    expect(r).toMatchObject({ ok: true, changed: 1, missing: 1, extra: 1, fixed: 3, unresolved: 0 });
    expect(fixed.sort()).toEqual(
      [`changed:${a.id}`, `extra:ffffffff-0000-4000-8000-000000000000`, `missing:${b.id}`].sort(),
    );
    expect(await repairProjection(ops(statsProjection))).toMatchObject({ changed: 1, missing: 1, fixed: 2 });

    // Exactly what was there before the corruption, position included.
    expect(await allDocuments(l, 'tasks')).toEqual(before);
    // A stats document recomputed stream by stream gets the position of its latest event back.
    expect(await allDocuments(l, 'stats')).toEqual(statsBefore);
    expect(await verifyProjection(ops(tasksProjection))).toMatchObject({ ok: true });
    expect(await verifyProjection(ops(statsProjection))).toMatchObject({ ok: true });
  });

  it('is refused while another process holds the projection lease, naming it', async () => {
    await l.store.acquireLease('rebuild:tasks', 'other-host:1:abcd', 60_000);
    await expect(repairProjection(ops(tasksProjection))).rejects.toThrow(/rebuild:tasks is held/);
  });
});
