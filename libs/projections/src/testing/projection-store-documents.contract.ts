import { isDate } from 'node:util/types';
import { StaleTargetError, type ProjectionStore } from '../core';
import { ck, key, liveTarget, rejection, using, write, type CounterDoc } from './contract-fixtures';

/**
 * Registration, documents, guards and checkpoints. Dates are checked with `isDate`, not
 * `instanceof`: a store on a worker thread answers with Dates of the process's realm, and jest runs
 * these tests in a realm of its own.
 */
export function documentCases(make: () => Promise<ProjectionStore>): void {
  describe('registration and state', () => {
    it('registers a projection with an empty, stopped live target', () =>
      using(make, async (store) => {
        const state = await store.registerProjection('counters', 3);
        expect(state).toMatchObject({ name: 'counters', version: 3, status: 'stopped' });
        expect(state.checkpoint).toBeUndefined();
        expect(state.shadow).toBeUndefined();
        expect(isDate(state.updatedAt)).toBe(true);
        expect(await store.getTarget(state.liveTarget)).toMatchObject({ projection: 'counters', version: 3 });
        expect(await store.getState('counters')).toEqual(state);
      }));

    it('returns an existing projection unchanged, even for another version', () =>
      using(make, async (store) => {
        const first = await store.registerProjection('counters', 1);
        await store.commitBatch(first.liveTarget, [], ck(7));
        const again = await store.registerProjection('counters', 2);
        expect(again).toMatchObject({ version: 1, liveTarget: first.liveTarget, checkpoint: ck(7) });
      }));

    it('lists every projection and answers undefined for an unknown one', () =>
      using(make, async (store) => {
        await store.registerProjection('b', 1);
        await store.registerProjection('a', 1);
        expect((await store.listStates()).map((s) => s.name).sort()).toEqual(['a', 'b']);
        expect(await store.getState('nope')).toBeUndefined();
        expect(await store.getTarget('nope')).toBeUndefined();
      }));

    it('sets the status and sets, keeps or clears the last error', () =>
      using(make, async (store) => {
        await store.registerProjection('counters', 1);
        await store.setStatus('counters', 'live', 'store unavailable');
        expect(await store.getState('counters')).toMatchObject({
          status: 'live',
          lastError: 'store unavailable',
        });
        await store.setStatus('counters', 'rebuilding');
        expect(await store.getState('counters')).toMatchObject({
          status: 'rebuilding',
          lastError: 'store unavailable',
        });
        await store.setStatus('counters', 'live', null);
        expect((await store.getState('counters'))?.lastError).toBeUndefined();
      }));

    it('keeps projections apart: the same document id in two projections', () =>
      using(make, async (store) => {
        const a = await liveTarget(store, 'a');
        const b = await liveTarget(store, 'b');
        expect(a).not.toEqual(b);
        await store.commitBatch(a, [write('x', 1, { tenantId: 't', n: 1 })], ck(1));
        await store.commitBatch(b, [write('x', 2, { tenantId: 't', n: 2 })], ck(2));
        expect((await store.loadDocuments<CounterDoc>(a, ['x'])).get('x')?.doc.n).toBe(1);
        expect((await store.loadDocuments<CounterDoc>(b, ['x'])).get('x')?.doc.n).toBe(2);
      }));
  });

  describe('documents', () => {
    it('writes documents with the checkpoint and loads them with their position', () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        const r = await store.commitBatch(
          t,
          [write('a', 3, { tenantId: 't1', n: 1, labels: ['x'] }), write('b', 4, { tenantId: 't2', n: 2 })],
          ck(4),
        );
        expect(r).toEqual({ applied: 2, skipped: 0 });
        const docs = await store.loadDocuments<CounterDoc>(t, ['a', 'b', 'missing']);
        expect([...docs.keys()].sort()).toEqual(['a', 'b']);
        expect(docs.get('a')).toEqual({
          id: 'a',
          doc: { id: 'a', tenantId: 't1', n: 1, labels: ['x'] },
          position: '3',
          positionKey: key(3),
        });
        expect((await store.getState('counters'))?.checkpoint).toEqual(ck(4));
        expect((await store.getTarget(t))?.checkpoint).toEqual(ck(4));
      }));

    it('loads nothing for no ids and copes with many ids at once', () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        const writes = Array.from({ length: 1200 }, (_, i) => write(`d${i}`, i + 1, { tenantId: 't', n: i }));
        await store.commitBatch(t, writes, ck(1200));
        expect((await store.loadDocuments(t, [])).size).toBe(0);
        expect(
          (
            await store.loadDocuments(
              t,
              writes.map((w) => w.id),
            )
          ).size,
        ).toBe(1200);
      }));

    it('updates a document only with a newer position', () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        await store.commitBatch(t, [write('a', 10, { tenantId: 't', n: 1 })], ck(10));
        const older = await store.commitBatch(t, [write('a', 9, { tenantId: 't', n: 99 })]);
        const same = await store.commitBatch(t, [write('a', 10, { tenantId: 't', n: 98 })]);
        expect(older).toEqual({ applied: 0, skipped: 1 });
        expect(same).toEqual({ applied: 0, skipped: 1 });
        expect((await store.loadDocuments<CounterDoc>(t, ['a'])).get('a')?.doc.n).toBe(1);
        const newer = await store.commitBatch(t, [write('a', 11, { tenantId: 't', n: 2 })]);
        expect(newer).toEqual({ applied: 1, skipped: 0 });
        expect((await store.loadDocuments<CounterDoc>(t, ['a'])).get('a')).toMatchObject({
          doc: { n: 2 },
          position: '11',
        });
      }));

    it("compares position keys lexically, not numerically by length ('9' < '10')", () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        await store.commitBatch(t, [write('a', 9, { tenantId: 't', n: 9 })]);
        await store.commitBatch(t, [write('a', 10, { tenantId: 't', n: 10 })]);
        expect((await store.loadDocuments<CounterDoc>(t, ['a'])).get('a')?.doc.n).toBe(10);
      }));

    it("'not-older' also rewrites a document at the same position, never an older one", () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        await store.commitBatch(t, [write('a', 10, { tenantId: 't', n: 1 })]);
        expect(await store.commitBatch(t, [write('a', 10, { tenantId: 't', n: 5 }, 'not-older')])).toEqual({
          applied: 1,
          skipped: 0,
        });
        await store.commitBatch(t, [write('a', 9, { tenantId: 't', n: 7 }, 'not-older')]);
        expect((await store.loadDocuments<CounterDoc>(t, ['a'])).get('a')?.doc.n).toBe(5);
      }));

    it('deletes a document on null, under the same guard', () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        await store.commitBatch(t, [
          write('a', 5, { tenantId: 't', n: 1 }),
          write('b', 5, { tenantId: 't', n: 1 }),
        ]);
        expect(await store.commitBatch(t, [write('a', 4, null)])).toEqual({ applied: 0, skipped: 1 });
        expect(await store.commitBatch(t, [write('b', 6, null)])).toEqual({ applied: 1, skipped: 0 });
        expect([...(await store.loadDocuments(t, ['a', 'b'])).keys()]).toEqual(['a']);
      }));

    it('scans documents in id order, in pages', () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        const ids = ['c', 'a', 'e', 'b', 'd'];
        await store.commitBatch(
          t,
          ids.map((id, i) => write(id, i + 1, { tenantId: 't', n: i })),
        );
        const page1 = await store.scanDocuments<CounterDoc>(t, { limit: 2 });
        const page2 = await store.scanDocuments<CounterDoc>(t, { limit: 2, afterId: page1[1].id });
        const page3 = await store.scanDocuments<CounterDoc>(t, { limit: 2, afterId: page2[1].id });
        expect([...page1, ...page2, ...page3].map((d) => d.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
        expect(page1[0]).toMatchObject({ doc: { id: 'a', n: 1 }, position: '2', positionKey: key(2) });
      }));
  });

  describe('checkpoints', () => {
    it('only moves a checkpoint forward in commitBatch, and commits documents without one', () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        await store.commitBatch(t, [], ck(10));
        await store.commitBatch(t, [], ck(9));
        await store.commitBatch(t, [write('a', 11, { tenantId: 't', n: 1 })]);
        expect((await store.getTarget(t))?.checkpoint).toEqual(ck(10));
        expect((await store.loadDocuments(t, ['a'])).size).toBe(1);
      }));

    it('resets a checkpoint backwards or to the beginning', () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        await store.commitBatch(t, [], ck(10));
        await store.resetCheckpoint(t, ck(3));
        expect((await store.getState('counters'))?.checkpoint).toEqual(ck(3));
        await store.resetCheckpoint(t, undefined);
        expect((await store.getState('counters'))?.checkpoint).toBeUndefined();
      }));

    it('refuses to write to, load from or reset a target that does not exist', () =>
      using(make, async (store) => {
        await liveTarget(store);
        expect(await rejection(store.commitBatch('gone_g9', [], ck(1)))).toBeInstanceOf(StaleTargetError);
        expect(await rejection(store.loadDocuments('gone_g9', ['a']))).toBeInstanceOf(StaleTargetError);
        expect(await rejection(store.resetCheckpoint('gone_g9', ck(1)))).toBeInstanceOf(StaleTargetError);
      }));
  });
}
