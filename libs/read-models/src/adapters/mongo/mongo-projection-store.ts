import type { Db } from 'mongodb';
import {
  StaleTargetError,
  type Checkpoint,
  type CommitResult,
  type DocumentWrite,
  type ListParkedOptions,
  type NewParkedEvent,
  type ParkedEvent,
  type ProjectionState,
  type ProjectionStatus,
  type ProjectionStore,
  type ScanOptions,
  type ShadowTargetOptions,
  type StoredDocument,
  type TargetState,
} from '@ledger/projections/core';
import { PLAIN_STORAGE, READ_MODEL_STORAGE, type DocumentStorage } from '../../core/document-storage';
import { connectMongo, type MongoConnection, type MongoConnectionOptions } from './mongo-connection';
import { fromRecord, isTargetName, type StoredDocumentRecord } from './mongo-document-layout';
import { countApplied, refusalsOnly, toBulkOperations } from './mongo-document-writes';
import { mongoCall } from './mongo-errors';
import { MongoLeases, type LeaseRecord } from './mongo-leases';
import { MongoParkedEvents, PARKED_INDEXES, type ParkedRecord } from './mongo-parked-events';
import {
  checkpointBehind,
  holdingTarget,
  PARKED_EVENTS,
  PROJECTION_LEASES,
  setCheckpoint,
  setStatusUpdate,
} from './mongo-projection-state';
import { MongoTargets } from './mongo-targets';

export type MongoProjectionStoreOptions = (
  MongoConnectionOptions | { readonly connection: MongoConnection }
) & {
  /** Storage per projection name (indexes); defaults to the read models' own. */
  readonly storage?: Readonly<Record<string, DocumentStorage>>;
  readonly clock?: () => Date;
};

/** @example const store = createMongoProjectionStore({ url: process.env.MONGO_URL!, writeConcern: 'majority' }) */
export function createMongoProjectionStore(options: MongoProjectionStoreOptions): MongoProjectionStore {
  const owns = !('connection' in options);
  return new MongoProjectionStore(
    'connection' in options ? options.connection : connectMongo(options),
    owns,
    options,
  );
}

/**
 * The projection store on MongoDB: one collection per target (`doc__<target>`), one state
 * document per projection in `projection_state` (the pointers the query side reads), parked
 * events and leases in their own collections. Every driver failure that means "MongoDB cannot
 * serve now" leaves as UnavailableError, which the engine retries.
 */
export class MongoProjectionStore implements ProjectionStore {
  readonly db: Db;
  private readonly clock: () => Date;
  private readonly targets: MongoTargets;
  private readonly parked: MongoParkedEvents;
  private readonly leases: MongoLeases;
  private ready?: Promise<void>;

  constructor(
    private readonly connection: MongoConnection,
    private readonly ownsConnection: boolean,
    options: Pick<MongoProjectionStoreOptions, 'storage' | 'clock'> = {},
  ) {
    this.db = connection.db;
    this.clock = options.clock ?? (() => new Date());
    const storage = options.storage ?? READ_MODEL_STORAGE;
    this.targets = new MongoTargets(
      this.db,
      (projection) => storage[projection] ?? PLAIN_STORAGE,
      this.clock,
    );
    this.parked = new MongoParkedEvents(this.db.collection<ParkedRecord>(PARKED_EVENTS));
    this.leases = new MongoLeases(this.db.collection<LeaseRecord>(PROJECTION_LEASES));
  }

  /**
   * Creates the bookkeeping indexes and every existing target's indexes (a storage declaration
   * may have grown since, or a crash left a collection created implicitly, without them).
   * Runs once, on first use, so a store built while MongoDB is down fails with 503s, not at boot,
   * and is tried again on the next call after a failure.
   */
  ensureIndexes(): Promise<void> {
    this.ready ??= (async () => {
      await this.connection.ready();
      await this.db.collection(PARKED_EVENTS).createIndexes(PARKED_INDEXES);
      await this.targets.ensureAllCollections();
    })().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    return mongoCall(async () => {
      await this.ensureIndexes();
      return fn();
    });
  }

  registerProjection(name: string, version: number): Promise<ProjectionState> {
    return this.run(() => this.targets.register(name, version));
  }

  getState(name: string): Promise<ProjectionState | undefined> {
    return this.run(async () => {
      const r = await this.targets.states.findOne({ _id: name });
      return r ? this.targets.stateOf(r) : undefined;
    });
  }

  listStates(): Promise<ProjectionState[]> {
    return this.run(async () =>
      (await this.targets.states.find({}).sort({ _id: 1 }).toArray()).map((r) => this.targets.stateOf(r)),
    );
  }

  setStatus(name: string, status: ProjectionStatus, lastError?: string | null): Promise<void> {
    return this.run(async () => {
      await this.targets.states.updateOne({ _id: name }, setStatusUpdate(status, lastError, this.clock()));
    });
  }

  getTarget(target: string): Promise<TargetState | undefined> {
    return this.run(() => this.targets.find(target));
  }

