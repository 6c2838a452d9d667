import type { Projection } from '../core';
import { LeaseHeldError } from '../core';
import { ProjectionWorker } from '../engine/projection-worker';
import {
  countsProjection,
  createTasks,
  eventually,
  InMemoryProjectionStore,
  tempEventStore,
  type CountsDoc,
  type TempEventStore,
} from '../testing';
import { rebuildLeaseName, rebuildProjection } from './rebuild-projection';

type V2Doc = CountsDoc & { readonly v?: number };
const countsV2: Projection<V2Doc> = {
  ...countsProjection,
  version: 2,
  evolve: (doc, e) => ({ ...countsProjection.evolve(doc, e)!, v: 2 }),
};

let env: TempEventStore;
let store: InMemoryProjectionStore;
beforeEach(() => {
  env = tempEventStore();
  store = new InMemoryProjectionStore();
});
afterEach(() => env.cleanup());

const liveDoc = async (): Promise<V2Doc | undefined> => {
  const { liveTarget } = (await store.getState('counts'))!;
  return (await store.loadDocuments<V2Doc>(liveTarget, ['t1'])).get('t1')?.doc;
};

/** Projects the current log with v1 into the live target and stops. */
const projectV1 = async () => {
  const w = new ProjectionWorker({
    projection: countsProjection,
    eventStore: env.eventStore,
    store,
    idleMs: 10,
  });
  await w.start();
  await eventually(() => w.progress().caughtUp);
  await w.stop();
};

describe('rebuildProjection', () => {
  it('fills a shadow with the new fold, switches it in and drops the old copy', async () => {
    await createTasks(env.eventStore, 120);
    await projectV1();
    const old = (await store.getState('counts'))!.liveTarget;
    const seenDuringRebuild: (number | undefined)[] = [];
    const result = await rebuildProjection({
      projection: countsV2,
      eventStore: env.eventStore,
      store,
      batchSize: 50,
      worker: { idleMs: 10 },
      onProgress: () => void liveDoc().then((d) => seenDuringRebuild.push(d?.v)),
    });
    expect(result).toMatchObject({ switched: true, resumed: false, applied: 120, checkpoint: '120' });
    const state = (await store.getState('counts'))!;
    expect(state).toMatchObject({ version: 2, liveTarget: result.target, checkpoint: { position: '120' } });
    expect(state.shadow).toBeUndefined();
    expect(await store.getTarget(old)).toBeUndefined();
    expect(await liveDoc()).toMatchObject({ total: 120, v: 2 });
    // Until the switch, readers saw the old copy, whole.
    expect(seenDuringRebuild.length).toBeGreaterThan(0);
    expect(seenDuringRebuild.every((v) => v === undefined)).toBe(true);
    expect(await store.acquireLease(rebuildLeaseName('counts'), 'next', 1000)).toBe(true);
  });

  it('refuses to run while another owner holds the lease', async () => {
    await store.acquireLease(rebuildLeaseName('counts'), 'other-cli', 60_000);
    await expect(
      rebuildProjection({ projection: countsV2, eventStore: env.eventStore, store }),
    ).rejects.toBeInstanceOf(LeaseHeldError);
    expect((await store.getState('counts'))?.shadow).toBeUndefined();
  });

  it('pauses on abort, keeping the shadow, and the next run resumes from its checkpoint', async () => {
    await createTasks(env.eventStore, 1000);
    await projectV1();
    const abort = new AbortController();
    const first = await rebuildProjection({
      projection: countsV2,
      eventStore: env.eventStore,
      store,
      batchSize: 100,
      signal: abort.signal,
      onProgress: (p) => p.batches >= 2 && abort.abort(),
    });
    expect(first.switched).toBe(false);
    const paused = (await store.getState('counts'))!;
    expect(paused.shadow?.checkpoint).toBeDefined();
    expect(paused.version).toBe(1);
    expect(await liveDoc()).toMatchObject({ total: 1000 });

    const second = await rebuildProjection({
      projection: countsV2,
      eventStore: env.eventStore,
      store,
      batchSize: 100,
      worker: { idleMs: 10 },
    });
    expect(second).toMatchObject({ switched: true, resumed: true, target: first.target });
    expect(first.applied + second.applied).toBe(1000);
    expect(await liveDoc()).toMatchObject({ total: 1000, v: 2 });
  });

  it('hands over to a running live worker without losing or doubling an event', async () => {
    await createTasks(env.eventStore, 200);
    const live = new ProjectionWorker({
      projection: countsV2,
      eventStore: env.eventStore,
      store,
      idleMs: 10,
      batchSize: 20,
    });
    await live.start();
    let writing = true;
    const writer = (async () => {
      // Appends resolve at once (better-sqlite3 is synchronous): yield so timers still run.
      while (writing) {
        await createTasks(env.eventStore, 5);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const result = await rebuildProjection({
      projection: countsV2,
      eventStore: env.eventStore,
      store,
      batchSize: 50,
      worker: { idleMs: 10 },
    });
    await createTasks(env.eventStore, 20);
    writing = false;
    await writer;
    const head = (await env.eventStore.headPosition())!;
    await expect(live.waitForPosition(head, 5000)).resolves.toBe(true);
    expect(result.switched).toBe(true);
    expect(live.progress().target).toBe(result.target);
    expect((await liveDoc())?.total).toBe(Number(head));
    await live.stop();
  });
});
