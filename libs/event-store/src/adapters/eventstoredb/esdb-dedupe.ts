import type { NewEvent, RecordedEvent } from '../../core';

/**
 * EventStoreDB answers a deduplicated append exactly like a fresh one, so the adapter looks
 * first: if the revisions the append would occupy already hold these ids, in order, the append
 * was made before and its original result is the last of those stored events.
 */
export function isStoredAppend(
  stored: readonly Pick<RecordedEvent, 'id' | 'revision'>[],
  events: readonly Pick<NewEvent, 'id'>[],
  firstRevision: bigint,
): boolean {
  if (events.length === 0 || stored.length < events.length) return false;
  return events.every((e, i) => stored[i].revision === firstRevision + BigInt(i) && stored[i].id === e.id);
}

/**
 * For an 'any' append there is no fixed place to look, so search the whole stream for the ids
 * as a consecutive run. Returns the index of the run's last stored event.
 */
export function findStoredRun(
  stored: readonly Pick<RecordedEvent, 'id'>[],
  events: readonly Pick<NewEvent, 'id'>[],
): number | undefined {
  if (events.length === 0) return undefined;
  for (let start = 0; start + events.length <= stored.length; start++) {
    if (stored[start].id !== events[0].id) continue;
    if (events.every((e, i) => stored[start + i].id === e.id)) return start + events.length - 1;
  }
  return undefined;
}
