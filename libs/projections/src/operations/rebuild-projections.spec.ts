import { UnavailableError } from '@ledger/platform/errors';
import type { EventStore } from '@ledger/event-store';
import { LeaseHeldError, type Projection, type ReadDocument } from '../core';
import {
  countsProjection,
  createTasks,
  InMemoryProjectionStore,
  taskEvent,
  tempEventStore,
  type CountsDoc,
  type TempEventStore,
} from '../testing';
import { rebuildLeaseName } from './operation-lease';
import { isRebuildFailure, rebuildProjections, type RebuildOutcome } from './rebuild-projections';

/** Per task: how many of its events were folded. An event lost or folded twice shows in `events`. */
interface PerTaskDoc extends ReadDocument {
  readonly events: number;
  readonly types: readonly string[];
}
const perTask: Projection<PerTaskDoc> = {
  name: 'per-task',
  version: 2,
  handles: ['TaskCreated', 'TaskStarted', 'CommentAdded'],
  documentId: (e) => e.data.taskId,
  evolve: (doc, e) => ({
    id: e.data.taskId,
    tenantId: e.metadata.tenantId,
    events: (doc?.events ?? 0) + 1,
    types: [...(doc?.types ?? []), e.type],
  }),
};
const counts: Projection<CountsDoc> = { ...countsProjection, version: 2 };

let env: TempEventStore;
let store: InMemoryProjectionStore;
beforeEach(() => {
  env = tempEventStore();
  store = new InMemoryProjectionStore();
});
afterEach(() => env.cleanup());

/**
 * 20 tasks in t1 and 10 in t2, then for each round one event per task (start, then 3 comments),
 * so the events of a task are spread over the whole log: 150 events.
 */
async function seed(): Promise<string[]> {
  const ids = [
    ...(await createTasks(env.eventStore, 20, 't1')),
    ...(await createTasks(env.eventStore, 10, 't2')),
  ];
  const tenant = (i: number) => (i < 20 ? 't1' : 't2');
  for (let round = 0; round < 4; round++) {
    for (const [i, id] of ids.entries()) {
      const event =
        round === 0
          ? taskEvent('TaskStarted', { taskId: id }, tenant(i))
          : taskEvent('CommentAdded', { taskId: id, commentId: `c${round}`, body: 'x' }, tenant(i));
      await env.eventStore.append(`task-${id}`, [event], 'any');
    }
  }
  return ids;
}

/** The event store, counting the events its bulk reads return (the workers' 1-event probes aside). */
function countingReads(eventStore: EventStore): { eventStore: EventStore; read: () => number } {
  let read = 0;
  return {
    eventStore: {
      ...eventStore,
      readAll: async (o) => {
        const page = await eventStore.readAll(o);
        if (o.limit > 1) read += page.length;
        return page;
      },
    },
    read: () => read,
  };
}

async function liveDocs<Doc>(name: string, ids: string[]): Promise<Map<string, Doc>> {
  const { liveTarget } = (await store.getState(name))!;
  const docs = await store.loadDocuments<Doc>(liveTarget, ids);
  return new Map([...docs].map(([id, d]) => [id, d.doc]));
}

const succeeded = (outcomes: RebuildOutcome[]) =>
  outcomes.map((o) => (isRebuildFailure(o) ? { projection: o.projection, error: o.error.message } : o));

