import type { Position } from '@ledger/event-store';
import type { ReadPositionWaiter, TaskQueries, TaskReadModel } from './task-queries.port';

/**
 * `X-Min-Position` for a store with no change notification we can use (MongoDB without a
 * replica-set change stream): re-reads the checkpoints while, and only while, someone waits.
 */
export function createPollingPositionWaiter(
  queries: Pick<TaskQueries, 'position'>,
  positionKey: (position: Position) => string,
  everyMs = 10,
): ReadPositionWaiter {
  return {
    async waitForPosition(position: Position, timeoutMs: number, readModels?: readonly TaskReadModel[]) {
      const wanted = positionKey(position);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const reached = await queries.position(readModels);
        if (reached !== undefined && positionKey(reached) >= wanted) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((r) => setTimeout(r, Math.min(everyMs, Math.max(1, deadline - Date.now()))));
      }
    },
  };
}
