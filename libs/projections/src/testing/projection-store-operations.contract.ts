import { isDate } from 'node:util/types';
import { StaleTargetError, type ProjectionStore } from '../core';
import { ck, key, liveTarget, parked, rejection, using, write, type CounterDoc } from './contract-fixtures';

/** Parked events, leases and blue/green targets: what the engine's rebuild and the CLI use. */
export function operationCases(make: () => Promise<ProjectionStore>): void {
  describe('parked events', () => {
    it('parks events with a batch, atomically with its checkpoint', () =>
      using(make, async (store) => {
        const t = await liveTarget(store);
        await store.commitBatch(t, [write('a', 2, { tenantId: 't', n: 1 })], ck(3), [
          parked('counters', 'e3', 3),
        ]);
        const got = await store.getParked('counters:e3');
        expect(got).toMatchObject({
          id: 'counters:e3',
          projection: 'counters',
          eventId: 'e3',
          position: '3',
          streamName: 'task-e3',
          eventType: 'TaskStarted',
          error: 'boom',
          attempts: 1,
        });
        expect(isDate(got?.parkedAt)).toBe(true);
      }));

    it('counts attempts when the same event is parked again, keeping the latest error', () =>
      using(make, async (store) => {
        await store.addParked([parked('counters', 'e1', 1, 'first')]);
        await store.addParked([parked('counters', 'e1', 1, 'second')]);
        expect(await store.getParked('counters:e1')).toMatchObject({ attempts: 2, error: 'second' });
        expect(await store.countParked()).toBe(1);
      }));

    it('lists in position order, per projection, in pages; counts; removes', () =>
      using(make, async (store) => {
        await store.addParked([
          parked('a', 'e9', 9),
          parked('a', 'e2', 2),
          parked('b', 'e5', 5),
          parked('a', 'e10', 10),
        ]);
        expect((await store.listParked()).map((p) => p.id)).toEqual(['a:e2', 'b:e5', 'a:e9', 'a:e10']);
        const page1 = await store.listParked({ projection: 'a', limit: 2 });
        const page2 = await store.listParked({ projection: 'a', limit: 2, after: page1[1].id });
        expect([...page1, ...page2].map((p) => p.id)).toEqual(['a:e2', 'a:e9', 'a:e10']);
        expect(await store.countParked('a')).toBe(3);
        expect(await store.countParked('b')).toBe(1);
        expect(await store.removeParked('a:e9')).toBe(true);
        expect(await store.removeParked('a:e9')).toBe(false);
        expect(await store.getParked('a:e9')).toBeUndefined();
        expect(await store.countParked()).toBe(3);
      }));
  });

  describe('leases', () => {
    const t0 = new Date('2030-01-01T00:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);

    it('lets one owner hold a lease until it expires', () =>
      using(make, async (store) => {
        expect(await store.acquireLease('rebuild:tasks', 'one', 1000, t0)).toBe(true);
        expect(await store.acquireLease('rebuild:tasks', 'two', 1000, at(999))).toBe(false);
        expect(await store.acquireLease('rebuild:stats', 'two', 1000, at(10))).toBe(true);
        expect(await store.acquireLease('rebuild:tasks', 'two', 1000, at(1001))).toBe(true);
        expect(await store.renewLease('rebuild:tasks', 'one', 1000, at(1002))).toBe(false);
      }));

    it('is re-entrant for its owner and extended by renewals', () =>
      using(make, async (store) => {
        expect(await store.acquireLease('l', 'one', 1000, t0)).toBe(true);
        expect(await store.acquireLease('l', 'one', 1000, at(500))).toBe(true);
        expect(await store.renewLease('l', 'one', 1000, at(1400))).toBe(true);
        expect(await store.acquireLease('l', 'two', 1000, at(2300))).toBe(false);
        expect(await store.acquireLease('l', 'two', 1000, at(2401))).toBe(true);
      }));

    it('is released only by its owner; renewing a released lease fails', () =>
      using(make, async (store) => {
        await store.acquireLease('l', 'one', 60_000, t0);
        await store.releaseLease('l', 'two');
        expect(await store.acquireLease('l', 'two', 1000, at(1))).toBe(false);
        await store.releaseLease('l', 'one');
        expect(await store.renewLease('l', 'one', 1000, at(2))).toBe(false);
        expect(await store.acquireLease('l', 'two', 1000, at(3))).toBe(true);
      }));
  });

  describe('blue/green targets', () => {
    it('fills a shadow target apart from the live one', () =>
      using(make, async (store) => {
        const live = await liveTarget(store, 'counters', 1);
        await store.commitBatch(live, [write('a', 5, { tenantId: 't', n: 1 })], ck(5));
        const shadow = await store.createShadowTarget('counters', 2);
        expect(shadow).toMatchObject({ projection: 'counters', version: 2 });
        expect(shadow.checkpoint).toBeUndefined();
        expect(shadow.target).not.toEqual(live);
        await store.commitBatch(shadow.target, [write('a', 3, { tenantId: 't', n: 42 })], ck(3));
        const state = await store.getState('counters');
        expect(state).toMatchObject({ liveTarget: live, version: 1, checkpoint: ck(5) });
        expect(state?.shadow).toMatchObject({ target: shadow.target, version: 2, checkpoint: ck(3) });
        expect((await store.loadDocuments<CounterDoc>(live, ['a'])).get('a')?.doc.n).toBe(1);
      }));

    it('switches the live pointer to the shadow and drops the old target', () =>
      using(make, async (store) => {
        const live = await liveTarget(store, 'counters', 1);
        await store.commitBatch(live, [write('a', 5, { tenantId: 't', n: 1 })], ck(5));
        const shadow = await store.createShadowTarget('counters', 2);
        await store.commitBatch(shadow.target, [write('a', 6, { tenantId: 't', n: 2 })], ck(6));
        await store.switchLive('counters', shadow.target);
        const state = await store.getState('counters');
        expect(state).toMatchObject({ liveTarget: shadow.target, version: 2, checkpoint: ck(6) });
        expect(state?.shadow).toBeUndefined();
        expect((await store.loadDocuments<CounterDoc>(shadow.target, ['a'])).get('a')?.doc.n).toBe(2);
        expect(await store.getTarget(live)).toBeUndefined();
        expect(await rejection(store.commitBatch(live, [], ck(7)))).toBeInstanceOf(StaleTargetError);
        expect(await store.dropOrphanTargets()).toEqual([]);
      }));

    it('refuses to switch to a target that is not the current shadow', () =>
      using(make, async (store) => {
        const live = await liveTarget(store, 'counters', 1);
        expect(await rejection(store.switchLive('counters', live))).toBeInstanceOf(StaleTargetError);
        const first = await store.createShadowTarget('counters', 2);
        const second = await store.createShadowTarget('counters', 2);
        expect(await store.getTarget(first.target)).toBeUndefined();
        expect(await rejection(store.switchLive('counters', first.target))).toBeInstanceOf(StaleTargetError);
        await store.switchLive('counters', second.target);
        expect((await store.getState('counters'))?.liveTarget).toBe(second.target);
      }));

    it('drops an abandoned shadow, but never the live target', () =>
      using(make, async (store) => {
        const live = await liveTarget(store, 'counters', 1);
        const shadow = await store.createShadowTarget('counters', 2);
        await store.dropTarget(shadow.target);
        expect((await store.getState('counters'))?.shadow).toBeUndefined();
        expect(await store.getTarget(shadow.target)).toBeUndefined();
        expect(await rejection(store.dropTarget(live))).toBeInstanceOf(Error);
        expect(await store.getTarget(live)).toBeDefined();
      }));

    it('fills a shadow with deferred indexes under the same guards, and builds them on prepareSwitch', () =>
      using(make, async (store) => {
        const live = await liveTarget(store, 'counters', 1);
        const shadow = await store.createShadowTarget('counters', 2, { deferIndexes: true });
        expect(shadow.indexesDeferred).toBe(true);
        expect((await store.getState('counters'))?.shadow?.indexesDeferred).toBe(true);
        expect((await store.getTarget(live))?.indexesDeferred).toBeUndefined();
        const first = await store.commitBatch(
          shadow.target,
          [write('a', 4, { tenantId: 't', n: 1, labels: ['x'] }), write('b', 4, { tenantId: 't', n: 1 })],
          ck(4),
        );
        const second = await store.commitBatch(
          shadow.target,
          [
            write('a', 3, { tenantId: 't', n: 99 }), // older: refused
            write('b', 6, { tenantId: 't', n: 2, labels: ['y'] }),
            write('c', 6, null), // deleting what does not exist changes nothing
          ],
          ck(6),
        );
        expect([first, second]).toEqual([
          { applied: 2, skipped: 0 },
          { applied: 1, skipped: 2 },
        ]);
        const docs = await store.loadDocuments<CounterDoc>(shadow.target, ['a', 'b', 'c']);
        expect([...docs.values()].map((d) => [d.id, d.doc.n, d.positionKey])).toEqual([
          ['a', 1, key(4)],
          ['b', 2, key(6)],
        ]);

        await store.prepareSwitch(shadow.target);
        await store.prepareSwitch(shadow.target); // idempotent
        expect((await store.getTarget(shadow.target))?.indexesDeferred).toBeUndefined();
        expect(await store.getTarget(shadow.target)).toMatchObject({ version: 2, checkpoint: ck(6) });
        await store.commitBatch(shadow.target, [write('a', 7, { tenantId: 't', n: 3 })], ck(7));
        await store.switchLive('counters', shadow.target);
        const state = await store.getState('counters');
        expect(state).toMatchObject({ liveTarget: shadow.target, version: 2, checkpoint: ck(7) });
        const page = await store.scanDocuments<CounterDoc>(shadow.target, { limit: 10 });
        expect(page.map((d) => [d.id, d.doc])).toEqual([
          ['a', { id: 'a', tenantId: 't', n: 3 }],
          ['b', { id: 'b', tenantId: 't', n: 2, labels: ['y'] }],
        ]);
      }));

    it('builds deferred indexes in switchLive when prepareSwitch was not called', () =>
      using(make, async (store) => {
        await liveTarget(store, 'counters', 1);
        const shadow = await store.createShadowTarget('counters', 2, { deferIndexes: true });
        await store.commitBatch(shadow.target, [write('a', 2, { tenantId: 't', n: 5 })], ck(2));
        await store.switchLive('counters', shadow.target);
        const state = await store.getState('counters');
        expect(state?.liveTarget).toBe(shadow.target);
        expect((await store.getTarget(shadow.target))?.indexesDeferred).toBeUndefined();
        expect((await store.loadDocuments<CounterDoc>(shadow.target, ['a'])).get('a')?.doc.n).toBe(5);
        expect(await rejection(store.prepareSwitch('counters_g999999'))).toBeInstanceOf(StaleTargetError);
      }));

    it('never reuses a target name, so a stale worker cannot write into a new copy', () =>
      using(make, async (store) => {
        const names = new Set([await liveTarget(store, 'counters', 1)]);
        for (let i = 0; i < 3; i++) {
          const s = await store.createShadowTarget('counters', 1);
          names.add(s.target);
          await store.switchLive('counters', s.target);
        }
        expect(names.size).toBe(4);
      }));
  });
}
