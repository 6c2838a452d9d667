import type { EventFilter, EventStore, Position } from '@ledger/event-store';
import type { ProjectionLag } from './projection-progress';

/**
 * Counts the events this projection handles after `checkpoint` by reading them (pages of at
 * most 1,000, up to `limit`); see ProjectionLag for why a count and not a position distance.
 * Meant for a metrics scrape or a status command, not for every batch.
 */
export async function measureLag(
  eventStore: EventStore,
  filter: EventFilter,
  checkpoint: Position | undefined,
  limit: number,
  clock: () => Date,
  projection: string,
): Promise<ProjectionLag> {
  const head = await eventStore.headPosition();
  let behind = 0;
  let oldest: Date | undefined;
  let from = checkpoint;
  while (behind < limit) {
    const pageSize = Math.min(1000, limit - behind);
    const page = await eventStore.readAll({ from, limit: pageSize, filter });
    oldest ??= page[0]?.recordedAt;
    behind += page.length;
    if (page.length < pageSize) break;
    from = page[page.length - 1].position;
  }
  const seconds = oldest ? Math.max(0, (clock().getTime() - oldest.getTime()) / 1000) : 0;
  return {
    projection,
    checkpoint,
    head,
    eventsBehind: behind,
    eventsBehindCapped: behind >= limit,
    secondsBehind: behind > 0 ? seconds : 0,
  };
}
