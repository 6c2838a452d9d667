import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  StreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError as EsdbUnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { UnavailableError, ValidationError, WrongExpectedVersion } from '@ledger/platform/errors';
import {
  esdbCall,
  isPermanentEsdbError,
  isStreamNotFound,
  isTransientEsdbError,
  toLedgerError,
} from './esdb-errors';

// The client's own error classes, built through their public constructors. NotLeaderError reads
// the leader endpoint from gRPC metadata, so it gets the smallest value of that shape.
const notLeader = (): NotLeaderError =>
  new NotLeaderError({
    code: 9,
    details: 'not leader',
    message: '9 FAILED_PRECONDITION: not leader',
    metadata: { getMap: () => ({ 'leader-endpoint-host': 'node2', 'leader-endpoint-port': '2113' }) },
  } as unknown as ConstructorParameters<typeof NotLeaderError>[0]);

const withCode = (code: number | string, message = 'boom'): Error =>
  Object.assign(new Error(message), { code });

describe('EventStoreDB error mapping', () => {
  it('maps a wrong expected version to ours with the actual revision', () => {
    const e = new WrongExpectedVersionError(undefined, { streamName: 'task-1', expected: 2n, current: 5n });
    const mapped = toLedgerError(e, { stream: 'task-1', expected: 2n });
    expect(mapped).toBeInstanceOf(WrongExpectedVersion);
    expect(mapped).toMatchObject({ stream: 'task-1', expected: '2', currentRevision: 5n });
  });

  it('maps a conflict on a missing stream to currentRevision -1', () => {
    const e = new WrongExpectedVersionError(undefined, {
      streamName: 'task-1',
      expected: 0n,
      current: 'no_stream',
    });
    expect(toLedgerError(e, { stream: 'task-1', expected: 0n })).toMatchObject({ currentRevision: -1n });
  });

  it('reports no_stream as the expectation when the stream already existed', () => {
    const e = new WrongExpectedVersionError(undefined, {
      streamName: 's',
      expected: 'no_stream',
      current: 0n,
    });
    expect(toLedgerError(e, { stream: 's', expected: 'no_stream' })).toMatchObject({
      expected: 'no_stream',
      currentRevision: 0n,
    });
  });

  it.each([
    ['UnavailableError', () => new EsdbUnavailableError()],
    ['DeadlineExceededError', () => new DeadlineExceededError()],
    ['TimeoutError', () => new TimeoutError()],
    ['CancelledError (server side)', () => new CancelledError()],
    ['NotLeaderError', notLeader],
    ['raw gRPC UNAVAILABLE', () => withCode(14, '14 UNAVAILABLE: No connection established')],
    ['raw gRPC DEADLINE_EXCEEDED', () => withCode(4)],
    ['socket ECONNREFUSED', () => withCode('ECONNREFUSED')],
    ['cluster discovery giving up', () => new Error('Failed to discover after 10 attempts.')],
  ])('maps %s to UnavailableError (503)', (_name, make) => {
    const original = make();
    const mapped = toLedgerError(original);
    expect(mapped).toBeInstanceOf(UnavailableError);
    expect((mapped as UnavailableError).cause).toBe(original);
    expect((mapped as UnavailableError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('leaves errors that are not outages untouched', () => {
    const denied = new AccessDeniedError();
    const unknown = new UnknownError();
    const bug = new TypeError('x is undefined');
    expect(toLedgerError(denied)).toBe(denied);
    expect(toLedgerError(unknown)).toBe(unknown);
    expect(toLedgerError(bug)).toBe(bug);
    expect(toLedgerError(withCode(3))).not.toBeInstanceOf(UnavailableError);
  });

  it('does not turn a conflict into ours without the append context', () => {
    const e = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 1n, current: 2n });
    expect(toLedgerError(e)).toBe(e);
  });

  it('recognises stream-not-found, transient and permanent failures', () => {
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 'task-1'))).toBe(true);
    expect(isStreamNotFound(StreamDeletedError.fromStreamName('task-1'))).toBe(true);
    expect(isStreamNotFound(new EsdbUnavailableError())).toBe(false);
    expect(isTransientEsdbError('not an error')).toBe(false);
    expect(isPermanentEsdbError(new AccessDeniedError())).toBe(true);
    expect(isPermanentEsdbError(new ValidationError('bad position'))).toBe(true);
    expect(isPermanentEsdbError(new EsdbUnavailableError())).toBe(false);
  });

  it('rethrows from a call in the ledger vocabulary', async () => {
    await expect(esdbCall(() => Promise.reject(new EsdbUnavailableError()))).rejects.toBeInstanceOf(
      UnavailableError,
    );
    await expect(esdbCall(() => Promise.resolve(3))).resolves.toBe(3);
  });
});
