import Database from 'better-sqlite3';
import { limitClause } from './limit-clause';

describe('limitClause', () => {
  it('writes a non-negative integer into the SQL', () => {
    expect(limitClause(51)).toBe('LIMIT 51');
    expect(limitClause(0)).toBe('LIMIT 0');
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses %p', (n) => {
    expect(() => limitClause(n)).toThrow(RangeError);
  });

  // Why it exists: this SQLite recompiles a statement whose bound LIMIT is bound again, which
  // better-sqlite3 does on every call. If an upgrade stops doing that, this fails and the
  // helper can go. Measured by time, the only trace better-sqlite3 leaves: the recompiled
  // statement is parsed and planned each run, the literal one is not.
  it('avoids the recompilation a bound LIMIT costs on every run', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE t (a INTEGER, b TEXT, c TEXT); CREATE INDEX t_ab ON t (a, b, c)`);
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 2_000; i++) insert.run(i % 10, `b${i}`, `c${i}`);
    })();
    // A wide query makes compiling it cost well above running it for a handful of rows.
    const where = Array.from({ length: 40 }, (_, i) => `(c <> 'x${i}' OR b <> 'y${i}')`).join(' AND ');
    const sql = `SELECT c FROM t WHERE a = ? AND ${where} ORDER BY b DESC`;
    const bound = db.prepare(`${sql} LIMIT ?`).pluck();
    const literal = db.prepare(`${sql} ${limitClause(3)}`).pluck();
    expect(literal.all(4)).toEqual(bound.all(4, 3));
    const time = (fn: () => unknown) => {
      let best = Infinity;
      for (let round = 0; round < 5; round++) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < 300; i++) fn();
        best = Math.min(best, Number(process.hrtime.bigint() - start));
      }
      return best;
    };
    const boundNs = time(() => bound.all(4, 3));
    const literalNs = time(() => literal.all(4));
    db.close();
    // ~20x here; 4x leaves room for a noisy machine.
    expect(boundNs).toBeGreaterThan(literalNs * 4);
  });
});
