import fc from 'fast-check';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { evolve, initialState, upcast, type TaskEvent, type TaskState } from '@ledger/tasks';
import { auth, headPosition, KEYS, startTestApp, type TestApp } from '../support/ledger-test-app';

/** Every task's state, folded straight from the event store: the truth the read models must match. */
async function foldStreams(store: EventStore): Promise<Map<string, TaskState>> {
  const states = new Map<string, TaskState>();
  let from: string | undefined;
  for (;;) {
    const page = await store.readAll({ from, limit: 1000, filter: { streamPrefixes: ['task-'] } });
    for (const e of page)
      states.set(e.streamName, evolve(states.get(e.streamName) ?? initialState, upcast(e) as TaskEvent));
    if (page.length < 1000) return states;
    from = page[page.length - 1].position;
  }
}

describe('stats stay exact under a random sequence of 1,000 commands', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('equals a fold of the streams, per tenant', async () => {
    const actions = [
      'start',
      'complete',
      'reopen',
      'archive',
      'assign',
      'unassign',
      'comments',
      'patch',
    ] as const;
    const plan = fc.sample(
      fc.record({
        create: fc.boolean(),
        pick: fc.nat(),
        action: fc.constantFrom(...actions),
        bob: fc.boolean(),
      }),
      { numRuns: 1000, seed: 4242 },
    );
    const tasks: Record<string, string[]> = { [KEYS.alice]: [], [KEYS.bob]: [] };
    const statuses: number[] = [];
    for (const step of plan) {
      const key = step.bob ? KEYS.bob : KEYS.alice;
      const own = tasks[key];
      if (step.create || own.length === 0) {
        const res = await t.http().post('/v1/tasks').set(auth(key)).send({ title: 'random' });
        own.push(res.body.id);
        statuses.push(res.status);
        continue;
      }
      const id = own[step.pick % own.length];
      const req =
        step.action === 'patch'
          ? t.http().patch(`/v1/tasks/${id}`).set(auth(key)).send({ priority: 'high' })
          : t.http().post(`/v1/tasks/${id}/${step.action}`).set(auth(key));
      const body =
        step.action === 'assign'
          ? { assignee: 'zed' }
          : step.action === 'comments'
            ? { body: 'c' }
            : undefined;
      const res = await (body ? req.send(body) : req);
      statuses.push(res.status);
    }
    // Random transitions break rules often (422); nothing else is acceptable.
    expect(statuses.filter((s) => ![200, 201, 422].includes(s))).toEqual([]);
    expect(statuses.filter((s) => s === 422).length).toBeGreaterThan(0);

    const truth = await foldStreams(t.app.get<EventStore>(EVENT_STORE));
    const min = await headPosition(t);
    for (const [key, tenant] of [
      [KEYS.alice, 't1'],
      [KEYS.bob, 't2'],
    ] as const) {
      const expected = { todo: 0, in_progress: 0, done: 0, archived: 0 };
      for (const s of truth.values()) if (s.exists && s.tenantId === tenant) expected[s.status]++;
      const res = await t.http().get('/v1/stats').set(auth(key)).set('X-Min-Position', min).expect(200);
      const total = Object.values(expected).reduce((a, b) => a + b, 0);
      expect(res.body).toEqual({ byStatus: expected, total });
      expect(total).toBe(tasks[key].length);
    }
  }, 120_000);
});
