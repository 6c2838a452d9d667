import { UnavailableError } from '@ledger/platform/errors';
import type { Checkpoint } from '../core';
import {
  countsProjection,
  createTasks,
  InMemoryProjectionStore,
  taskEvent,
  tempEventStore,
  type CountsDoc,
  type TempEventStore,
} from '../testing';
import { ProjectionWorker, type ProjectionWorkerOptions } from './projection-worker';

let env: TempEventStore;
let store: InMemoryProjectionStore;
const workers: ProjectionWorker[] = [];

beforeEach(() => {
  env = tempEventStore();
  store = new InMemoryProjectionStore();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await env.cleanup();
});

const worker = (options: Partial<ProjectionWorkerOptions> = {}) => {
  const w = new ProjectionWorker({
    projection: countsProjection,
    eventStore: env.eventStore,
    store,
    idleMs: 20,
    ...options,
  });
  workers.push(w);
  return w;
};

/** Resolves once the worker reports it is caught up with the head. */
const caughtUp = (w: ProjectionWorker, timeoutMs = 10_000) =>
  new Promise<void>((resolve, reject) => {
    if (w.progress().caughtUp) return resolve();
    const timer = setTimeout(
      () => reject(new Error(`not caught up: ${JSON.stringify(w.progress())}`)),
      timeoutMs,
    );
    const off = w.onProgress((p) => p.caughtUp && (clearTimeout(timer), off(), resolve()));
  });

const counts = async (tenant = 't1'): Promise<CountsDoc | undefined> => {
  const state = await store.getState('counts');
  return (await store.loadDocuments<CountsDoc>(state!.liveTarget, [tenant])).get(tenant)?.doc;
};

const recordCommits = () => {
  const commits: { checkpoint?: Checkpoint; writes: number; at: number }[] = [];
  const commit = store.commitBatch.bind(store);
  store.commitBatch = (target, writes, checkpoint, parked) => {
    commits.push({ checkpoint, writes: writes.length, at: Date.now() });
    return commit(target, writes, checkpoint, parked);
  };
  return commits;
};

