import { allProjections } from '@ledger/read-models/projections';
import { acquireOperationLease } from './operation-lease';
import { projectionStatus } from './projection-status';
import { seedTasks } from './seed/seed-tasks';
import { projectLive, tempLedger, type TempLedger } from './testing/temp-ledger';

let l: TempLedger;
beforeEach(async () => {
  l = tempLedger();
  await seedTasks({ eventStore: l.eventStore, tasks: 20, eventsPerTask: 5, seed: 'status' });
});
afterEach(() => l.cleanup());

const status = () =>
  projectionStatus({ projections: allProjections, eventStore: l.eventStore, store: l.store });

describe('projectionStatus', () => {
  it('shows projections never started with the whole log as lag', async () => {
    const rows = await status();
    expect(rows.map((r) => r.name)).toEqual(['tasks', 'task-history', 'stats']);
    expect(rows[0]).toMatchObject({
      codeVersion: 1,
      state: 'not started',
      head: '100',
      eventsBehind: 100,
      parked: 0,
    });
    expect(rows[0].storedVersion).toBeUndefined();
  });

  it('shows checkpoint, zero lag, versions; a rebuild in progress with its percentage and holder; never the operations board', async () => {
    await projectLive(l);
    await acquireOperationLease(l.store, 'rebuild:tasks', 'me:1:x', 60_000, 'rebuild');
    await seedTasks({ eventStore: l.eventStore, tasks: 2, eventsPerTask: 5, seed: 'more' });
    const shadow = await l.store.createShadowTarget('tasks', 2);
    await l.store.commitBatch(shadow.target, [], { position: '55', key: l.eventStore.positionKey('55') });
    await l.store.setStatus('tasks', 'rebuilding');
    const [tasks, history] = await status();
    expect(history).toMatchObject({
      state: 'stopped',
      checkpoint: '100',
      head: '110',
      eventsBehind: 10,
      catchUpPercent: 90,
      storedVersion: 1,
    });
    expect(tasks).toMatchObject({
      state: 'rebuilding',
      rebuild: { target: shadow.target, version: 2, checkpoint: '55', percent: 50 },
    });
    expect(tasks.rebuild?.holder).toMatch(/^me:1:x \(pid \d+ on /);
    expect((await status()).map((r) => r.name)).not.toContain('_operations');
  });
});
