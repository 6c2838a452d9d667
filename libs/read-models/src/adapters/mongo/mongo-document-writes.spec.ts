import { TASKS_STORAGE } from '../../core/document-storage';
import { countApplied, guardFilter, refusalsOnly, toBulkOperations } from './mongo-document-writes';
import { bulkFailure } from './mongo-bulk-failure.fixture';

const doc = { id: 'a', tenantId: 't', dueAt: null };

describe('guardFilter', () => {
  it("'newer' matches only a stored position strictly lower, or none at all", () => {
    expect(guardFilter('a', 'k5')).toEqual({
      _id: 'a',
      $or: [{ _position: { $lt: 'k5' } }, { _position: { $exists: false } }],
    });
  });

  it("'not-older' also matches the same position", () => {
    expect(guardFilter('a', 'k5', 'not-older')).toEqual({
      _id: 'a',
      $or: [{ _position: { $lte: 'k5' } }, { _position: { $exists: false } }],
    });
  });
});

describe('toBulkOperations', () => {
  it('replaces a whole document with upsert under its guard', () => {
    const [op] = toBulkOperations(TASKS_STORAGE, [{ id: 'a', doc, position: '5', positionKey: 'k5' }]);
    expect(op).toEqual({
      replaceOne: {
        filter: guardFilter('a', 'k5'),
        replacement: { tenantId: 't', _position: 'k5', _eventPosition: '5', doc, k: { dueAt: '~' } },
        upsert: true,
      },
    });
  });

  it('deletes under the same guard, never upserting', () => {
    const ops = toBulkOperations(TASKS_STORAGE, [
      { id: 'a', doc: null, position: '6', positionKey: 'k6', guard: 'not-older' },
    ]);
    expect(ops).toEqual([{ deleteOne: { filter: guardFilter('a', 'k6', 'not-older') } }]);
  });

  it('keeps the order and count of the writes', () => {
    const ops = toBulkOperations(TASKS_STORAGE, [
      { id: 'a', doc, position: '1', positionKey: 'k1' },
      { id: 'b', doc: null, position: '2', positionKey: 'k2' },
    ]);
    expect(ops.map((o) => Object.keys(o)[0])).toEqual(['replaceOne', 'deleteOne']);
  });
});

describe('counting a commit', () => {
  it('counts replaced (even unchanged), inserted and deleted documents as applied, the rest as skipped', () => {
    expect(countApplied({ matchedCount: 2, upsertedCount: 1, deletedCount: 1 }, 6)).toEqual({
      applied: 4,
      skipped: 2,
    });
  });

  it('reads a bulk failure made only of duplicate keys as guard refusals, with the counts of what applied', () => {
    const result = refusalsOnly(bulkFailure({ writeErrorCodes: [11000, 11000], matched: 1, upserted: 2 }));
    expect(result).toBeDefined();
    expect(countApplied(result!, 5)).toEqual({ applied: 3, skipped: 2 });
  });

  it('does not swallow any other failure', () => {
    expect(refusalsOnly(bulkFailure({ writeErrorCodes: [11000, 121] }))).toBeUndefined(); // 121: document validation
    expect(refusalsOnly(bulkFailure({ writeErrorCodes: [11000], writeConcernCode: 64 }))).toBeUndefined();
    expect(refusalsOnly(bulkFailure({ wrapped: new Error('socket closed') }))).toBeUndefined();
    expect(refusalsOnly(new Error('E11000 but not a bulk error'))).toBeUndefined();
  });
});
