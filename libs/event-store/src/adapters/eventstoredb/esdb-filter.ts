import { eventTypeFilter, excludeSystemEvents, streamNameFilter, type Filter } from '@eventstore/db-client';
import type { EventFilter } from '../../core';
import { IDEMPOTENCY_STREAM_PREFIX } from './idempotency-streams';

/**
 * Events the port never shows: EventStoreDB's own ($-prefixed streams and types, which include
 * `$>` links and `$metadata`) and the ledger's bookkeeping streams that share the database
 * (idempotency keys). Otherwise head, lag and `readAll` counts would move on writes that are
 * not domain events, and the SQLite adapter (a separate table for keys) would behave differently.
 */
export const isHiddenEvent = (streamName: string, type: string): boolean =>
  type.startsWith('$') || streamName.startsWith('$') || streamName.startsWith(IDEMPOTENCY_STREAM_PREFIX);

/** Client-side check of one event against the port's filter; an empty list means "no constraint". */
export function matchesFilter(filter: EventFilter | undefined, streamName: string, type: string): boolean {
  if (isHiddenEvent(streamName, type)) return false;
  const prefixes = filter?.streamPrefixes;
  if (prefixes?.length && !prefixes.some((p) => streamName.startsWith(p))) return false;
  const types = filter?.eventTypes;
  if (types?.length && !types.includes(type)) return false;
  return true;
}

/**
 * The server filters on one dimension only (stream name or event type), so pick the one that
 * discards the most on the server and leave the rest to `matchesFilter`, which always runs.
 * Event types go first: a projection names the few types it handles, and a type list also
 * keeps system events (all `$`-typed) off the wire.
 */
export function toSubscriptionFilter(filter: EventFilter | undefined): Filter {
  const types = filter?.eventTypes?.filter((t) => !t.startsWith('$'));
  if (filter?.eventTypes?.length) {
    // Only $-types were asked for: they are hidden anyway, so match nothing on the server too.
    const alternatives = types?.length ? types.map(escapeRegex).join('|') : '(?!)';
    return eventTypeFilter({ regex: `^(?:${alternatives})$` });
  }
  if (filter?.streamPrefixes?.length) {
    return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  }
  return excludeSystemEvents();
}

/** Escapes regex metacharacters (the server uses .NET regexes, which share these). */
export const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/#\s-]/g, '\\$&');
