import { randomUUID } from 'node:crypto';
import type { ContractTarget } from '@ledger/platform/testing/contract-target';
import { describeContract } from '@ledger/platform/testing/contract-target';
import type { IdempotencyStore } from '../core';
import { usingStore } from './contract-helpers';

const STALE_MS = 30_000;
const t0 = new Date('2030-01-01T00:00:00.000Z');
const after = (ms: number): Date => new Date(t0.getTime() + ms);

/** Unique tenant per test, so the suite can share a server with other runs. */
const tenant = (): string => `tenant-${randomUUID()}`;

/**
 * Every behaviour an `IdempotencyStore` adapter must have; an adapter spec calls this exactly once.
 * @example idempotencyStoreContract({ name: 'sqlite', make: async () => createSqliteIdempotencyStore({ file }) })
 */
/**
 * `purge`: the store deletes old records when asked (SQLite). `native`: the store expires them by
 * itself (EventStoreDB's `$maxAge`) and `purgeOlderThan` only has to be harmless.
 */
export interface IdempotencyExpiry {
  readonly expiry: 'purge' | 'native';
}

export function idempotencyStoreContract(
  target: ContractTarget<IdempotencyStore>,
  { expiry }: IdempotencyExpiry = { expiry: 'purge' },
): void {
  describeContract('IdempotencyStore', target, (make) => {
    it('claims a fresh key, then reports the pending record to the next claimant', () =>
      usingStore(make, async (store) => {
        const t = tenant();
        expect(await store.claim(t, 'k1', 'hash-a', t0, STALE_MS)).toEqual({ claimed: true });
        const again = await store.claim(t, 'k1', 'hash-b', after(1000), STALE_MS);
        expect(again.claimed).toBe(false);
        if (again.claimed) return;
        expect(again.record).toMatchObject({ tenantId: t, key: 'k1', requestHash: 'hash-a' });
        expect(again.record.response).toBeUndefined();
        expect(again.record.createdAt).toEqual(t0);
        expect(await store.get(t, 'k1')).toEqual(again.record);
      }));

    it('returns the completed response to get and to later claims', () =>
      usingStore(make, async (store) => {
        const t = tenant();
        await store.claim(t, 'k1', 'hash-a', t0, STALE_MS);
        const response = { status: 201, body: { id: 'task-1', revision: 0, position: '42', note: 'ünï 🚀' } };
        await store.complete(t, 'k1', response);
        expect(await store.get(t, 'k1')).toEqual({
          tenantId: t,
          key: 'k1',
          requestHash: 'hash-a',
          response,
          createdAt: t0,
        });
        const again = await store.claim(t, 'k1', 'hash-a', after(1000), STALE_MS);
        expect(again).toEqual({
          claimed: false,
          record: { tenantId: t, key: 'k1', requestHash: 'hash-a', response, createdAt: t0 },
        });
      }));

    it('returns undefined from get for an unknown key', () =>
      usingStore(make, async (store) => {
        expect(await store.get(tenant(), 'nope')).toBeUndefined();
      }));

    it('keeps keys per tenant', () =>
      usingStore(make, async (store) => {
        const [a, b] = [tenant(), tenant()];
        expect((await store.claim(a, 'k1', 'hash-a', t0, STALE_MS)).claimed).toBe(true);
        expect((await store.claim(b, 'k1', 'hash-b', t0, STALE_MS)).claimed).toBe(true);
        expect((await store.get(b, 'k1'))?.requestHash).toBe('hash-b');
        expect((await store.get(a, 'k1'))?.requestHash).toBe('hash-a');
      }));

    it('makes a released key claimable again', () =>
      usingStore(make, async (store) => {
        const t = tenant();
        await store.claim(t, 'k1', 'hash-a', t0, STALE_MS);
        await store.release(t, 'k1');
        expect(await store.get(t, 'k1')).toBeUndefined();
        expect(await store.claim(t, 'k1', 'hash-a', after(10), STALE_MS)).toEqual({ claimed: true });
      }));

    it('takes over a pending claim older than staleAfterMs, not a younger one', () =>
      usingStore(make, async (store) => {
        const t = tenant();
        await store.claim(t, 'k1', 'hash-a', t0, STALE_MS);
        expect((await store.claim(t, 'k1', 'hash-b', after(STALE_MS - 1), STALE_MS)).claimed).toBe(false);
        expect(await store.claim(t, 'k1', 'hash-b', after(STALE_MS + 1), STALE_MS)).toEqual({
          claimed: true,
        });
        const record = await store.get(t, 'k1');
        expect(record).toMatchObject({ requestHash: 'hash-b', createdAt: after(STALE_MS + 1) });
      }));

    it('never takes over a completed record, however old', () =>
      usingStore(make, async (store) => {
        const t = tenant();
        await store.claim(t, 'k1', 'hash-a', t0, STALE_MS);
        await store.complete(t, 'k1', { status: 200, body: null });
        await store.release(t, 'k1');
        const late = await store.claim(t, 'k1', 'hash-b', after(STALE_MS * 100), STALE_MS);
        expect(late).toEqual({
          claimed: false,
          record: {
            tenantId: t,
            key: 'k1',
            requestHash: 'hash-a',
            response: { status: 200, body: null },
            createdAt: t0,
          },
        });
      }));

    it('lets exactly one of 20 concurrent claims of one key win', () =>
      usingStore(make, async (store) => {
        const t = tenant();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.claim(t, 'k1', `hash-${i}`, t0, STALE_MS)),
        );
        expect(results.filter((r) => r.claimed)).toHaveLength(1);
      }));

    it('purges only records created before the cutoff and returns how many', () =>
      usingStore(make, async (store) => {
        const t = tenant();
        // Far in the past, so other tests' records (dated t0 and later) are never purged here.
        const old = new Date('2001-01-01T00:00:00.000Z');
        await store.claim(t, 'old-1', 'h', old, STALE_MS);
        await store.claim(t, 'old-2', 'h', new Date(old.getTime() + 1), STALE_MS);
        await store.complete(t, 'old-2', { status: 201, body: {} });
        await store.claim(t, 'cutoff', 'h', new Date(old.getTime() + 2), STALE_MS);
        const cutoff = new Date(old.getTime() + 2);
        if (expiry === 'native') {
          expect(await store.purgeOlderThan(cutoff)).toBeGreaterThanOrEqual(0);
          expect(await store.get(t, 'cutoff')).toBeDefined();
          return;
        }
        expect(await store.purgeOlderThan(cutoff)).toBe(2);
        expect(await store.get(t, 'old-1')).toBeUndefined();
        expect(await store.get(t, 'old-2')).toBeUndefined();
        expect(await store.get(t, 'cutoff')).toBeDefined();
        expect(await store.purgeOlderThan(cutoff)).toBe(0);
      }));
  });
}
