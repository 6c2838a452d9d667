import type { Collection, Filter } from 'mongodb';
import { isDuplicateKeyError } from './mongo-errors';

export interface LeaseRecord {
  readonly _id: string;
  readonly owner: string;
  readonly expiresAt: Date;
}

/** Free for `owner`: held by it already (re-entrant), or expired. The same rule as the other stores. */
export const leaseTakeable = (name: string, owner: string, now: Date): Filter<LeaseRecord> => ({
  _id: name,
  $or: [{ owner }, { expiresAt: { $lte: now } }],
});

/**
 * Rebuild leases as one document each. Taking one is a single `findOneAndUpdate` whose filter
 * says "mine or expired", with upsert: a free name is inserted, a takeable one is overwritten,
 * and one held by someone else makes the upsert collide on `_id` (E11000), which is the answer
 * "no". No read-then-write, so two processes can never both win.
 */
export class MongoLeases {
  constructor(private readonly collection: Collection<LeaseRecord>) {}

  async acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    try {
      const after = await this.collection.findOneAndUpdate(
        leaseTakeable(name, owner, now),
        { $set: { owner, expiresAt: new Date(now.getTime() + ttlMs) } },
        { upsert: true, returnDocument: 'after' },
      );
      return after?.owner === owner;
    } catch (e) {
      if (isDuplicateKeyError(e)) return false;
      throw e;
    }
  }

  /** An expired lease nobody took is still its owner's: nothing else can have run meanwhile. */
  async renew(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    const r = await this.collection.updateOne(
      { _id: name, owner },
      { $set: { expiresAt: new Date(now.getTime() + ttlMs) } },
    );
    return r.matchedCount > 0;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.collection.deleteOne({ _id: name, owner });
  }
}
