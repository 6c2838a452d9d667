import type { Position } from '@ledger/event-store';

/**
 * The write side of the read models: documents, checkpoints, parked events, rebuild leases
 * and blue/green targets, behind one port so the engine, the projector and the `ledger` CLI
 * share the same semantics on SQLite and MongoDB.
 *
 * Vocabulary:
 * - a **projection** is registered once by name and always has one *live target*;
 * - a **target** is one physical copy of its documents (a SQLite table, a MongoDB collection)
 *   with its own checkpoint and fold version. A rebuild fills a *shadow* target and switches
 *   the projection's live pointer to it; the old target is then dropped;
 * - a **position key** is the event store's `positionKey(position)`: fixed-width strings whose
 *   lexical order is the log order, so any store can compare them without knowing the log.
 */
export type ProjectionStatus = 'live' | 'rebuilding' | 'stopped';

/** A log position with its lexically ordered key. The store compares keys, never positions. */
export interface Checkpoint {
  readonly position: Position;
  readonly key: string;
}

export interface TargetState {
  /** Storage-safe name, unique in the store, e.g. `tasks_g3`. */
  readonly target: string;
  readonly projection: string;
  /** The projection version whose fold fills this target. */
  readonly version: number;
  /** Last position folded into this target; undefined = nothing yet (start from the beginning). */
  readonly checkpoint?: Checkpoint;
  /**
   * True while a shadow created with `deferIndexes` still lacks its secondary indexes (and side
   * tables); `prepareSwitch` or `switchLive` builds them. Absent on every other target.
   */
  readonly indexesDeferred?: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ShadowTargetOptions {
  /**
   * Fill the shadow without its secondary indexes: a rebuild writes every document once, and
   * building an index once over a finished copy costs far less than maintaining it on every
   * write. Lookups by document id (`loadDocuments`, the position guard) stay indexed. The flag
   * is stored with the target, so a rebuild resumed after `kill -9` keeps filling it the same way.
   */
  readonly deferIndexes?: boolean;
}

export interface ProjectionState {
  readonly name: string;
  /** Version of the fold that filled the live target (compare with the code's version). */
  readonly version: number;
  readonly liveTarget: string;
  /** The live target's checkpoint. */
  readonly checkpoint?: Checkpoint;
  /** A rebuild's target while it fills; it serves no reads until `switchLive`. */
  readonly shadow?: TargetState;
  readonly status: ProjectionStatus;
  readonly lastError?: string;
  readonly updatedAt: Date;
}

export interface StoredDocument<Doc> {
  readonly id: string;
  readonly doc: Doc;
  /** Position of the last event folded into this document, and its key. */
  readonly position: Position;
  readonly positionKey: string;
}

/**
 * `newer` (the engine): applies only where the stored key is lower or the document is absent.
 * `not-older`: also where it is equal, so `repair` can rewrite a drifted document that sits at
 * the same position as its recomputation, while still never overwriting newer work.
 */
export type WriteGuard = 'newer' | 'not-older';

export interface DocumentWrite<Doc> {
  readonly id: string;
  /** null deletes the document (under the same guard). */
  readonly doc: Doc | null;
  readonly position: Position;
  readonly positionKey: string;
  readonly guard?: WriteGuard;
}

export interface NewParkedEvent {
  readonly projection: string;
  readonly position: Position;
  readonly positionKey: string;
  readonly eventId: string;
  readonly streamName: string;
  readonly eventType: string;
  readonly error: string;
}

export interface ParkedEvent extends NewParkedEvent {
  /** `${projection}:${eventId}`, so parking the same event again (a replay) updates one record. */
  readonly id: string;
  /** How many times the fold failed on this event. */
  readonly attempts: number;
  /** Time of the last failure. */
  readonly parkedAt: Date;
}

export interface CommitResult {
  /** Document writes that passed their guard. */
  readonly applied: number;
  /** Document writes refused by their guard (the store already had newer or equal work). */
  readonly skipped: number;
}

export interface ListParkedOptions {
  readonly projection?: string;
  readonly limit?: number;
  /** Exclusive: the `id` of the last record of the previous page. Pages are in (positionKey, id) order. */
  readonly after?: string;
}

export interface ScanOptions {
  /** Exclusive lower bound on the document id; pages are in id order. */
  readonly afterId?: string;
  readonly limit: number;
}

export const parkedEventId = (projection: string, eventId: string): string => `${projection}:${eventId}`;

export interface ProjectionStore {
  /**
   * Creates the projection with a first, empty live target (checkpoint undefined, status
   * `stopped`) unless it exists; an existing projection is returned unchanged, even when
   * `version` differs: deciding to rebuild is the caller's job.
   * @example const state = await store.registerProjection('tasks', 2)
   */
  registerProjection(name: string, version: number): Promise<ProjectionState>;

  getState(name: string): Promise<ProjectionState | undefined>;
  listStates(): Promise<ProjectionState[]>;

  /** `lastError: null` clears it; undefined leaves it as it is. */
  setStatus(name: string, status: ProjectionStatus, lastError?: string | null): Promise<void>;

