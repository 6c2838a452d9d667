import type { Filter, UpdateFilter } from 'mongodb';
import type { Checkpoint, ProjectionState, ProjectionStatus, TargetState } from '@ledger/projections/core';

/** Collection of the pointer documents: one per projection, read by the query side. */
export const PROJECTION_STATE = 'projection_state';
/** One counter document; target generations come from it, so a name is never reused. */
export const PROJECTION_SEQUENCE = 'projection_sequence';
export const PARKED_EVENTS = 'parked_events';
export const PROJECTION_LEASES = 'projection_leases';

export interface TargetEntry {
  readonly version: number;
  readonly checkpoint?: Checkpoint;
  /** A shadow filled without its secondary indexes until prepareSwitch builds them. */
  readonly indexesDeferred?: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * A projection's whole state in ONE document: the live pointer, the shadow slot and the
 * metadata of both targets. MongoDB updates one document atomically without a transaction, so
 * register, create-shadow, switch and drop are each a single conditional update, and a reader
 * of the pointer never sees half a switch. The blue/green switch moves `live` in place (rather
 * than `renameCollection` with `dropTarget`) because a rename would give the new copy the old
 * name: a stale worker still holding that name would write into the new copy, which the port
 * forbids, and renames also kill open cursors and need a database-level lock.
 */
export interface ProjectionStateRecord {
  readonly _id: string;
  readonly live: string;
  readonly shadow?: string;
  readonly targets: Readonly<Record<string, TargetEntry>>;
  readonly status: ProjectionStatus;
  readonly lastError?: string;
  readonly updatedAt: Date;
}

export const targetPath = (target: string): string => `targets.${target}`;

/** The state documents that hold `target` (at most one: names are unique in the store). */
export const holdingTarget = (target: string): Filter<ProjectionStateRecord> => ({
  [targetPath(target)]: { $exists: true },
});

export function toTargetState(projection: string, target: string, entry: TargetEntry): TargetState {
  return {
    target,
    projection,
    version: entry.version,
    ...(entry.checkpoint
      ? { checkpoint: { position: entry.checkpoint.position, key: entry.checkpoint.key } }
      : {}),
    ...(entry.indexesDeferred ? { indexesDeferred: true } : {}),
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  };
}

/** Undefined when the live target's entry is missing, which only a hand edit can cause. */
export function toProjectionState(r: ProjectionStateRecord): ProjectionState | undefined {
  const live = r.targets[r.live];
  if (!live) return undefined;
  const shadow = r.shadow !== undefined ? r.targets[r.shadow] : undefined;
  return {
    name: r._id,
    version: live.version,
    liveTarget: r.live,
    ...(live.checkpoint
      ? { checkpoint: { position: live.checkpoint.position, key: live.checkpoint.key } }
      : {}),
    ...(shadow && r.shadow !== undefined ? { shadow: toTargetState(r._id, r.shadow, shadow) } : {}),
    status: r.status,
    ...(r.lastError !== undefined && r.lastError !== null ? { lastError: r.lastError } : {}),
    updatedAt: r.updatedAt,
  };
}

export const newTargetEntry = (version: number, now: Date, deferIndexes = false): TargetEntry => ({
  version,
  ...(deferIndexes ? { indexesDeferred: true } : {}),
  createdAt: now,
  updatedAt: now,
});

/** Matches the target only where its checkpoint is behind `checkpoint`: checkpoints never move back in a commit. */
export function checkpointBehind(
  projection: string,
  target: string,
  checkpoint: Checkpoint,
): Filter<ProjectionStateRecord> {
  const path = targetPath(target);
  return {
    _id: projection,
    [path]: { $exists: true },
    $or: [
      { [`${path}.checkpoint`]: { $exists: false } },
      { [`${path}.checkpoint.key`]: { $lt: checkpoint.key } },
    ],
  };
}

/** Sets (or with undefined, removes) a target's checkpoint. */
export function setCheckpoint(
  target: string,
  checkpoint: Checkpoint | undefined,
  now: Date,
): UpdateFilter<ProjectionStateRecord> {
  const path = targetPath(target);
  const touched = { [`${path}.updatedAt`]: now };
  return checkpoint
    ? { $set: { ...touched, [`${path}.checkpoint`]: { position: checkpoint.position, key: checkpoint.key } } }
    : { $set: touched, $unset: { [`${path}.checkpoint`]: '' } };
}

/** `lastError: null` clears it, undefined leaves it, a string sets it. */
export function setStatusUpdate(
  status: ProjectionStatus,
  lastError: string | null | undefined,
  now: Date,
): UpdateFilter<ProjectionStateRecord> {
  if (lastError === null) return { $set: { status, updatedAt: now }, $unset: { lastError: '' } };
  return { $set: { status, updatedAt: now, ...(lastError !== undefined ? { lastError } : {}) } };
}

/** The lowest checkpoint among the live targets of `names`; undefined if one has none (or is unknown). */
export function lowestLiveCheckpoint(
  records: readonly ProjectionStateRecord[],
  names: readonly string[],
): Checkpoint | undefined {
  let lowest: Checkpoint | undefined;
  for (const name of new Set(names)) {
    const record = records.find((r) => r._id === name);
    const checkpoint = record?.targets[record.live]?.checkpoint;
    if (!checkpoint) return undefined;
    if (!lowest || checkpoint.key < lowest.key) lowest = checkpoint;
  }
  return lowest;
}