describe('ProjectionWorker', () => {
  it('cuts a backlog into batches of batchSize events', async () => {
    await createTasks(env.eventStore, 1200);
    const commits = recordCommits();
    const w = worker({ batchSize: 500 });
    await w.start();
    await caughtUp(w);
    expect(commits.map((c) => c.checkpoint?.position)).toEqual(['500', '1000', '1200']);
    expect(w.progress()).toMatchObject({ batches: 3, applied: 1200, skipped: 0, parked: 0 });
    expect((await counts())?.total).toBe(1200);
  });

  it('closes a batch batchMs after its first event when fewer than batchSize arrive', async () => {
    const w = worker({ batchSize: 500, batchMs: 150, flushAtLiveEdge: false });
    await w.start();
    await caughtUp(w);
    const commits = recordCommits();
    const started = Date.now();
    await createTasks(env.eventStore, 3);
    await new Promise((r) => setTimeout(r, 500));
    await createTasks(env.eventStore, 2);
    await expect(w.waitForPosition('5', 2000)).resolves.toBe(true);
    const batches = commits.filter((c) => c.writes > 0);
    expect(batches.map((c) => c.checkpoint?.position)).toEqual(['3', '5']);
    expect(batches[0].at - started).toBeGreaterThanOrEqual(140);
    expect(w.progress()).toMatchObject({ batches: 2, applied: 5 });
  });

  it('closes a batch at once when no further event is ready (the live edge)', async () => {
    const w = worker({ batchSize: 500, batchMs: 5_000 });
    await w.start();
    await caughtUp(w);
    const started = Date.now();
    await createTasks(env.eventStore, 1);
    await expect(w.waitForPosition('1', 2000)).resolves.toBe(true);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('folds the appends of one turn of the event loop into one batch, at the live edge', async () => {
    const w = worker({ batchSize: 500, batchMs: 5_000 });
    await w.start();
    await caughtUp(w);
    const commits = recordCommits();
    await createTasks(env.eventStore, 30); // one append after another, no timer or I/O between
    await expect(w.waitForPosition('30', 2000)).resolves.toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    await createTasks(env.eventStore, 12);
    await expect(w.waitForPosition('42', 2000)).resolves.toBe(true);
    const batches = commits.filter((c) => c.writes > 0);
    expect(batches.map((c) => c.checkpoint?.position)).toEqual(['30', '42']);
    expect((await counts())?.total).toBe(42);
  });

  it('a reader waiting for a position cuts the open batch short instead of waiting out its window', async () => {
    const w = worker({ batchSize: 500, batchMs: 5_000, flushAtLiveEdge: false });
    await w.start();
    await caughtUp(w);
    const commits = recordCommits();
    await createTasks(env.eventStore, 3);
    // Let the batch open with these three events; without a waiter it would stay open 5 s.
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await expect(w.waitForPosition('3', 2000)).resolves.toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(commits.filter((c) => c.writes > 0).map((c) => c.checkpoint?.position)).toEqual(['3']);
    // The next batch is collected as usual: its window, no waiter.
    await createTasks(env.eventStore, 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(commits.filter((c) => c.writes > 0)).toHaveLength(1);
  });

  it('resumes from its checkpoint after a restart and applies nothing twice', async () => {
    await createTasks(env.eventStore, 300);
    const first = worker({ batchSize: 100 });
    await first.start();
    await caughtUp(first);
    await first.stop();
    expect((await store.getState('counts'))?.status).toBe('stopped');
    await createTasks(env.eventStore, 200);

    const second = worker({ batchSize: 100 });
    await second.start();
    await caughtUp(second);
    expect(second.progress()).toMatchObject({ applied: 200, skipped: 0 });
    expect((await counts())?.total).toBe(500);
  });

  it('skips events already in a document when a crash left the checkpoint behind', async () => {
    await createTasks(env.eventStore, 300);
    const first = worker({ batchSize: 100 });
    await first.start();
    await caughtUp(first);
    await first.stop();
    // As if the process died after writing documents but before the checkpoint (MongoDB).
    const { liveTarget } = (await store.getState('counts'))!;
    await store.resetCheckpoint(liveTarget, { position: '120', key: env.eventStore.positionKey('120') });

    const second = worker({ batchSize: 100 });
    await second.start();
    await caughtUp(second);
    expect(second.progress()).toMatchObject({ applied: 0, skipped: 180 });
    expect((await counts())?.total).toBe(300);
  });

  it('parks an event whose fold throws and projects the events after it', async () => {
    await createTasks(env.eventStore, 5);
    await createTasks(env.eventStore, 1, 't1', 'poison pill');
    const later = await createTasks(env.eventStore, 5);
    await env.eventStore.append(`task-${later[0]}`, [taskEvent('TaskStarted', { taskId: later[0] })], 0n);
    const w = worker();
    await w.start();
    await caughtUp(w);

    expect(await counts()).toMatchObject({ total: 11, byType: { TaskCreated: 10, TaskStarted: 1 } });
    const parked = await store.listParked({ projection: 'counts' });
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ position: '6', eventType: 'TaskCreated', attempts: 1 });
    expect(parked[0].error).toContain('poisoned: poison pill');
    expect((await store.getState('counts'))?.checkpoint?.position).toBe('12');
    expect(w.progress()).toMatchObject({ parked: 1, applied: 11 });
  });

  it('parks an event that cannot be upcast', async () => {
    await env.eventStore.append(
      'task-bad',
      [{ ...taskEvent('TaskStarted', { taskId: 'bad' }), metadata: { tenantId: 't1', schemaVersion: 99 } }],
      'no_stream',
    );
    await createTasks(env.eventStore, 2);
    const w = worker();
    await w.start();
    await caughtUp(w);
    expect((await store.listParked())[0].error).toMatch(/UpcastError: TaskStarted v99/);
    expect((await counts())?.total).toBe(2);
  });

  it('retries a batch through transient store failures with capped backoff, losing and doubling nothing', async () => {
    await createTasks(env.eventStore, 250);
    let failures = 0;
    const commit = store.commitBatch.bind(store);
    store.commitBatch = (...args) => {
      if (failures < 4) {
        failures++;
        const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        return Promise.reject(failures % 2 ? new UnavailableError('store down') : busy);
      }
      return commit(...args);
    };
    const load = store.loadDocuments.bind(store);
    let loadFailures = 0;
    store.loadDocuments = (...args) =>
      loadFailures++ < 2 ? Promise.reject(new UnavailableError('down')) : load(...args);
    const delays: number[] = [];
    const w = worker({
      batchSize: 100,
      retry: { initialMs: 100, maxMs: 400, factor: 2, jitter: 0.5 },
      random: () => 0,
      sleep: async (ms) => void delays.push(ms),
    });
    await w.start();
    await caughtUp(w);
    expect(delays).toEqual([100, 200, 400, 400, 400, 400]);
    expect(w.progress()).toMatchObject({ retries: 6, applied: 250, skipped: 0, state: 'running' });
    expect((await counts())?.total).toBe(250);
  });

  it('applies jitter from the injected random source', async () => {
    await createTasks(env.eventStore, 1);
    let failed = false;
    const commit = store.commitBatch.bind(store);
    store.commitBatch = (...args) =>
      failed ? commit(...args) : ((failed = true), Promise.reject(new UnavailableError('x')));
    const delays: number[] = [];
    const w = worker({
      retry: { initialMs: 100, jitter: 0.5 },
      random: () => 1,
      sleep: async (ms) => void delays.push(ms),
    });
    await w.start();
    await caughtUp(w);
    expect(delays).toEqual([50]);
  });

  it('stops on a non-transient store error and records it', async () => {
    await createTasks(env.eventStore, 1);
    store.commitBatch = () => Promise.reject(new TypeError('bug in adapter'));
    const w = worker();
    await w.start();
    const p = await w.finished();
    expect(p).toMatchObject({ state: 'failed', lastError: 'TypeError: bug in adapter' });
    await new Promise((r) => setImmediate(r));
    expect(await store.getState('counts')).toMatchObject({
      status: 'stopped',
      lastError: 'TypeError: bug in adapter',
    });
  });

  it('reports lag in events and seconds behind, and none once caught up', async () => {
    await createTasks(env.eventStore, 30);
    const later = () => new Date(Date.now() + 10_000);
    const w = worker({ clock: later, lagCountLimit: 1000 });
    const before = await w.lag();
    expect(before).toMatchObject({ eventsBehind: 30, eventsBehindCapped: false, head: '30' });
    expect(before.secondsBehind).toBeGreaterThanOrEqual(9.5);
    expect((await worker({ lagCountLimit: 10 }).lag()).eventsBehind).toBe(10);
    expect((await worker({ lagCountLimit: 10 }).lag()).eventsBehindCapped).toBe(true);
    await w.start();
    await caughtUp(w);
    expect(await w.lag()).toMatchObject({ eventsBehind: 0, secondsBehind: 0, checkpoint: '30' });
  });

  it('wakes waitForPosition on progress, also for positions of events it does not handle, and times out', async () => {
    const w = worker();
    await w.start();
    const [id] = await createTasks(env.eventStore, 1);
    // TaskAssigned is not a type `counts` handles: only the idle head check can reach it.
    const { position } = await env.eventStore.append(
      `task-${id}`,
      [taskEvent('TaskAssigned', { taskId: id, assignee: 'ann' })],
      0n,
    );
    await expect(w.waitForPosition(position, 2000)).resolves.toBe(true);
    const t0 = Date.now();
    await expect(w.waitForPosition('1000', 100)).resolves.toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it('finishes the batch in hand on stop and saves its checkpoint', async () => {
    await createTasks(env.eventStore, 50);
    const w = worker({ batchSize: 1000, batchMs: 10_000 });
    await w.start();
    await new Promise((r) => setTimeout(r, 100));
    await w.stop();
    expect(w.progress()).toMatchObject({ state: 'stopped', applied: 50 });
    expect((await store.getState('counts'))?.checkpoint?.position).toBe('50');
  });
});
