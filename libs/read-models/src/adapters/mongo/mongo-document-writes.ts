import { MongoBulkWriteError, type AnyBulkWriteOperation, type BulkWriteResult, type Filter } from 'mongodb';
import type { CommitResult, DocumentWrite, WriteGuard } from '@ledger/projections/core';
import type { DocumentStorage } from '../../core/document-storage';
import { DUPLICATE_KEY } from './mongo-errors';
import { toRecord, type StoredDocumentRecord } from './mongo-document-layout';

type Record_ = StoredDocumentRecord<unknown>;

/**
 * The position guard as a filter: the write applies only where the stored `_position` is lower
 * (`newer`) or not higher (`not-older`). A document without `_position` (written by hand, say)
 * counts as older than anything. An absent document matches nothing, so an upsert inserts it,
 * and a present-but-newer one makes the upsert's insert collide on `_id` (E11000): that
 * collision IS the guard refusing the write.
 */
export function guardFilter(id: string, positionKey: string, guard: WriteGuard = 'newer'): Filter<Record_> {
  const op = guard === 'not-older' ? '$lte' : '$lt';
  return { _id: id, $or: [{ _position: { [op]: positionKey } }, { _position: { $exists: false } }] };
}

/**
 * One bulk operation per write: a whole-document replace (not `$set`, so fields the fold dropped
 * disappear) with upsert, or a guarded delete. Replace and single deletes are retryable writes,
 * so the driver itself retries them once across a primary change.
 */
export function toBulkOperations<Doc extends { readonly tenantId: string }>(
  storage: DocumentStorage,
  writes: readonly DocumentWrite<Doc>[],
): AnyBulkWriteOperation<Record_>[] {
  return writes.map((w) => {
    const filter = guardFilter(w.id, w.positionKey, w.guard);
    if (w.doc === null) return { deleteOne: { filter } };
    return {
      replaceOne: {
        filter,
        replacement: toRecord(storage, w.id, w.doc, w.position, w.positionKey),
        upsert: true,
      },
    };
  });
}

/**
 * Applied = matched (replaced, even with identical content) + upserted + deleted; everything
 * else was refused by its guard: a delete that matched nothing, an upsert that collided.
 */
export function countApplied(
  result: Pick<BulkWriteResult, 'matchedCount' | 'upsertedCount' | 'deletedCount'>,
  total: number,
): CommitResult {
  const applied = result.matchedCount + result.upsertedCount + result.deletedCount;
  return { applied, skipped: total - applied };
}

/**
 * Reads a failed unordered bulk write: when every write error is a duplicate key, the batch did
 * all it should (the collisions are guard refusals) and its result is returned; any other error
 * (another write error, a write concern failure, the network) is not ours to swallow.
 */
export function refusalsOnly(e: unknown): BulkWriteResult | undefined {
  if (!(e instanceof MongoBulkWriteError) || !e.result) return undefined;
  const errors = e.result.getWriteErrors();
  if (errors.length === 0 || errors.some((w) => w.code !== DUPLICATE_KEY)) return undefined;
  if (e.result.getWriteConcernError()) return undefined;
  return e.result;
}
