import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

// Fixed forever: changing it would make retried requests produce new event ids.
const LEDGER_NAMESPACE = '6f1c1c1e-4f0e-5b7a-9a39-2f5d1b0c7e42';

/**
 * With an Idempotency-Key, ids are derived from it so the store itself dedupes a retry that
 * raced past the idempotency record; without one they are random.
 */
export function eventId(tenantId: string, idempotencyKey: string | undefined, index: number): string {
  return idempotencyKey ? uuidv5(`${tenantId}\n${idempotencyKey}\n${index}`, LEDGER_NAMESPACE) : randomUUID();
}

/** The id of a task created with an Idempotency-Key is derived too, so a retry targets the same stream. */
export function newTaskId(tenantId: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? uuidv5(`${tenantId}\n${idempotencyKey}\ntask`, LEDGER_NAMESPACE) : randomUUID();
}

export const newCommentId = (): string => randomUUID();
