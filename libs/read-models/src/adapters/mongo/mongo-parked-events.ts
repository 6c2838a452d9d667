import type { AnyBulkWriteOperation, Collection, Filter, IndexDescription } from 'mongodb';
import {
  parkedEventId,
  type ListParkedOptions,
  type NewParkedEvent,
  type ParkedEvent,
} from '@ledger/projections/core';

export interface ParkedRecord {
  readonly _id: string;
  readonly projection: string;
  readonly position: string;
  readonly positionKey: string;
  readonly eventId: string;
  readonly streamName: string;
  readonly eventType: string;
  readonly error: string;
  readonly attempts: number;
  readonly parkedAt: Date;
}

/** Listing is in (positionKey, _id) order, across or within one projection. */
export const PARKED_INDEXES: IndexDescription[] = [
  { name: 'by_position', key: { positionKey: 1, _id: 1 } },
  { name: 'by_projection_position', key: { projection: 1, positionKey: 1, _id: 1 } },
];

/**
 * Upsert by id: the first park inserts with attempts 1, a later one (a replay, a retry that
 * failed again) increments it and keeps the latest error and time. An `_id` equality upsert is
 * retried by the server itself on a concurrent insert, so two parks never both insert.
 */
export function parkOperations(
  events: readonly NewParkedEvent[],
  now: Date,
): AnyBulkWriteOperation<ParkedRecord>[] {
  return events.map((e) => ({
    updateOne: {
      filter: { _id: parkedEventId(e.projection, e.eventId) },
      update: {
        $setOnInsert: {
          projection: e.projection,
          position: e.position,
          positionKey: e.positionKey,
          eventId: e.eventId,
          streamName: e.streamName,
          eventType: e.eventType,
        },
        $set: { error: e.error, parkedAt: now },
        $inc: { attempts: 1 },
      },
      upsert: true,
    },
  }));
}

/** The page after `after` (null: the `after` record is gone, so there is no such page). */
export function parkedPageFilter(
  projection: string | undefined,
  after?: Pick<ParkedRecord, '_id' | 'positionKey'> | null,
): Filter<ParkedRecord> | null {
  if (after === null) return null;
  const filter: Filter<ParkedRecord> = projection !== undefined ? { projection } : {};
  if (after === undefined) return filter;
  return {
    ...filter,
    $or: [
      { positionKey: { $gt: after.positionKey } },
      { positionKey: after.positionKey, _id: { $gt: after._id } },
    ],
  };
}

export const toParked = (r: ParkedRecord): ParkedEvent => ({
  id: r._id,
  projection: r.projection,
  position: r.position,
  positionKey: r.positionKey,
  eventId: r.eventId,
  streamName: r.streamName,
  eventType: r.eventType,
  error: r.error,
  attempts: r.attempts,
  parkedAt: r.parkedAt,
});

export class MongoParkedEvents {
  constructor(private readonly collection: Collection<ParkedRecord>) {}

  async add(events: readonly NewParkedEvent[], now: Date): Promise<void> {
    if (events.length) await this.collection.bulkWrite(parkOperations(events, now), { ordered: false });
  }

  async list({ projection, limit = 100, after }: ListParkedOptions): Promise<ParkedEvent[]> {
    const from =
      after === undefined
        ? undefined
        : await this.collection.findOne({ _id: after }, { projection: { _id: 1, positionKey: 1 } });
    const filter = parkedPageFilter(projection, from);
    if (!filter) return [];
    const records = await this.collection
      .find(filter)
      .sort({ positionKey: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return records.map(toParked);
  }

  async get(id: string): Promise<ParkedEvent | undefined> {
    const r = await this.collection.findOne({ _id: id });
    return r ? toParked(r) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.collection.deleteOne({ _id: id })).deletedCount > 0;
  }

  async count(projection?: string): Promise<number> {
    return this.collection.countDocuments(projection !== undefined ? { projection } : {});
  }
}
