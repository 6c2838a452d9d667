import type { RecordedEvent } from '@ledger/event-store';
import { evolve, initialState, upcast, type TaskState } from '@ledger/tasks';
import { tempLedger, type TempLedger } from '../testing/temp-ledger';
import { seedTasks } from './seed-tasks';
import { SeededRandom } from './seeded-random';

const ledgers: TempLedger[] = [];
const ledger = () => {
  const l = tempLedger();
  ledgers.push(l);
  return l;
};
afterEach(async () => {
  await Promise.all(ledgers.splice(0).map((l) => l.cleanup()));
});

const content = (events: RecordedEvent[]) =>
  events.map(({ id, streamName, revision, position, type, data, metadata }) => ({
    id,
    streamName,
    revision,
    position,
    type,
    data,
    metadata,
  }));

describe('seedTasks', () => {
  it('is deterministic for a seed (ids, data, timestamps, log order) and differs for another', async () => {
    const [a, b, c] = [ledger(), ledger(), ledger()];
    const options = { tasks: 25, eventsPerTask: 7, tenantId: 'acme', seed: 's1', window: 10, parts: 2 };
    const ra = await seedTasks({ ...options, eventStore: a.eventStore });
    await seedTasks({ ...options, eventStore: b.eventStore });
    await seedTasks({ ...options, seed: 's2', eventStore: c.eventStore });
    const logA = await a.eventStore.readAll({ limit: 1000 });
    expect(ra).toMatchObject({
      seed: 's1',
      tasks: 25,
      events: 175,
      deduplicated: 0,
      interrupted: false,
      lastPosition: '175',
    });
    expect(content(await b.eventStore.readAll({ limit: 1000 }))).toEqual(content(logA));
    expect(content(await c.eventStore.readAll({ limit: 1000 }))).not.toEqual(content(logA));
  });

  it('writes only valid histories, decided by the real domain, interleaved across tasks when asked', async () => {
    const l = ledger();
    await seedTasks({
      eventStore: l.eventStore,
      tasks: 40,
      eventsPerTask: 9,
      tenantId: 't9',
      seed: 'valid',
      window: 20,
      parts: 3,
    });
    const log = await l.eventStore.readAll({ limit: 1000 });
    expect(log).toHaveLength(360);
    const streams = new Map<string, RecordedEvent[]>();
    for (const e of log) streams.set(e.streamName, [...(streams.get(e.streamName) ?? []), e]);
    expect(streams.size).toBe(40);
    for (const events of streams.values()) {
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
      let state: TaskState = initialState;
      for (const e of events) state = evolve(state, upcast(e)); // throws on an impossible history
      expect(events[0].metadata).toMatchObject({ tenantId: 't9', schemaVersion: 2 });
    }
    // Three rounds per window: the log opens with the first third (revisions 0-2) of 20 tasks.
    const round1 = log.slice(0, 60);
    expect(new Set(round1.map((e) => e.streamName)).size).toBe(20);
    expect(round1.every((e) => e.revision <= 2n)).toBe(true);
    const times = log.map((e) => Date.parse((e.metadata as { occurredAt: string }).occurredAt));
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('a rerun with the same seed after an interruption appends only what is missing', async () => {
    const l = ledger();
    const abort = new AbortController();
    const options = { eventStore: l.eventStore, tasks: 30, eventsPerTask: 5, seed: 'again', window: 10 };
    const first = await seedTasks({ ...options, signal: abort.signal, onProgress: () => abort.abort() });
    expect(first).toMatchObject({ interrupted: true, tasks: 10 });
    const second = await seedTasks(options);
    expect(second).toMatchObject({ interrupted: false, tasks: 30, deduplicated: 10 });
    expect(await l.eventStore.readAll({ limit: 1000 })).toHaveLength(150);
  });
});

describe('SeededRandom', () => {
  it('repeats for a seed and draws well-formed v4 uuids', () => {
    const draw = (seed: string) => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 50 }, () => r.uuid());
    };
    expect(draw('x')).toEqual(draw('x'));
    expect(draw('x')).not.toEqual(draw('y'));
    for (const id of draw('z'))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
