import {
  jsonEvent,
  type AllStreamResolvedEvent,
  type EventData,
  type JSONType,
  type Position as EsdbPosition,
  type RecordedEvent as EsdbRecordedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { NewEvent, RecordedEvent } from '../../core';
import { encodePosition } from './esdb-position';

/** Our ids go to the server unchanged: that is what lets it dedupe a retried append. */
export const toEventData = (event: NewEvent): EventData =>
  jsonEvent({
    id: event.id,
    type: event.type,
    // The port types data as unknown; anything JSON.stringify accepts is fine on the wire.
    data: event.data as JSONType,
    metadata: event.metadata,
  });

/**
 * Our event from the client's. Undefined for an unresolved link (no event behind it).
 * Stream reads carry a position only on servers >= 22.6; older ones give the commit position,
 * which equals the prepare position for every event not written in a legacy TCP transaction.
 */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event as EsdbRecordedEvent | undefined;
  if (!event) return undefined;
  const position: EsdbPosition | undefined =
    event.position ??
    (resolved.commitPosition !== undefined
      ? { commit: resolved.commitPosition, prepare: resolved.commitPosition }
      : undefined);
  if (!position) {
    throw new Error(`EventStoreDB returned event ${event.id} of ${event.streamId} without a position`);
  }
  return {
    id: event.id,
    streamName: event.streamId,
    revision: event.revision,
    position: encodePosition(position),
    type: event.type,
    data: event.data,
    metadata: isPlainObject(event.metadata) ? event.metadata : {},
    recordedAt: event.created,
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
