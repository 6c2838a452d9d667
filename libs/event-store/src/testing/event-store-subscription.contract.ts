import type { EventStore, Position } from '../core';
import {
  events,
  expectStrictlyIncreasing,
  iteratorOf,
  namespace,
  newEvent,
  nextWithin,
  take,
  usingStore,
} from './contract-helpers';

type Make = () => Promise<EventStore>;

/** Long enough for a polling adapter to notice a stray event; short enough to keep the suite fast. */
const QUIET_MS = 150;

export function subscriptionCases(make: Make): void {
  describe('subscribeToAll', () => {
    it(
      'catches up on existing events, then delivers live ones: in order, no gap, no duplicate',
      () =>
        usingStore(make, async (store) => {
          const ns = namespace();
          const head = await store.headPosition();
          const ids: string[] = [];
          const appendOne = async (i: number): Promise<void> => {
            const e = newEvent(ns.type('E'), { i });
            ids.push(e.id);
            await store.append(ns.stream(`s${i % 7}`), [e], 'any');
          };
          for (let i = 0; i < 50; i++) await appendOne(i);
          const sub = store.subscribeToAll({ from: head, filter: { streamPrefixes: [ns.prefix] } });
          try {
            const it = iteratorOf(sub);
            const received = take(it, 100, 8000);
            for (let i = 50; i < 100; i++) {
              await appendOne(i);
              // Let the subscriber run between appends so live delivery really interleaves.
              if (i % 5 === 0) await new Promise((r) => setImmediate(r));
            }
            const got = await received;
            expect(got.map((e) => e.id)).toEqual(ids);
            expectStrictlyIncreasing(
              store,
              got.map((e) => e.position),
            );
            expect(await nextWithin(it, QUIET_MS)).toBeUndefined();
          } finally {
            await sub.close();
          }
        }),
      15_000,
    );

    it('starts at the beginning of the log when no position is given', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const batch = events(3, ns.type('E'));
        await store.append(ns.stream('a'), batch, 'no_stream');
        const sub = store.subscribeToAll({ filter: { streamPrefixes: [ns.prefix] } });
        try {
          const got = await take(iteratorOf(sub), 3);
          expect(got.map((e) => e.id)).toEqual(batch.map((e) => e.id));
        } finally {
          await sub.close();
        }
      }));

    it('starts after the given position (exclusive)', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const positions: Position[] = [];
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const e = newEvent(ns.type('E'), { i });
          ids.push(e.id);
          positions.push((await store.append(ns.stream('a'), [e], 'any')).position);
        }
        const sub = store.subscribeToAll({ from: positions[2], filter: { streamPrefixes: [ns.prefix] } });
        try {
          const it = iteratorOf(sub);
          expect((await take(it, 2)).map((e) => e.id)).toEqual(ids.slice(3));
          expect(await nextWithin(it, QUIET_MS)).toBeUndefined();
        } finally {
          await sub.close();
        }
      }));

    it('delivers only events that pass the filter, in catch-up and live', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const [A, B] = [ns.type('A'), ns.type('B')];
        const head = await store.headPosition();
        const wanted: string[] = [];
        const write = async (stream: string, type: string): Promise<void> => {
          const e = newEvent(type);
          if (type === A) wanted.push(e.id);
          await store.append(stream, [e], 'any');
        };
        await write(ns.stream('x'), A);
        await write(ns.stream('y'), B);
        await write(ns.stream('y'), A);
        const sub = store.subscribeToAll({ from: head, filter: { eventTypes: [A] } });
        try {
          const it = iteratorOf(sub);
          const received = take(it, 4);
          await write(ns.stream('x'), B);
          await write(ns.stream('z'), A);
          await write(ns.stream('x'), B);
          await write(ns.stream('x'), A);
          const got = await received;
          expect(got.map((e) => e.id)).toEqual(wanted);
          expect(got.every((e) => e.type === A)).toBe(true);
        } finally {
          await sub.close();
        }
      }));

    it('live subscriptions with different filters each get exactly theirs from one burst of appends', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const [A, B, C] = [ns.type('A'), ns.type('B'), ns.type('C')];
        const head = await store.headPosition();
        const subs = {
          a: store.subscribeToAll({ from: head, filter: { eventTypes: [A] } }),
          ab: store.subscribeToAll({ from: head, filter: { eventTypes: [A, B] } }),
          x: store.subscribeToAll({ from: head, filter: { streamPrefixes: [ns.stream('x')] } }),
        };
        try {
          const its = { a: iteratorOf(subs.a), ab: iteratorOf(subs.ab), x: iteratorOf(subs.x) };
          // Each subscription is at the live edge before the burst.
          await new Promise((r) => setTimeout(r, 50));
          const written: { id: string; type: string; stream: string }[] = [];
          const burst = [];
          for (let i = 0; i < 30; i++) {
            const type = [A, B, C][i % 3];
            const stream = ns.stream(i % 2 ? 'x' : 'y');
            const e = newEvent(type, { i });
            written.push({ id: e.id, type, stream });
            // Not awaited one by one: the appends of one turn of the event loop.
            burst.push(store.append(stream, [e], 'any'));
          }
          await Promise.all(burst);
          const want = (f: (w: (typeof written)[number]) => boolean) => written.filter(f).map((w) => w.id);
          const [a, ab, x] = await Promise.all([take(its.a, 10), take(its.ab, 20), take(its.x, 15)]);
          expect(a.map((e) => e.id)).toEqual(want((w) => w.type === A));
          expect(ab.map((e) => e.id)).toEqual(want((w) => w.type !== C));
          expect(x.map((e) => e.id)).toEqual(want((w) => w.stream === ns.stream('x')));
          expect(a[0].data).toEqual({ i: 0 });
          for (const it of Object.values(its)) expect(await nextWithin(it, QUIET_MS)).toBeUndefined();
        } finally {
          await Promise.all(Object.values(subs).map((s) => s.close()));
        }
      }));

    it('close() ends a for-await loop, both while events flow and while idle', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const head = await store.headPosition();
        await store.append(ns.stream('a'), events(5, ns.type('E')), 'no_stream');
        const busy = store.subscribeToAll({ from: head, filter: { streamPrefixes: [ns.prefix] } });
        let seen = 0;
        const loop = (async () => {
          for await (const _ of busy) {
            seen++;
            await busy.close();
          }
        })();
        await expect(withTimeout(loop, 2000, 'loop did not end after close()')).resolves.toBeUndefined();
        expect(seen).toBe(1);

        const idle = store.subscribeToAll({
          from: await store.headPosition(),
          filter: { streamPrefixes: [ns.prefix] },
        });
        const idleLoop = (async () => {
          for await (const _ of idle) throw new Error('no event was expected');
        })();
        await new Promise((r) => setTimeout(r, 50));
        await idle.close();
        await expect(
          withTimeout(idleLoop, 2000, 'idle loop did not end after close()'),
        ).resolves.toBeUndefined();
      }));

    it('resumes from the last seen position with exactly the rest', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const head = await store.headPosition();
        const batch = events(10, ns.type('E'));
        for (let i = 0; i < 10; i += 2)
          await store.append(ns.stream(`s${i}`), batch.slice(i, i + 2), 'no_stream');
        const filter = { streamPrefixes: [ns.prefix] };
        const first = store.subscribeToAll({ from: head, filter });
        let seen;
        try {
          seen = await take(iteratorOf(first), 4);
        } finally {
          await first.close();
        }
        const second = store.subscribeToAll({ from: seen[3].position, filter });
        try {
          const it = iteratorOf(second);
          const rest = await take(it, 6);
          expect([...seen, ...rest].map((e) => e.id)).toEqual(batch.map((e) => e.id));
          expect(await nextWithin(it, QUIET_MS)).toBeUndefined();
        } finally {
          await second.close();
        }
      }));
  });
}

const withTimeout = async <T>(p: Promise<T>, ms: number, message: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
};
