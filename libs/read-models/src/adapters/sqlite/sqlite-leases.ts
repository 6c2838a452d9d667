import type { Database } from 'better-sqlite3';

/** Rebuild leases; callers run each method inside an IMMEDIATE transaction, so check-then-set is atomic. */
export class SqliteLeases {
  constructor(
    private readonly db: Database,
    private readonly clock: () => Date,
  ) {}

  acquire(name: string, owner: string, ttlMs: number, now = this.clock()): boolean {
    const t = now.getTime();
    const held = this.db.prepare(`SELECT owner, expires_at FROM leases WHERE name = ?`).get(name) as
      { owner: string; expires_at: number } | undefined;
    if (held && held.owner !== owner && held.expires_at > t) return false;
    this.db
      .prepare(
        `INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
      )
      .run(name, owner, t + ttlMs);
    return true;
  }

  /** An expired lease nobody took is still its owner's: nothing else can have run meanwhile. */
  renew(name: string, owner: string, ttlMs: number, now = this.clock()): boolean {
    return (
      this.db
        .prepare(`UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ?`)
        .run(now.getTime() + ttlMs, name, owner).changes > 0
    );
  }

  release(name: string, owner: string): void {
    this.db.prepare(`DELETE FROM leases WHERE name = ? AND owner = ?`).run(name, owner);
  }
}
