import { statsProjection } from '@ledger/read-models/projections';
import { ProjectionWorker } from '../engine/projection-worker';
import { yieldingEventStore } from './event-loop-yield';
import { seedTasks } from './seed/seed-tasks';
import { allDocuments, projectLive, tempLedger, type TempLedger } from './testing/temp-ledger';

let l: TempLedger;
beforeEach(async () => {
  l = tempLedger();
  await seedTasks({
    eventStore: l.eventStore,
    tasks: 60,
    eventsPerTask: 5,
    seed: 'yield',
    parts: 2,
    window: 20,
  });
});
afterEach(() => l.cleanup());

describe('yieldingEventStore', () => {
  it('subscriptions that end every few events lose and repeat nothing: the worker resubscribes from its checkpoint', async () => {
    await projectLive(l, [statsProjection]);
    const expected = await allDocuments(l, 'stats');
    const shadow = await l.store.createShadowTarget('stats', 1);
    const worker = new ProjectionWorker({
      projection: statsProjection,
      eventStore: yieldingEventStore(l.eventStore, { endAfter: 7 }),
      store: l.store,
      target: shadow.target,
      untilCaughtUp: true,
      idleMs: 10,
      batchSize: 5,
    });
    await worker.start();
    expect(await worker.finished()).toMatchObject({
      state: 'running',
      applied: expected.length ? expect.any(Number) : 0,
      parked: 0,
    });
    const rebuilt = await l.store.scanDocuments(shadow.target, { limit: 10 });
    expect(rebuilt).toEqual(expected);
  });

  it('lets the event loop turn while it hands out events already read (SQLite never would)', async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    const sub = yieldingEventStore(l.eventStore, { everyMs: 0 }).subscribeToAll();
    let n = 0;
    for await (const _event of sub) if (++n === 50) break;
    expect(turned).toBe(true);
  });
});
