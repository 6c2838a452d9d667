import { isWrongExpectedVersion, WrongExpectedVersion } from '@ledger/platform/errors';
import type { EventStore } from '../core';
import { caught, events, namespace, newEvent, readNamespace, usingStore } from './contract-helpers';

type Make = () => Promise<EventStore>;

const expectWrongVersion = (e: unknown, stream: string, currentRevision: bigint): void => {
  expect(e).toBeInstanceOf(WrongExpectedVersion);
  const wev = e as WrongExpectedVersion;
  expect(wev.stream).toBe(stream);
  expect(wev.currentRevision).toBe(currentRevision);
};

export function appendCases(make: Make): void {
  describe('append and expected revision', () => {
    it("'no_stream' creates a stream at revisions 0..n-1 and returns the last one", () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        const r = await store.append(s, events(3, ns.type('E')), 'no_stream');
        expect(r.nextRevision).toBe(2n);
        expect(r.deduplicated).toBeFalsy();
        expect(typeof r.position).toBe('string');
        const stored = await store.readStream(s);
        expect(stored.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
        expect(stored[2].position).toBe(r.position);
      }));

    it("'no_stream' on an existing stream throws WrongExpectedVersion with the current revision", () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        await store.append(s, events(3, ns.type('E')), 'no_stream');
        expectWrongVersion(await caught(store.append(s, events(1, ns.type('E')), 'no_stream')), s, 2n);
        expect(await store.readStream(s)).toHaveLength(3);
      }));

    it('a bigint expected revision that matches appends after it', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        await store.append(s, events(1, ns.type('E')), 'no_stream');
        const r = await store.append(s, events(2, ns.type('E')), 0n);
        expect(r.nextRevision).toBe(2n);
        expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      }));

    it('a bigint expected revision that is stale or ahead throws with the current revision', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        await store.append(s, events(2, ns.type('E')), 'no_stream');
        expectWrongVersion(await caught(store.append(s, events(1, ns.type('E')), 0n)), s, 1n);
        expectWrongVersion(await caught(store.append(s, events(1, ns.type('E')), 5n)), s, 1n);
        expect(await store.readStream(s)).toHaveLength(2);
      }));

    it('a bigint expected revision on a missing stream reports currentRevision -1', () =>
      usingStore(make, async (store) => {
        const s = namespace().stream('missing');
        const e = await caught(store.append(s, events(1, 'E'), 0n));
        expectWrongVersion(e, s, -1n);
        expect(isWrongExpectedVersion(e)).toBe(true);
        expect(await store.readStream(s)).toEqual([]);
      }));

    it("'any' appends to a missing and to an existing stream", () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        expect((await store.append(s, events(2, ns.type('E')), 'any')).nextRevision).toBe(1n);
        expect((await store.append(s, events(1, ns.type('E')), 'any')).nextRevision).toBe(2n);
      }));

    it('of 20 concurrent appends with the same expected revision exactly one succeeds', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        await store.append(s, events(1, ns.type('E')), 'no_stream');
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.append(s, events(2, ns.type('E')), 0n)),
        );
        const ok = results.filter((r) => r.status === 'fulfilled');
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(ok).toHaveLength(1);
        for (const f of failed) expect(f.reason).toBeInstanceOf(WrongExpectedVersion);
        expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      }));

    it("of 20 concurrent 'no_stream' appends to a new stream exactly one succeeds", () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.append(s, events(1, ns.type('E')), 'no_stream')),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(s)).toHaveLength(1);
      }));
  });

  describe('duplicate event ids (retried appends)', () => {
    it('re-appending the same batch with the same expected revision returns the original result and writes nothing', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        const batch = events(3, ns.type('E'));
        const first = await store.append(s, batch, 'no_stream');
        const before = await readNamespace(store, ns, undefined);
        const again = await store.append(s, batch, 'no_stream');
        expect(again).toEqual({
          nextRevision: first.nextRevision,
          position: first.position,
          deduplicated: true,
        });
        expect(await readNamespace(store, ns, undefined)).toHaveLength(before.length);
      }));

    it("re-appending the same batch with 'any' returns the original result and writes nothing", () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        await store.append(s, events(1, ns.type('E')), 'no_stream');
        const batch = events(2, ns.type('E'));
        const first = await store.append(s, batch, 'any');
        const again = await store.append(s, batch, 'any');
        expect(again).toEqual({
          nextRevision: first.nextRevision,
          position: first.position,
          deduplicated: true,
        });
        expect(await store.readStream(s)).toHaveLength(3);
      }));

    it('a retried batch is still deduplicated after the stream moved on', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        await store.append(s, events(1, ns.type('E')), 'no_stream');
        const batch = events(2, ns.type('E'));
        const first = await store.append(s, batch, 0n);
        await store.append(s, events(1, ns.type('E')), first.nextRevision);
        const again = await store.append(s, batch, 0n);
        expect(again).toEqual({
          nextRevision: first.nextRevision,
          position: first.position,
          deduplicated: true,
        });
        expect(await store.readStream(s)).toHaveLength(4);
      }));

    // Decision shared by every adapter: a batch that is only partly stored is not a retry but a
    // different write, so it is refused with WrongExpectedVersion (carrying the stream's current
    // revision) and nothing of it is written. EventStoreDB answers "corrupted idempotency" so.
    it('a batch whose ids are only partly stored throws WrongExpectedVersion and writes nothing', () =>
      usingStore(make, async (store) => {
        const ns = namespace();
        const s = ns.stream('a');
        const batch = events(2, ns.type('E'));
        await store.append(s, batch, 'no_stream');
        const extended = [...batch, newEvent(ns.type('E'))];
        expectWrongVersion(await caught(store.append(s, extended, 'no_stream')), s, 1n);
        const mixed = [batch[0], newEvent(ns.type('E'))];
        expectWrongVersion(await caught(store.append(s, mixed, 'no_stream')), s, 1n);
        expect((await store.readStream(s)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
      }));
  });
}
