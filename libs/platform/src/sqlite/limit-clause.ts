/**
 * `LIMIT n` written into a statement's SQL, for the statements run on every request or page.
 *
 * A bound `LIMIT ?` is read by SQLite's planner (3.47+, here 3.51), which then marks the statement
 * to be compiled again whenever that parameter is bound anew, i.e. on every run through
 * better-sqlite3, which binds each call's arguments: a 51-row list page spent ~10 µs of its ~43 in
 * `sqlite3Reprepare` (perf), gone with the literal. The price is one prepared statement per
 * distinct limit, which callers bound (a list accepts 1 to 200; pages use a few batch sizes).
 */
export function limitClause(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new RangeError(`LIMIT must be a non-negative integer, got ${limit}`);
  return `LIMIT ${limit}`;
}
