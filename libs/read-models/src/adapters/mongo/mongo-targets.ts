import type { Collection, Db } from 'mongodb';
import { StaleTargetError, type ProjectionState, type TargetState } from '@ledger/projections/core';
import type { DocumentStorage } from '../../core/document-storage';
import {
  documentCollection,
  documentIndexes,
  isTargetName,
  targetName,
  targetOfCollection,
  type StoredDocumentRecord,
} from './mongo-document-layout';
import { isDuplicateKeyError, isNamespaceExists, isNamespaceNotFound } from './mongo-errors';
import {
  holdingTarget,
  newTargetEntry,
  PROJECTION_SEQUENCE,
  PROJECTION_STATE,
  targetPath,
  toProjectionState,
  toTargetState,
  type ProjectionStateRecord,
} from './mongo-projection-state';

// A conditional update retried this often before giving up: only a concurrent rebuild command races here.
const OPTIMISTIC_ATTEMPTS = 3;

/**
 * Targets and the pointers to them. Without a multi-collection transaction, every step is
 * ordered to be safe after a crash at any point: a pointer change is ONE conditional update of
 * the projection's state document, made BEFORE a collection is created and BEFORE the old one is
 * dropped, so a crash leaves at worst a collection nothing points to, which `dropOrphans`
 * removes, and never a pointer to a copy that is half gone.
 */
export class MongoTargets {
  readonly states: Collection<ProjectionStateRecord>;

  constructor(
    private readonly db: Db,
    readonly storageOf: (projection: string) => DocumentStorage,
    private readonly clock: () => Date,
  ) {
    this.states = db.collection<ProjectionStateRecord>(PROJECTION_STATE);
  }

  documents(target: string): Collection<StoredDocumentRecord> {
    return this.db.collection<StoredDocumentRecord>(documentCollection(target));
  }

  /** Idempotent: creating the indexes also creates the collection. */
  async ensureCollection(projection: string, target: string): Promise<void> {
    await this.documents(target).createIndexes(documentIndexes(this.storageOf(projection)));
  }

  /** The collection alone, with only its `_id` index: a shadow whose indexes are deferred. */
  private async createBareCollection(target: string): Promise<void> {
    try {
      await this.db.createCollection(documentCollection(target));
    } catch (e) {
      if (!isNamespaceExists(e)) throw e;
    }
  }

  /**
   * Every target's indexes, e.g. at start-up: a storage declaration may have grown since. A
   * shadow whose indexes are deferred is left alone: its rebuild builds them once it is full.
   */
  async ensureAllCollections(): Promise<void> {
    for (const r of await this.states.find({}).toArray()) {
      for (const [target, entry] of Object.entries(r.targets)) {
        if (!entry.indexesDeferred) await this.ensureCollection(r._id, target);
      }
    }
  }

  /**
   * Builds a deferred shadow's indexes (createIndexes over the filled collection; the server
   * builds them without blocking reads of other collections), then clears the flag: a crash in
   * between leaves the flag, and the next call builds nothing twice (createIndexes is idempotent).
   */
  async prepareSwitch(target: string): Promise<void> {
    const r = isTargetName(target) ? await this.states.findOne(holdingTarget(target)) : null;
    const entry = r?.targets[target];
    if (!r || !entry) throw new StaleTargetError(target);
    if (!entry.indexesDeferred) return;
    await this.ensureCollection(r._id, target);
    await this.states.updateOne(
      { _id: r._id, [targetPath(target)]: { $exists: true } },
      { $unset: { [`${targetPath(target)}.indexesDeferred`]: '' } },
    );
  }

  async dropCollection(target: string): Promise<void> {
    try {
      await this.db.dropCollection(documentCollection(target));
    } catch (e) {
      if (!isNamespaceNotFound(e)) throw e;
    }
  }

