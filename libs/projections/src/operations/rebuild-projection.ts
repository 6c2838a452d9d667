import type { Projection, ReadDocument } from '../core/projection';
import { defaultLeaseOwner, rebuildLeaseName } from './operation-lease';
import {
  isRebuildFailure,
  rebuildProjections,
  type RebuildProjectionsOptions,
  type RebuildResult,
} from './rebuild-projections';

/** `rebuildProjections`' options, for one projection. */
export interface RebuildOptions extends Omit<RebuildProjectionsOptions, 'projections'> {
  readonly projection: Projection<ReadDocument>;
}

export type { RebuildResult };
export { rebuildLeaseName, defaultLeaseOwner };

/**
 * Blue/green rebuild: fold the whole log into a shadow target, then switch the live pointer to
 * it and drop the old copy, while reads keep hitting the old copy until the switch. The
 * one-projection case of `rebuildProjections`; it throws where that one reports a failure.
 *
 * Crash safety comes from the store, not from this function's memory: the shadow is recorded in
 * the projection's state and its checkpoint is committed with every batch, so after `kill -9` the
 * next run finds the shadow (same version) and continues from its checkpoint. The lease keeps a
 * second rebuild out; it expires on its own if its holder dies.
 *
 * Hand-over with a live worker: the shadow catches up to the head, then the switch. A live worker
 * still writing to the old target gets StaleTargetError on its next commit, re-reads the live
 * pointer and resumes from the shadow's checkpoint, so the events it had projected into the old
 * copy after that point are projected again into the new one: none lost, none doubled.
 * @example await rebuildProjection({ projection: tasksProjection, eventStore, store })
 */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { projection, ...rest } = options;
  const [outcome] = await rebuildProjections({ ...rest, projections: [projection] });
  if (!outcome) throw new Error(`rebuild of ${projection.name} did not start`);
  if (isRebuildFailure(outcome)) throw outcome.error;
  return outcome;
}
