import { ValidationError } from '@ledger/platform/errors';

/**
 * `If-Match: "<revision>"` (quotes optional, weak tags accepted) -> the revision the client
 * last saw. `*` only asks that the task exist, which every command but create checks anyway.
 */
export function parseIfMatch(header: string | string[] | undefined): bigint | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(value);
  if (!match) {
    throw new ValidationError('If-Match must name one revision, e.g. "3"', [
      { field: 'If-Match', problems: ['expected a quoted revision number'] },
    ]);
  }
  return BigInt(match[1]);
}
