import { ANY, NO_STREAM, type AppendExpectedRevision, type CurrentRevision } from '@eventstore/db-client';
import type { ExpectedRevision } from '../../core';

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  if (expected < 0n) throw new RangeError(`expected revision must be >= 0, got ${expected}`);
  return expected;
}

/** Our ports use -1 for "the stream does not exist"; the client says 'no_stream'. */
export const fromEsdbCurrentRevision = (current: CurrentRevision): bigint =>
  current === NO_STREAM ? -1n : current;

/** The `expected` text of our WrongExpectedVersion error. */
export const describeExpected = (expected: ExpectedRevision): string =>
  typeof expected === 'bigint' ? expected.toString(10) : expected;

/**
 * First stream revision an append with this expectation would occupy, which is where EventStoreDB
 * looks for already-written event ids. Undefined for 'any', whose dedupe is only best-effort.
 */
export const firstRevisionOf = (expected: ExpectedRevision): bigint | undefined =>
  expected === 'any' ? undefined : expected === 'no_stream' ? 0n : expected + 1n;