  getTarget(target: string): Promise<TargetState | undefined>;

  /**
   * The current documents among `ids` (absent ids are absent from the map).
   * Throws `StaleTargetError` when the target does not exist (dropped by a switch).
   */
  loadDocuments<Doc>(target: string, ids: readonly string[]): Promise<Map<string, StoredDocument<Doc>>>;

  /**
   * Writes documents, parked events and the checkpoint of `target`. SQLite does all of it in
   * one transaction. A store without multi-document transactions (MongoDB) writes, in order:
   * parked events (upsert by id, `attempts` incremented), the documents (unordered bulkWrite:
   * `updateOne({ _id, _position: { $lt: key } }, { $set }, { upsert: true })`, where a duplicate
   * key error means "a newer document exists" and counts as skipped; deletes filter on
   * `_position` the same way), then the checkpoint. A crash between them replays the batch,
   * which the guards make harmless.
   *
   * The checkpoint only moves forward (a lower or equal key leaves it as is); it is optional so
   * a batch whose events were all skipped can still park. Throws `StaleTargetError` when the
   * target no longer exists, so a worker whose target was switched away re-reads the live pointer.
   * @example await store.commitBatch('tasks_g1', [{ id, doc, position, positionKey }], { position, key })
   */
  commitBatch<Doc extends { readonly tenantId: string }>(
    target: string,
    writes: readonly DocumentWrite<Doc>[],
    checkpoint?: Checkpoint,
    parked?: readonly NewParkedEvent[],
  ): Promise<CommitResult>;

  /** Moves a target's checkpoint anywhere, backwards included (replay); undefined = the beginning. */
  resetCheckpoint(target: string, checkpoint: Checkpoint | undefined): Promise<void>;

  /** Documents of a target in id order, for verify/repair; streams in pages. */
  scanDocuments<Doc>(target: string, options: ScanOptions): Promise<StoredDocument<Doc>[]>;

  /** Upserts by `parkedEventId`, incrementing `attempts` when it exists. */
  addParked(events: readonly NewParkedEvent[]): Promise<void>;
  listParked(options?: ListParkedOptions): Promise<ParkedEvent[]>;
  getParked(id: string): Promise<ParkedEvent | undefined>;
  /** True when it existed. */
  removeParked(id: string): Promise<boolean>;
  countParked(projection?: string): Promise<number>;

  /**
   * Takes the named lease for `ttlMs` when it is free, expired, or already held by `owner`
   * (then it is extended). False when another owner holds it unexpired. `now` is injectable so
   * tests and the CLI agree on a clock; it defaults to the store's clock.
   * @example if (!(await store.acquireLease('rebuild:tasks', 'cli-4242', 30_000))) exit(1)
   */
  acquireLease(name: string, owner: string, ttlMs: number, now?: Date): Promise<boolean>;
  /** Extends a lease `owner` still holds; false when it expired and someone else took it, or it is gone. */
  renewLease(name: string, owner: string, ttlMs: number, now?: Date): Promise<boolean>;
  /** Releases it if `owner` holds it; otherwise does nothing. */
  releaseLease(name: string, owner: string): Promise<void>;

  /**
   * Creates an empty shadow target for `version` and records it in the projection's state,
   * dropping a previous shadow if there was one. The live target keeps serving.
   * @example const shadow = await store.createShadowTarget('tasks', 2, { deferIndexes: true })
   */
  createShadowTarget(name: string, version: number, options?: ShadowTargetOptions): Promise<TargetState>;

  /**
   * Builds what a shadow created with `deferIndexes` left out (secondary indexes, side tables),
   * so it can serve queries like any live copy; afterwards its writes maintain them as usual.
   * Idempotent, and a no-op on a target that was never deferred. Readers of the live copy are
   * not blocked meanwhile. Throws `StaleTargetError` when the target does not exist.
   * @example await store.prepareSwitch(shadow.target); await store.switchLive('tasks', shadow.target)
   */
  prepareSwitch(target: string): Promise<void>;

  /**
   * Atomically makes `target` (the projection's shadow) live: the state takes its version and
   * checkpoint, the shadow slot is emptied, and the old live target is dropped. SQLite: one
   * transaction moves the pointer and forgets the old target, then its tables are dropped one per
   * transaction. MongoDB: update the pointer document (a conditional update on the expected
   * shadow), then drop the old collection. Either way a crash after the switch can leave the old
   * copy's data behind, never in use: `dropOrphanTargets` (which every rebuild runs first) removes it.
   * A shadow whose indexes are still deferred gets them first (see `prepareSwitch`): no copy
   * ever goes live without its indexes.
   * Throws `StaleTargetError` when `target` is not the projection's shadow.
   */
  switchLive(name: string, target: string): Promise<void>;

  /** Drops a target that is not live (an abandoned shadow); clears the shadow slot. */
  dropTarget(target: string): Promise<void>;

  /** Drops physical targets that no projection points to (leftovers of a crash); returns their names. */
  dropOrphanTargets(): Promise<string[]>;

  close(): Promise<void>;
}

export const PROJECTION_STORE = Symbol('PROJECTION_STORE');
