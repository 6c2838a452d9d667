import { LedgerError } from '@ledger/platform/errors';

/**
 * The target a worker writes to is no longer a target of the projection: a rebuild switched
 * the live pointer and dropped it. Not a failure: the worker re-reads the live pointer and
 * resumes from the new target's checkpoint.
 */
export class StaleTargetError extends LedgerError {
  readonly code = 'stale_target';
  constructor(readonly target: string) {
    super(`read-model target ${target} does not exist (switched or dropped)`, { target });
  }
}

export const isStaleTarget = (e: unknown): e is StaleTargetError => e instanceof StaleTargetError;

/** Another process holds the rebuild lease of this projection. */
export class LeaseHeldError extends LedgerError {
  readonly code = 'lease_held';
  constructor(readonly lease: string) {
    super(`lease ${lease} is held by another process; try again when it finishes or its lease expires`, {
      lease,
    });
  }
}