describe('rebuildProjections', () => {
  it('reads the log once for every projection, folds each into its shadow and switches each', async () => {
    const ids = await seed();
    const reads = countingReads(env.eventStore);
    const created = jest.spyOn(store, 'createShadowTarget');
    const order: string[] = [];
    jest.spyOn(store, 'prepareSwitch').mockImplementation(async function (this: unknown, target) {
      order.push(`prepare ${target}`);
      return InMemoryProjectionStore.prototype.prepareSwitch.call(store, target);
    });
    jest.spyOn(store, 'switchLive').mockImplementation(async (name, target) => {
      order.push(`switch ${target}`);
      expect((await store.getTarget(target))?.indexesDeferred).toBeUndefined();
      return InMemoryProjectionStore.prototype.switchLive.call(store, name, target);
    });

    const outcomes = await rebuildProjections({
      projections: [counts, perTask],
      eventStore: reads.eventStore,
      store,
      batchSize: 40,
      cacheSize: 5, // far fewer than the 30 tasks: evicted documents are read back from the shadow
      worker: { idleMs: 10 },
    });

    expect(succeeded(outcomes)).toEqual([
      expect.objectContaining({ projection: 'counts', switched: true, resumed: false, applied: 150 }),
      expect.objectContaining({ projection: 'per-task', switched: true, resumed: false, applied: 150 }),
    ]);
    expect(reads.read()).toBe(150);
    expect(created.mock.calls.map((c) => c[2])).toEqual([{ deferIndexes: true }, { deferIndexes: true }]);
    const [c, p] = outcomes.map((o) => (o as { target: string }).target);
    expect(order).toEqual([`prepare ${c}`, `switch ${c}`, `prepare ${p}`, `switch ${p}`]);

    const tenants = await liveDocs<CountsDoc>('counts', ['t1', 't2']);
    expect(tenants.get('t1')).toMatchObject({ total: 100, byType: { TaskCreated: 20, TaskStarted: 20 } });
    expect(tenants.get('t2')).toMatchObject({ total: 50, byType: { CommentAdded: 30 } });
    const tasks = await liveDocs<PerTaskDoc>('per-task', ids);
    expect(tasks.size).toBe(30);
    for (const doc of tasks.values()) {
      expect(doc.types).toEqual([
        'TaskCreated',
        'TaskStarted',
        'CommentAdded',
        'CommentAdded',
        'CommentAdded',
      ]);
    }
    expect((await store.getState('per-task'))?.checkpoint?.position).toBe('150');
  });

  it('resumes every shadow after an interruption, each from its own checkpoint, folding nothing twice', async () => {
    const ids = await seed();
    const stopAt = (name: string, batches: number) => {
      const abort = new AbortController();
      return {
        signal: abort.signal,
        onProgress: (p: { projection: string; batches: number }) =>
          p.projection === name && p.batches >= batches && abort.abort(),
      };
    };
    const first = await rebuildProjections({
      projections: [counts, perTask],
      eventStore: env.eventStore,
      store,
      batchSize: 40,
      ...stopAt('per-task', 1),
    });
    expect(succeeded(first).map((o) => 'switched' in o && o.switched)).toEqual([false, false]);
    // per-task alone goes further: now the two shadows stand at different checkpoints.
    await rebuildProjections({
      projections: [perTask],
      eventStore: env.eventStore,
      store,
      batchSize: 40,
      ...stopAt('per-task', 2),
    });
    const checkpoints = await Promise.all(
      ['counts', 'per-task'].map(async (n) => (await store.getState(n))?.shadow?.checkpoint?.position),
    );
    expect(checkpoints).toEqual(['40', '120']);

    const reads = countingReads(env.eventStore);
    const last = await rebuildProjections({
      projections: [counts, perTask],
      eventStore: reads.eventStore,
      store,
      batchSize: 40,
      cacheSize: 5,
      worker: { idleMs: 10 },
    });
    expect(succeeded(last)).toEqual([
      expect.objectContaining({ projection: 'counts', switched: true, resumed: true, applied: 110 }),
      expect.objectContaining({ projection: 'per-task', switched: true, resumed: true, applied: 30 }),
    ]);
    expect(reads.read()).toBe(110); // from the lowest checkpoint, once
    expect((await liveDocs<CountsDoc>('counts', ['t1'])).get('t1')?.total).toBe(100);
    for (const doc of (await liveDocs<PerTaskDoc>('per-task', ids)).values()) expect(doc.events).toBe(5);
  });

  it('reports a projection whose lease is held as failed, and rebuilds the others', async () => {
    await seed();
    await store.acquireLease(rebuildLeaseName('per-task'), 'someone-else', 60_000);
    const outcomes = await rebuildProjections({
      projections: [counts, perTask],
      eventStore: env.eventStore,
      store,
      worker: { idleMs: 10 },
    });
    expect(outcomes[0]).toMatchObject({ projection: 'counts', switched: true, applied: 150 });
    expect(outcomes[1]).toMatchObject({ projection: 'per-task' });
    expect((outcomes[1] as { error: Error }).error).toBeInstanceOf(LeaseHeldError);
    expect(await store.getState('per-task')).toBeUndefined();
  });

  it('drops what an interrupted switch left before it makes new copies, and goes on when it cannot', async () => {
    await seed();
    const calls: string[] = [];
    const create = store.createShadowTarget.bind(store);
    store.dropOrphanTargets = async () => {
      calls.push('dropOrphanTargets');
      throw new UnavailableError('the store is busy');
    };
    store.createShadowTarget = async (...args) => {
      calls.push(`createShadowTarget ${args[0]}`);
      return create(...args);
    };
    const outcomes = await rebuildProjections({
      projections: [counts, perTask],
      eventStore: env.eventStore,
      store,
      worker: { idleMs: 10 },
    });
    expect(calls).toEqual(['dropOrphanTargets', 'createShadowTarget counts', 'createShadowTarget per-task']);
    expect(outcomes.map((o) => [o.projection, !isRebuildFailure(o) && o.switched])).toEqual([
      ['counts', true],
      ['per-task', true],
    ]);
  });

  it('parks an event whose fold throws in the projection that threw, and goes on', async () => {
    await seed();
    const [poisoned] = await createTasks(env.eventStore, 1, 't1', 'poison pill');
    const outcomes = await rebuildProjections({
      projections: [counts, perTask],
      eventStore: env.eventStore,
      store,
      batchSize: 40,
      worker: { idleMs: 10 },
    });
    expect(outcomes).toEqual([
      expect.objectContaining({ projection: 'counts', switched: true, applied: 150, parked: 1 }),
      expect.objectContaining({ projection: 'per-task', switched: true, applied: 151, parked: 0 }),
    ]);
    expect((await store.listParked()).map((p) => [p.projection, p.position])).toEqual([['counts', '151']]);
    expect((await liveDocs<PerTaskDoc>('per-task', [poisoned])).get(poisoned)?.events).toBe(1);
  });

  it('retries a commit that failed transiently, and the result is exact', async () => {
    await seed();
    const commit = store.commitBatch.bind(store);
    let failures = 0;
    jest.spyOn(store, 'commitBatch').mockImplementation(async (...args: Parameters<typeof commit>) => {
      // Shadow commits only: the lease holder's record goes through commitBatch too.
      if (args[0].startsWith('counts_') && failures++ < 2)
        throw new UnavailableError('read-model store down');
      return commit(...args);
    });
    const outcomes = await rebuildProjections({
      projections: [counts],
      eventStore: env.eventStore,
      store,
      batchSize: 40,
      worker: { idleMs: 10, retry: { initialMs: 1, maxMs: 2 } },
    });
    expect(outcomes).toEqual([expect.objectContaining({ switched: true, applied: 150 })]);
    expect(failures).toBeGreaterThan(2);
    expect((await liveDocs<CountsDoc>('counts', ['t1'])).get('t1')?.total).toBe(100);
  });

  it('folds a page again when its fold throws UnavailableError (a lookup the projection needs is down)', async () => {
    const ids = await seed();
    let failures = 0;
    const flaky: Projection<PerTaskDoc> = {
      ...perTask,
      evolve: (doc, e) => {
        if (e.type === 'TaskStarted' && failures++ < 2) throw new UnavailableError('lookup down');
        return perTask.evolve(doc, e);
      },
    };
    const outcomes = await rebuildProjections({
      projections: [flaky],
      eventStore: env.eventStore,
      store,
      batchSize: 40,
      worker: { idleMs: 10, retry: { initialMs: 1, maxMs: 2 } },
    });
    expect(outcomes).toEqual([expect.objectContaining({ switched: true, applied: 150, parked: 0 })]);
    expect(failures).toBeGreaterThan(2);
    for (const doc of (await liveDocs<PerTaskDoc>('per-task', ids)).values()) expect(doc.events).toBe(5);
  });

  it('reads no document back for a documentPerEvent projection, and a resumed page writes nothing twice', async () => {
    await seed();
    interface EntryDoc extends ReadDocument {
      readonly type: string;
    }
    const entries: Projection<EntryDoc> = {
      name: 'entries',
      version: 1,
      handles: ['TaskCreated', 'TaskStarted', 'CommentAdded'],
      documentPerEvent: true,
      documentId: (e) => `${e.data.taskId}:${e.revision}`,
      evolve: (_doc, e) => ({
        id: `${e.data.taskId}:${e.revision}`,
        tenantId: e.metadata.tenantId,
        type: e.type,
      }),
    };
    const loads = jest.spyOn(store, 'loadDocuments');
    const abort = new AbortController();
    await rebuildProjections({
      projections: [entries],
      eventStore: env.eventStore,
      store,
      batchSize: 40,
      signal: abort.signal,
      onProgress: (p) => p.batches >= 2 && abort.abort(),
    });
    const shadow = (await store.getState('entries'))?.shadow;
    expect(shadow?.checkpoint?.position).toBe('80');
    // As if killed between a page's writes and its checkpoint: the next run folds that page again.
    await store.resetCheckpoint(shadow!.target, { position: '40', key: env.eventStore.positionKey('40') });

    const outcomes = await rebuildProjections({
      projections: [entries],
      eventStore: env.eventStore,
      store,
      batchSize: 40,
      worker: { idleMs: 10 },
    });
    expect(outcomes).toEqual([expect.objectContaining({ switched: true, resumed: true })]);
    const shadowLoads = loads.mock.calls.filter(([target]) => target === shadow!.target);
    expect(shadowLoads).toEqual([]);
    const docs = await store.scanDocuments<EntryDoc>(shadow!.target, { limit: 1_000 });
    expect(docs).toHaveLength(150);
    expect(new Set(docs.map((d) => d.id)).size).toBe(150);
    expect(docs.filter((d) => d.doc.type === 'CommentAdded')).toHaveLength(90);
  });

  /** The store, its shadow commits answered late (as from a worker thread), recording their order. */
  function slowShadowCommits(failAt?: { prefix: string; commit: number }) {
    const commit = store.commitBatch.bind(store);
    const landed: { target: string; position?: string }[] = [];
    let readsBeforeFirstLanding = 0;
    const reads = countingReads(env.eventStore);
    const seen = new Map<string, number>();
    jest.spyOn(store, 'commitBatch').mockImplementation(async (...args: Parameters<typeof commit>) => {
      const [target, , checkpoint] = args;
      if (!/_g\d+$/.test(target) || !checkpoint) return commit(...args);
      const n = (seen.get(target) ?? 0) + 1;
      seen.set(target, n);
      // Longer than folding a page here (cold code under jest takes a few ms).
      await new Promise((r) => setTimeout(r, 25));
      if (failAt && target.startsWith(failAt.prefix) && n === failAt.commit)
        throw new Error('disk I/O error');
      const result = await commit(...args);
      if (!landed.length) readsBeforeFirstLanding = reads.read();
      landed.push({ target, position: checkpoint.position });
      return result;
    });
    return { eventStore: reads.eventStore, landed, readsBeforeFirstLanding: () => readsBeforeFirstLanding };
  }

  it('folds the next pages while a slow commit lands, commits each shadow in order, the queued pages together, and the result is exact', async () => {
    const ids = await seed();
    const slow = slowShadowCommits();
    const outcomes = await rebuildProjections({
      projections: [counts, perTask],
      eventStore: slow.eventStore,
      store,
      batchSize: 20,
      cacheSize: 5,
      commitsInFlight: 3,
      worker: { idleMs: 10 },
    });
    expect(succeeded(outcomes)).toEqual([
      expect.objectContaining({ projection: 'counts', switched: true, applied: 150 }),
      expect.objectContaining({ projection: 'per-task', switched: true, applied: 150 }),
    ]);
    // The pass read ahead of the first landing (events, not pages: more than one page of 20).
    expect(slow.readsBeforeFirstLanding()).toBeGreaterThan(20);
    for (const prefix of ['counts_', 'per-task_']) {
      const positions = slow.landed.filter((l) => l.target.startsWith(prefix)).map((l) => Number(l.position));
      // In order, ending at the head; the pages that queued behind a slow commit went as one.
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(positions.at(-1)).toBe(150);
      expect(positions.length).toBeLessThan(8);
      expect(positions.every((p) => p % 20 === 0 || p === 150)).toBe(true);
    }
    expect((await liveDocs<CountsDoc>('counts', ['t1'])).get('t1')?.total).toBe(100);
    for (const doc of (await liveDocs<PerTaskDoc>('per-task', ids)).values()) expect(doc.events).toBe(5);
  });

  it('fails a projection whose commit fails for good, lands none of its later pages, and the next run resumes it exactly', async () => {
    const ids = await seed();
    const slow = slowShadowCommits({ prefix: 'per-task_', commit: 2 });
    const first = await rebuildProjections({
      projections: [counts, perTask],
      eventStore: slow.eventStore,
      store,
      batchSize: 20,
      commitsInFlight: 4,
      worker: { idleMs: 10 },
    });
    expect(succeeded(first)).toEqual([
      expect.objectContaining({ projection: 'counts', switched: true, applied: 150 }),
      { projection: 'per-task', error: expect.stringContaining('disk I/O error') },
    ]);
    const landed = slow.landed.filter((l) => l.target.startsWith('per-task_')).map((l) => l.position);
    expect(landed).toEqual(['20']); // the pages folded behind the failed second commit never landed
    const shadow = (await store.getState('per-task'))?.shadow;
    expect(shadow?.checkpoint?.position).toBe('20');
    expect(await store.getState('per-task')).toMatchObject({
      lastError: expect.stringContaining('disk I/O error'),
    });

    jest.restoreAllMocks();
    const again = await rebuildProjections({
      projections: [perTask],
      eventStore: env.eventStore,
      store,
      batchSize: 20,
      worker: { idleMs: 10 },
    });
    expect(again).toEqual([expect.objectContaining({ switched: true, resumed: true, applied: 130 })]);
    for (const doc of (await liveDocs<PerTaskDoc>('per-task', ids)).values()) expect(doc.events).toBe(5);
  });
});
