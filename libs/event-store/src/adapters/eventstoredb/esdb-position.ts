import type { Position as EsdbPosition } from '@eventstore/db-client';
import { ValidationError } from '@ledger/platform/errors';
import type { Position } from '../../core';

// ESDB positions are two uint64s; 20 digits hold 2^64 - 1, so the padded form sorts lexically
// in the same order as (commit, prepare) and doubles as the port's fixed-width `positionKey`.
const WIDTH = 20;
const MAX_U64 = (1n << 64n) - 1n;
const PATTERN = /^(\d{1,20})\/(\d{1,20})$/;

export function encodePosition(position: EsdbPosition): Position {
  if (!isU64(position.commit) || !isU64(position.prepare)) {
    throw new RangeError(`not an EventStoreDB position: ${position.commit}/${position.prepare}`);
  }
  return `${pad(position.commit)}/${pad(position.prepare)}`;
}

/** Accepts padded or unpadded `<commit>/<prepare>`; anything else is a client's bad input (400). */
export function decodePosition(position: Position): EsdbPosition {
  const match = PATTERN.exec(position);
  const commit = match ? BigInt(match[1]) : -1n;
  const prepare = match ? BigInt(match[2]) : -1n;
  if (!isU64(commit) || !isU64(prepare)) {
    throw new ValidationError(`invalid position "${position}": expected "<commit>/<prepare>"`, [
      { field: 'position', problems: ['must be "<commit>/<prepare>" as issued by this event store'] },
    ]);
  }
  return { commit, prepare };
}

export function compareEsdbPositions(a: EsdbPosition, b: EsdbPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export const comparePositions = (a: Position, b: Position): number =>
  compareEsdbPositions(decodePosition(a), decodePosition(b));

/** Normalises to the padded form, whose string order is the position order. */
export const positionKey = (position: Position): string => encodePosition(decodePosition(position));

const pad = (n: bigint): string => n.toString(10).padStart(WIDTH, '0');
const isU64 = (n: bigint): boolean => n >= 0n && n <= MAX_U64;
