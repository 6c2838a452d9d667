import type { Projection } from '../core';
import {
  countsProjection,
  createTasks,
  InMemoryProjectionStore,
  tempEventStore,
  type CountsDoc,
  type TempEventStore,
} from '../testing';
import { ProjectionRunner } from './projection-runner';

let env: TempEventStore;
let store: InMemoryProjectionStore;
const runners: ProjectionRunner[] = [];
beforeEach(() => {
  env = tempEventStore();
  store = new InMemoryProjectionStore();
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  await env.cleanup();
});

const otherCounts: Projection<CountsDoc> = { ...countsProjection, name: 'counts-b' };
const countsV2: Projection<CountsDoc & { v?: number }> = {
  ...countsProjection,
  version: 2,
  evolve: (doc, e) => ({ ...countsProjection.evolve(doc, e)!, v: 2 }),
};

const runner = (projections: Projection[]) => {
  const r = new ProjectionRunner({
    projections: projections as Projection[],
    eventStore: env.eventStore,
    store,
    worker: { idleMs: 10 },
    rebuild: { batchSize: 100, worker: { idleMs: 10 } },
  });
  runners.push(r);
  return r;
};

const doc = async (name: string) => {
  const { liveTarget } = (await store.getState(name))!;
  return (await store.loadDocuments<CountsDoc & { v?: number }>(liveTarget, ['t1'])).get('t1')?.doc;
};

const atHead = async (r: ProjectionRunner) => {
  const head = (await env.eventStore.headPosition())!;
  expect(await r.waitForPosition(head, 5000)).toBe(true);
};

describe('ProjectionRunner', () => {
  it('backfills a newly registered projection from position 0 next to a live one', async () => {
    await createTasks(env.eventStore, 100);
    const first = runner([countsProjection]);
    expect(await first.start()).toEqual({ counts: 'backfill' });
    await atHead(first);
    await first.stop();
    await createTasks(env.eventStore, 50);

    const second = runner([countsProjection, otherCounts]);
    expect(await second.start()).toEqual({ counts: 'live', 'counts-b': 'backfill' });
    await atHead(second);
    expect((await doc('counts'))?.total).toBe(150);
    expect((await doc('counts-b'))?.total).toBe(150);
    expect(second.worker('counts')?.progress().applied).toBe(50);
    expect((await store.getState('counts-b'))?.status).toBe('live');
  });

  it('rebuilds a projection whose version changed, blue/green, and keeps it live meanwhile', async () => {
    await createTasks(env.eventStore, 300);
    const v1 = runner([countsProjection]);
    await v1.start();
    await atHead(v1);
    await v1.stop();
    const oldTarget = (await store.getState('counts'))!.liveTarget;

    const v2 = runner([countsV2]);
    expect(await v2.start()).toEqual({ counts: 'rebuild' });
    await createTasks(env.eventStore, 20);
    const result = await v2.rebuildFinished('counts');
    expect(result?.switched).toBe(true);
    await createTasks(env.eventStore, 10);
    await atHead(v2);

    const state = (await store.getState('counts'))!;
    expect(state).toMatchObject({ version: 2, liveTarget: result!.target, status: 'live' });
    expect(state.liveTarget).not.toBe(oldTarget);
    expect(await doc('counts')).toMatchObject({ total: 330, v: 2 });
    expect(v2.worker('counts')?.progress().target).toBe(result!.target);
  });

  it('waits for a position across the projections asked about', async () => {
    const r = runner([countsProjection, otherCounts]);
    await r.start();
    const [id] = await createTasks(env.eventStore, 1);
    const position = (await env.eventStore.readStream(`task-${id}`))[0].position;
    await expect(r.waitForPosition(position, 2000, ['counts', 'counts-b'])).resolves.toBe(true);
    await expect(r.waitForPosition('99', 50)).resolves.toBe(false);
    await expect(r.waitForPosition(position, 10, ['nope'])).rejects.toThrow(/unknown projection/);
    expect(
      r
        .progress()
        .map((p) => p.projection)
        .sort(),
    ).toEqual(['counts', 'counts-b']);
    expect((await r.lag()).map((l) => l.eventsBehind)).toEqual([0, 0]);
  });

  it('reports progress of every worker to one listener', async () => {
    const r = runner([countsProjection, otherCounts]);
    await r.start();
    const seen = new Set<string>();
    const off = r.onProgress((p) => seen.add(p.projection));
    await createTasks(env.eventStore, 3);
    await atHead(r);
    off();
    expect([...seen].sort()).toEqual(['counts', 'counts-b']);
  });
});
