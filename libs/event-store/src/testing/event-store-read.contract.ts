import type { EventStore, Position } from '../core';
import {
  events,
  expectStrictlyIncreasing,
  namespace,
  newEvent,
  readNamespace,
  usingStore,
} from './contract-helpers';

type Make = () => Promise<EventStore>;

export function readCases(make: Make): void {
  describe('readStream', () => {
    it('returns a stream in revision order and [] for a missing stream', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        const first = events(2, ns.type('E'));
        const second = events(3, ns.type('E'));
        await store.append(s, first, 'no_stream');
        await store.append(ns.stream('other'), events(1, ns.type('E')), 'no_stream');
        await store.append(s, second, 1n);
        const stored = await store.readStream(s);
        expect(stored.map((e) => e.id)).toEqual([...first, ...second].map((e) => e.id));
        expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(stored.every((e) => e.streamName === s)).toBe(true);
        expect(await store.readStream(ns.stream('missing'))).toEqual([]);
      }));

    it('round-trips id, type, data and metadata (unicode, nested JSON)', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('ünïcødé-タスク');
        const data = {
          title: 'Grüße, 世界 🚀 "quoted" \\ back\nslash',
          nested: { list: [1, 2.5, -3, null, true, { deep: ['x', { deeper: 'y' }] }], empty: {}, none: [] },
          zero: 0,
        };
        const metadata = { tenantId: 'tënant', actor: '👩‍💻', correlationId: 'c-1', schemaVersion: 2 };
        const event = newEvent(ns.type('TaskCreated'), data, metadata);
        const before = new Date();
        await store.append(s, [event], 'no_stream');
        const [stored] = await store.readStream(s);
        expect(stored.id).toBe(event.id);
        expect(stored.type).toBe(event.type);
        expect(stored.streamName).toBe(s);
        expect(stored.data).toEqual(data);
        expect(stored.metadata).toEqual(metadata);
        expect(stored.recordedAt).toBeInstanceOf(Date);
        // Generous: a server clock may differ a little from ours.
        expect(Math.abs(stored.recordedAt.getTime() - before.getTime())).toBeLessThan(60_000);
      }));
  });

  describe('positions and readAll', () => {
    it('positions are strings, strictly increasing in append order across streams', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const order = ['a', 'b', 'a', 'c', 'b', 'a'];
        const positions: Position[] = [];
        for (const name of order) {
          const r = await store.append(ns.stream(name), events(1, ns.type('E')), 'any');
          expect(typeof r.position).toBe('string');
          positions.push(r.position);
        }
        expectStrictlyIncreasing(store, positions);
        const read = await readNamespace(store, ns, undefined);
        expect(read.map((e) => e.position)).toEqual(positions);
        expect(read.map((e) => e.streamName)).toEqual(order.map((n) => ns.stream(n)));
      }));

    it('comparePositions is a consistent order', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const a = (await store.append(ns.stream('a'), events(1, 'E'), 'no_stream')).position;
        const b = (await store.append(ns.stream('b'), events(1, 'E'), 'no_stream')).position;
        expect(store.comparePositions(a, a)).toBe(0);
        expect(store.comparePositions(a, b)).toBeLessThan(0);
        expect(store.comparePositions(b, a)).toBeGreaterThan(0);
      }));

    it('positionKey is fixed-width and sorts lexically like comparePositions', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const positions: Position[] = [];
        for (let i = 0; i < 12; i++)
          positions.push((await store.append(ns.stream('a'), events(1, 'E'), 'any')).position);
        const keys = positions.map((p) => store.positionKey(p));
        expect(new Set(keys.map((k) => k.length)).size).toBe(1);
        expect([...keys].reverse().sort()).toEqual(keys);
        expect(new Set(keys).size).toBe(keys.length);
      }));

    it('readAll reads from the beginning, from a position (exclusive) and honours limit', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const filter = { streamPrefixes: [ns.prefix] };
        for (let i = 0; i < 5; i++)
          await store.append(ns.stream(`s${i % 2}`), events(2, ns.type('E')), 'any');
        const all = await store.readAll({ limit: 100, filter });
        expect(all).toHaveLength(10);
        expectStrictlyIncreasing(
          store,
          all.map((e) => e.position),
        );
        const firstThree = await store.readAll({ limit: 3, filter });
        expect(firstThree.map((e) => e.id)).toEqual(all.slice(0, 3).map((e) => e.id));
        const afterFourth = await store.readAll({ from: all[3].position, limit: 100, filter });
        expect(afterFourth.map((e) => e.id)).toEqual(all.slice(4).map((e) => e.id));
        const page = await store.readAll({ from: all[3].position, limit: 2, filter });
        expect(page.map((e) => e.id)).toEqual(all.slice(4, 6).map((e) => e.id));
        expect(await store.readAll({ from: all[9].position, limit: 100, filter })).toEqual([]);
      }));

    it('readAll without a filter returns the log in position order, including our events', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const head = await store.headPosition();
        const appended = [];
        for (let i = 0; i < 3; i++)
          appended.push(await store.append(ns.stream(`s${i}`), events(1, 'E'), 'any'));
        const read = await store.readAll({ from: head, limit: 1000 });
        expectStrictlyIncreasing(
          store,
          read.map((e) => e.position),
        );
        const ours = read.filter((e) => e.streamName.startsWith(ns.prefix)).map((e) => e.position);
        expect(ours).toEqual(appended.map((r) => r.position));
      }));

    it('readAll filters by stream prefix and by event type (both apply)', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const [A, B] = [ns.type('A'), ns.type('B')];
        const head = await store.headPosition();
        await store.append(ns.stream('task-1'), [newEvent(A), newEvent(B)], 'no_stream');
        await store.append(ns.stream('user-1'), [newEvent(A), newEvent(B)], 'no_stream');
        await store.append(ns.stream('task-2'), [newEvent(A)], 'no_stream');
        const byPrefix = await store.readAll({
          from: head,
          limit: 100,
          filter: { streamPrefixes: [ns.stream('task-')] },
        });
        expect(byPrefix.map((e) => [e.streamName, e.type])).toEqual([
          [ns.stream('task-1'), A],
          [ns.stream('task-1'), B],
          [ns.stream('task-2'), A],
        ]);
        const twoPrefixes = await store.readAll({
          from: head,
          limit: 100,
          filter: { streamPrefixes: [ns.stream('user-'), ns.stream('task-2')] },
        });
        expect(twoPrefixes.map((e) => e.streamName)).toEqual([
          ns.stream('user-1'),
          ns.stream('user-1'),
          ns.stream('task-2'),
        ]);
        const byType = await store.readAll({ from: head, limit: 100, filter: { eventTypes: [B] } });
        expect(byType.map((e) => e.streamName)).toEqual([ns.stream('task-1'), ns.stream('user-1')]);
        const both = await store.readAll({
          from: head,
          limit: 100,
          filter: { streamPrefixes: [ns.stream('task-')], eventTypes: [A] },
        });
        expect(both.map((e) => e.streamName)).toEqual([ns.stream('task-1'), ns.stream('task-2')]);
        const limited = await store.readAll({ from: head, limit: 1, filter: { eventTypes: [B] } });
        expect(limited.map((e) => e.streamName)).toEqual([ns.stream('task-1')]);
      }));

    it('headPosition is undefined only for an empty log and reaches the last append', () =>
      usingStore(make, async (store) => {
        const empty = (await store.readAll({ limit: 1 })).length === 0;
        expect((await store.headPosition()) === undefined).toBe(empty);
        const ns = namespace();
        const r = await store.append(ns.stream('a'), events(2, 'E'), 'no_stream');
        const head = await store.headPosition();
        expect(typeof head).toBe('string');
        expect(store.comparePositions(head as Position, r.position)).toBeGreaterThanOrEqual(0);
        expect(
          await store.readAll({ from: head, limit: 10, filter: { streamPrefixes: [ns.prefix] } }),
        ).toEqual([]);
      }));
  });
}
