import { isTransient } from '@ledger/projections/engine/retry-policy';
import { StaleTargetError } from '@ledger/projections/core';
import { UnavailableError } from '@ledger/platform/errors';
import { decodeError, decodeWrites, encodeError, encodeWrites } from './sqlite-store-thread-protocol';

// Through structured clone, as postMessage carries it.
const across = (e: unknown) => decodeError(structuredClone(encodeError(e)));

describe('errors across the store thread', () => {
  it('keeps StaleTargetError and its target', () => {
    const e = across(new StaleTargetError('tasks_g7'));
    expect(e).toBeInstanceOf(StaleTargetError);
    expect((e as StaleTargetError).target).toBe('tasks_g7');
  });

  it('keeps UnavailableError (retried) and its Retry-After', () => {
    const e = across(new UnavailableError('read-model database is busy', 3));
    expect(e).toBeInstanceOf(UnavailableError);
    expect((e as UnavailableError).retryAfterSeconds).toBe(3);
    expect(isTransient(e)).toBe(true);
  });

  it("keeps a driver error's code, so SQLITE_BUSY stays transient and SQLITE_CORRUPT does not", () => {
    const busy = across(
      Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' }),
    );
    expect(busy.name).toBe('SqliteError');
    expect(isTransient(busy)).toBe(true);
    const corrupt = across(Object.assign(new Error('malformed'), { code: 'SQLITE_CORRUPT' }));
    expect(isTransient(corrupt)).toBe(false);
    expect(corrupt.message).toBe('malformed');
    expect(corrupt.stack).toContain('(projection store thread)');
  });

  it('turns a thrown non-error into an error with its text', () => {
    expect(across('boom').message).toBe('boom');
  });
});

describe('writes across the store thread', () => {
  it('carries each write as its id, tenant, JSON text, position and guard, deletes included', () => {
    const doc = { tenantId: 'acme', title: 'a', labels: ['x'], nested: { n: 1 }, gone: undefined };
    const writes = [
      { id: 'a', doc, position: '7', positionKey: 'k7' },
      { id: 'b', doc: null, position: '8', positionKey: 'k8', guard: 'not-older' as const },
    ];
    const decoded = decodeWrites(structuredClone(encodeWrites(writes)));
    expect(decoded).toEqual([
      { id: 'a', doc: { tenantId: 'acme' }, body: JSON.stringify(doc), position: '7', positionKey: 'k7' },
      { id: 'b', doc: null, position: '8', positionKey: 'k8', guard: 'not-older' },
    ]);
    expect(JSON.parse(decoded[0].body!)).toEqual({
      tenantId: 'acme',
      title: 'a',
      labels: ['x'],
      nested: { n: 1 },
    });
  });

  it('sends no guard column when no write has a guard', () => {
    expect(
      encodeWrites([{ id: 'a', doc: { tenantId: 't' }, position: '1', positionKey: 'k1' }]).guards,
    ).toBeUndefined();
  });
});
