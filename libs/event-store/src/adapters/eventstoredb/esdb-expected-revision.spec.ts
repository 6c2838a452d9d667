import { ANY, NO_STREAM } from '@eventstore/db-client';
import {
  describeExpected,
  firstRevisionOf,
  fromEsdbCurrentRevision,
  toEsdbExpectedRevision,
} from './esdb-expected-revision';

describe('EventStoreDB expected-revision mapping', () => {
  it('maps our expectations onto the client constants and bigints', () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision(0n)).toBe(0n);
    expect(toEsdbExpectedRevision(41n)).toBe(41n);
  });

  it('refuses a negative revision instead of sending it to the server', () => {
    expect(() => toEsdbExpectedRevision(-1n)).toThrow(RangeError);
  });

  it("turns the client's 'no_stream' current revision into -1", () => {
    expect(fromEsdbCurrentRevision(NO_STREAM)).toBe(-1n);
    expect(fromEsdbCurrentRevision(7n)).toBe(7n);
  });

  it('describes the expectation for the conflict message', () => {
    expect(describeExpected('no_stream')).toBe('no_stream');
    expect(describeExpected('any')).toBe('any');
    expect(describeExpected(12n)).toBe('12');
  });

  it('names the revision an append would start at', () => {
    expect(firstRevisionOf('no_stream')).toBe(0n);
    expect(firstRevisionOf(4n)).toBe(5n);
    expect(firstRevisionOf('any')).toBeUndefined();
  });
});