  private async nextGeneration(): Promise<number> {
    const counter = await this.db
      .collection<{ _id: string; n: number }>(PROJECTION_SEQUENCE)
      .findOneAndUpdate({ _id: 'targets' }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
    if (!counter) throw new Error('target sequence: upsert returned no document');
    return counter.n;
  }

  async find(target: string): Promise<TargetState | undefined> {
    if (!isTargetName(target)) return undefined;
    const r = await this.states.findOne(holdingTarget(target));
    const entry = r?.targets[target];
    return r && entry ? toTargetState(r._id, target, entry) : undefined;
  }

  async require(target: string): Promise<TargetState> {
    const t = await this.find(target);
    if (!t) throw new StaleTargetError(target);
    return t;
  }

  stateOf(r: ProjectionStateRecord): ProjectionState {
    const state = toProjectionState(r);
    if (!state)
      throw new Error(`projection ${r._id}: live target ${r.live} has no entry in ${PROJECTION_STATE}`);
    return state;
  }

  async register(name: string, version: number): Promise<ProjectionState> {
    const existing = await this.states.findOne({ _id: name });
    if (existing) return this.stateOf(existing);
    const target = targetName(name, await this.nextGeneration());
    const now = this.clock();
    let created = false;
    try {
      const r = await this.states.updateOne(
        { _id: name },
        {
          $setOnInsert: {
            live: target,
            targets: { [target]: newTargetEntry(version, now) },
            status: 'stopped',
            updatedAt: now,
          },
        },
        { upsert: true },
      );
      created = r.upsertedCount > 0;
    } catch (e) {
      if (!isDuplicateKeyError(e)) throw e; // another process registered it first
    }
    if (created) await this.ensureCollection(name, target);
    return this.stateOf((await this.states.findOne({ _id: name }))!);
  }

  async createShadow(name: string, version: number, deferIndexes = false): Promise<TargetState> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.states.findOne({ _id: name });
      if (!r) throw new Error(`projection ${name} is not registered`);
      const target = targetName(name, await this.nextGeneration());
      const now = this.clock();
      const entry = newTargetEntry(version, now, deferIndexes);
      const moved = await this.states.updateOne(
        { _id: name, shadow: r.shadow ?? { $exists: false } },
        {
          $set: { shadow: target, [targetPath(target)]: entry, updatedAt: now },
          ...(r.shadow ? { $unset: { [targetPath(r.shadow)]: '' } } : {}),
        },
      );
      if (moved.matchedCount === 0) {
        if (attempt < OPTIMISTIC_ATTEMPTS) continue;
        throw new Error(`projection ${name}: its shadow kept changing while a new one was being created`);
      }
      if (deferIndexes) await this.createBareCollection(target);
      else await this.ensureCollection(name, target);
      if (r.shadow) await this.dropCollection(r.shadow);
      return toTargetState(name, target, entry);
    }
  }

  async switchLive(name: string, target: string): Promise<void> {
    const r = await this.states.findOne({ _id: name });
    if (!r || r.shadow !== target || !r.targets[target]) throw new StaleTargetError(target);
    if (r.targets[target].indexesDeferred) await this.prepareSwitch(target);
    // The switch itself: one document, conditional on nobody having moved either pointer since.
    const moved = await this.states.updateOne(
      { _id: name, shadow: target, live: r.live },
      { $set: { live: target, updatedAt: this.clock() }, $unset: { shadow: '', [targetPath(r.live)]: '' } },
    );
    if (moved.matchedCount === 0) throw new StaleTargetError(target);
    await this.dropCollection(r.live);
  }

  async drop(target: string): Promise<void> {
    if (!isTargetName(target)) return; // no collection can carry such a name
    for (let attempt = 1; ; attempt++) {
      const r = await this.states.findOne(holdingTarget(target));
      if (!r) break;
      if (r.live === target) throw new Error(`refusing to drop ${target}: it is a live target`);
      const moved = await this.states.updateOne(
        { _id: r._id, live: r.live, shadow: r.shadow ?? { $exists: false } },
        { $unset: { [targetPath(target)]: '', ...(r.shadow === target ? { shadow: '' } : {}) } },
      );
      if (moved.matchedCount > 0) break;
      if (attempt >= OPTIMISTIC_ATTEMPTS)
        throw new Error(`projection ${r._id} kept changing while ${target} was being dropped`);
    }
    await this.dropCollection(target);
  }

  /**
   * Lists collections BEFORE reading the pointers: a pointer is always set before its
   * collection is created, so a collection seen here without a pointer read after it is a
   * leftover (of a crash, or recreated by a stale worker's write), never a copy being prepared.
   */
  async dropOrphans(): Promise<string[]> {
    const collections = await this.db
      .listCollections({ name: { $regex: '^doc__' } }, { nameOnly: true })
      .toArray();
    const records = await this.states.find({}).toArray();
    const used = new Set(records.flatMap((r) => [r.live, ...(r.shadow ? [r.shadow] : [])]));
    const orphans = new Set<string>();
    for (const r of records) {
      for (const target of Object.keys(r.targets).filter((t) => !used.has(t))) {
        orphans.add(target);
        await this.states.updateOne(
          { _id: r._id, live: { $ne: target }, shadow: { $ne: target } },
          { $unset: { [targetPath(target)]: '' } },
        );
      }
    }
    for (const c of collections) {
      const target = targetOfCollection(c.name);
      if (target && !used.has(target)) orphans.add(target);
    }
    for (const target of orphans) await this.dropCollection(target);
    return [...orphans].sort();
  }
}