  /**
   * Reads first, then checks the target: a switch removes the target before it drops the
   * collection, so a target still there means the read saw its real documents (a read of a
   * dropped collection silently returns nothing, which would look like missing documents).
   */
  loadDocuments<Doc>(target: string, ids: readonly string[]): Promise<Map<string, StoredDocument<Doc>>> {
    return this.run(async () => {
      const found = ids.length
        ? await this.targets
            .documents(target)
            .find({ _id: { $in: [...ids] } })
            .toArray()
        : [];
      await this.targets.require(target);
      return new Map(found.map((r) => [r._id, fromRecord(r as StoredDocumentRecord<Doc>)]));
    });
  }

  /**
   * In the port's order: parked events, documents (one unordered bulk write under position
   * guards), then the checkpoint, so a crash anywhere in between replays the batch harmlessly.
   */
  commitBatch<Doc extends { readonly tenantId: string }>(
    target: string,
    writes: readonly DocumentWrite<Doc>[],
    checkpoint?: Checkpoint,
    parked?: readonly NewParkedEvent[],
  ): Promise<CommitResult> {
    return this.run(async () => {
      // Checked first so a stale worker does not recreate a dropped collection by writing to it.
      const { projection } = await this.targets.require(target);
      const now = this.clock();
      if (parked?.length) await this.parked.add(parked, now);
      const result = writes.length
        ? await this.writeDocuments(target, projection, writes)
        : { applied: 0, skipped: 0 };
      let stillThere = writes.length === 0 && !checkpoint;
      if (checkpoint) {
        const moved = await this.targets.states.updateOne(
          checkpointBehind(projection, target, checkpoint),
          setCheckpoint(target, checkpoint, now),
        );
        stillThere = moved.matchedCount > 0;
      }
      // Not moved: the checkpoint was already ahead, or the target went away during the batch.
      if (!stillThere && !(await this.targets.find(target))) {
        await this.targets.dropCollection(target); // our writes recreated it; the name is never reused
        throw new StaleTargetError(target);
      }
      return result;
    });
  }

  private async writeDocuments<Doc extends { readonly tenantId: string }>(
    target: string,
    projection: string,
    writes: readonly DocumentWrite<Doc>[],
  ): Promise<CommitResult> {
    const operations = toBulkOperations(this.targets.storageOf(projection), writes);
    try {
      return countApplied(
        await this.targets.documents(target).bulkWrite(operations, { ordered: false }),
        writes.length,
      );
    } catch (e) {
      // Duplicate keys are upserts refused by their guard (a newer document exists): skips.
      const result = refusalsOnly(e);
      if (!result) throw e;
      return countApplied(result, writes.length);
    }
  }

  resetCheckpoint(target: string, checkpoint: Checkpoint | undefined): Promise<void> {
    return this.run(async () => {
      const r = isTargetName(target)
        ? await this.targets.states.updateOne(
            holdingTarget(target),
            setCheckpoint(target, checkpoint, this.clock()),
          )
        : undefined;
      if (!r?.matchedCount) throw new StaleTargetError(target);
    });
  }

  scanDocuments<Doc>(target: string, { afterId = '', limit }: ScanOptions): Promise<StoredDocument<Doc>[]> {
    return this.run(async () => {
      const found = await this.targets
        .documents(target)
        .find({ _id: { $gt: afterId } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      await this.targets.require(target);
      return found.map((r) => fromRecord(r as StoredDocumentRecord<Doc>));
    });
  }

  addParked(events: readonly NewParkedEvent[]): Promise<void> {
    return this.run(() => this.parked.add(events, this.clock()));
  }
  listParked(options: ListParkedOptions = {}): Promise<ParkedEvent[]> {
    return this.run(() => this.parked.list(options));
  }
  getParked(id: string): Promise<ParkedEvent | undefined> {
    return this.run(() => this.parked.get(id));
  }
  removeParked(id: string): Promise<boolean> {
    return this.run(() => this.parked.remove(id));
  }
  countParked(projection?: string): Promise<number> {
    return this.run(() => this.parked.count(projection));
  }

  acquireLease(name: string, owner: string, ttlMs: number, now = this.clock()): Promise<boolean> {
    return this.run(() => this.leases.acquire(name, owner, ttlMs, now));
  }
  renewLease(name: string, owner: string, ttlMs: number, now = this.clock()): Promise<boolean> {
    return this.run(() => this.leases.renew(name, owner, ttlMs, now));
  }
  releaseLease(name: string, owner: string): Promise<void> {
    return this.run(() => this.leases.release(name, owner));
  }

  createShadowTarget(name: string, version: number, options: ShadowTargetOptions = {}): Promise<TargetState> {
    return this.run(() => this.targets.createShadow(name, version, options.deferIndexes));
  }
  prepareSwitch(target: string): Promise<void> {
    return this.run(() => this.targets.prepareSwitch(target));
  }
  switchLive(name: string, target: string): Promise<void> {
    return this.run(() => this.targets.switchLive(name, target));
  }
  dropTarget(target: string): Promise<void> {
    return this.run(() => this.targets.drop(target));
  }
  dropOrphanTargets(): Promise<string[]> {
    return this.run(() => this.targets.dropOrphans());
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }
}
