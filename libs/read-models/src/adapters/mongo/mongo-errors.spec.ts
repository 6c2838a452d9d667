import {
  MongoBulkWriteError,
  MongoError,
  MongoErrorLabel,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type BulkWriteResult,
} from 'mongodb';
import { UnavailableError } from '@ledger/platform/errors';
import {
  isCollectionGone,
  isDuplicateKeyError,
  isMissingHintedIndex,
  isTransientMongoError,
  mongoCall,
  toLedgerError,
} from './mongo-errors';
import { bulkFailure } from './mongo-bulk-failure.fixture';

// Driver errors are built with the driver's own classes, as the driver builds them.
const serverError = (code: number, extra: Record<string, unknown> = {}) =>
  new MongoServerError({ message: `code ${code}`, code, ...extra });
const selectionTimeout = () =>
  new MongoServerSelectionError('Server selection timed out after 5000 ms', {
    error: undefined,
  } as unknown as ConstructorParameters<typeof MongoServerSelectionError>[1]);

describe('isTransientMongoError', () => {
  it.each([
    ['a network error', new MongoNetworkError('connection 1 to 127.0.0.1:27017 closed')],
    ['a network timeout', new MongoNetworkTimeoutError('connection timed out')],
    ['no server to select (MongoDB down)', selectionTimeout()],
    ['NotWritablePrimary (failover)', serverError(10107)],
    ['InterruptedDueToReplStateChange', serverError(11602)],
    ['PrimarySteppedDown', serverError(189)],
    ['ShutdownInProgress', serverError(91)],
    ['a majority write concern that timed out', serverError(64)],
    ['a legacy "not master" message', new MongoError('not master and slaveOk=false')],
    [
      'a socket refusal from below the driver',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
  ])('treats %s as transient', (_what, e) => {
    expect(isTransientMongoError(e)).toBe(true);
  });

  it('treats any error labelled RetryableWriteError as transient', () => {
    const e = serverError(12345);
    e.addErrorLabel(MongoErrorLabel.RetryableWriteError);
    expect(isTransientMongoError(e)).toBe(true);
  });

  it.each([
    ['a duplicate key', serverError(11000)],
    ['a bad argument', new MongoInvalidArgumentError('Invalid BulkOperation, Batch cannot be empty')],
    ['a client closed by us', new MongoTopologyClosedError()],
    ['an unsatisfiable write concern (a configuration error)', serverError(100)],
    ['a plain bug', new TypeError('x is undefined')],
    ['a string', 'boom'],
  ])('does not treat %s as transient', (_what, e) => {
    expect(isTransientMongoError(e)).toBe(false);
  });

  it('looks inside a bulk write failure: a wrapped network error is transient', () => {
    expect(isTransientMongoError(bulkFailure({ wrapped: new MongoNetworkError('socket closed') }))).toBe(
      true,
    );
  });

  it('treats a bulk write whose only server problem is a timed-out write concern as transient, even with refusals', () => {
    expect(isTransientMongoError(bulkFailure({ writeErrorCodes: [11000], writeConcernCode: 64 }))).toBe(true);
  });

  it('does not treat a bulk write with a real per-document error as transient', () => {
    expect(isTransientMongoError(bulkFailure({ writeErrorCodes: [11000, 2] }))).toBe(false);
    expect(isTransientMongoError(bulkFailure({ writeErrorCodes: [11000] }))).toBe(false);
  });
});

describe('toLedgerError and mongoCall', () => {
  it('turns an outage into UnavailableError (503, retried by the engine) and keeps the cause', () => {
    const cause = selectionTimeout();
    const mapped = toLedgerError(cause);
    expect(mapped).toBeInstanceOf(UnavailableError);
    expect((mapped as UnavailableError).message).toMatch(
      /^MongoDB is unavailable: Server selection timed out/,
    );
    expect((mapped as UnavailableError).cause).toBe(cause);
  });

  it('returns anything else unchanged', () => {
    const bug = new TypeError('nope');
    expect(toLedgerError(bug)).toBe(bug);
  });

  it('rethrows a failed call in the ledger vocabulary', async () => {
    await expect(mongoCall(() => Promise.reject(serverError(10107)))).rejects.toBeInstanceOf(
      UnavailableError,
    );
    await expect(mongoCall(() => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe('error codes the adapter reads', () => {
  it('recognises a duplicate key and a dropped collection', () => {
    expect(isDuplicateKeyError(serverError(11000))).toBe(true);
    expect(isDuplicateKeyError(serverError(11001))).toBe(false);
    expect(isCollectionGone(serverError(175))).toBe(true);
    expect(isCollectionGone(serverError(26))).toBe(true);
    expect(isCollectionGone(serverError(11000))).toBe(false);
    const missingIndex = new MongoServerError({
      message: 'hint provided does not correspond to an existing index',
      code: 2,
    });
    expect(isMissingHintedIndex(missingIndex)).toBe(true);
    expect(isMissingHintedIndex(serverError(2))).toBe(false);
  });

  it('keeps the counts of a bulk failure readable', () => {
    const e = bulkFailure({ writeErrorCodes: [11000], matched: 2, upserted: 1 });
    expect(e).toBeInstanceOf(MongoBulkWriteError);
    expect((e.result as BulkWriteResult).matchedCount).toBe(2);
  });
});
