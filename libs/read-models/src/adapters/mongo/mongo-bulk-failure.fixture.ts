import type { MongoBulkWriteError as BulkErrorType } from 'mongodb';

/**
 * Builds a MongoBulkWriteError exactly as the driver's unordered bulk write does when the server
 * answers with write errors or a write concern error (bulk/common.js handleWriteError), or when a
 * driver error interrupts it. The result and write-error classes are the driver's own, reached
 * through its internal module because they are not exported at runtime. Test-only.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const common = require('mongodb/lib/bulk/common') as {
  BulkWriteResult: new (raw: object, ordered: boolean) => BulkErrorType['result'];
  WriteError: new (err: { index: number; code: number; errmsg: string }) => unknown;
  WriteConcernError: new (err: { code: number; errmsg: string }) => unknown;
  MongoBulkWriteError: new (error: unknown, result: BulkErrorType['result']) => BulkErrorType;
};

export interface BulkFailure {
  readonly writeErrorCodes?: readonly number[];
  readonly writeConcernCode?: number;
  readonly wrapped?: Error;
  readonly matched?: number;
  readonly upserted?: number;
  readonly deleted?: number;
}

export function bulkFailure(f: BulkFailure): BulkErrorType {
  const writeErrors = (f.writeErrorCodes ?? []).map(
    (code, index) => new common.WriteError({ index, code, errmsg: `E${code}` }),
  );
  const writeConcernErrors =
    f.writeConcernCode !== undefined
      ? [
          new common.WriteConcernError({
            code: f.writeConcernCode,
            errmsg: 'waiting for replication timed out',
          }),
        ]
      : [];
  const result = new common.BulkWriteResult(
    {
      ok: 1,
      writeErrors,
      writeConcernErrors,
      insertedIds: [],
      nInserted: 0,
      nUpserted: f.upserted ?? 0,
      nMatched: f.matched ?? 0,
      nModified: f.matched ?? 0,
      nRemoved: f.deleted ?? 0,
      upserted: Array.from({ length: f.upserted ?? 0 }, (_, i) => ({ index: i, _id: `u${i}` })),
    },
    false,
  );
  if (f.wrapped) return new common.MongoBulkWriteError(f.wrapped, result);
  if (writeErrors.length)
    return new common.MongoBulkWriteError(
      { message: 'write failed', code: f.writeErrorCodes![0], writeErrors },
      result,
    );
  return new common.MongoBulkWriteError(writeConcernErrors[0], result);
}
