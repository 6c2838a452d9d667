import type { RecordedEvent } from '@ledger/event-store';
import type { TaskEvent } from '@ledger/tasks';
import type { ProjectedEvent, Projection, ReadDocument } from '../core/projection';
import type { DocumentWrite, NewParkedEvent, StoredDocument } from '../core/projection-store.port';
import { isTransient } from './retry-policy';

export type Upcast = (stored: RecordedEvent) => TaskEvent;

/** One event of a batch, upcast and keyed, or the reason it cannot be (then it is parked). */
export type PreparedEvent =
  | {
      readonly ok: true;
      readonly recorded: RecordedEvent;
      readonly event: ProjectedEvent;
      readonly docId: string;
      readonly key: string;
    }
  | { readonly ok: false; readonly recorded: RecordedEvent; readonly key: string; readonly error: unknown };

export interface FoldResult<Doc> {
  readonly writes: DocumentWrite<Doc>[];
  readonly parked: NewParkedEvent[];
  /** Events folded into a document (not skipped, not parked). */
  readonly applied: number;
  /** Events at or before their document's stored position: already in the read model. */
  readonly skipped: number;
}

export const describeError = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : `thrown non-error: ${String(e)}`;

/**
 * The upcast event as a fold sees it, with where it sits in the log. Built field by field rather
 * than spread: it runs once per event of every rebuild, where the spread's copy showed up.
 */
export const toProjectedEvent = (recorded: RecordedEvent, upcast: Upcast): ProjectedEvent => {
  const event = upcast(recorded);
  return {
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    id: recorded.id,
    streamName: recorded.streamName,
    revision: recorded.revision,
    position: recorded.position,
  } as ProjectedEvent;
};

/** The parked record of an event whose upcast or fold threw. */
export const parkedEventOf = (
  projection: string,
  recorded: RecordedEvent,
  positionKey: string,
  error: unknown,
): NewParkedEvent => ({
  projection,
  position: recorded.position,
  positionKey,
  eventId: recorded.id,
  streamName: recorded.streamName,
  eventType: recorded.type,
  error: describeError(error),
});

/** The upcast event, or why it cannot be upcast (then every projection that handles it parks it). */
export type Upcasted = { readonly event: ProjectedEvent } | { readonly error: unknown };

/** Upcasts one event; transient failures (a store down) are thrown, anything else is kept to park. */
export function upcastEvent(recorded: RecordedEvent, upcast: Upcast): Upcasted {
  try {
    return { event: toProjectedEvent(recorded, upcast) };
  } catch (error) {
    if (isTransient(error)) throw error;
    return { error };
  }
}

/** Names the document of an upcast event for `projection`, or says why the event is parked. */
export function prepareEvent(
  recorded: RecordedEvent,
  key: string,
  upcasted: Upcasted,
  projection: Projection<ReadDocument>,
): PreparedEvent {
  if ('error' in upcasted) return { ok: false, recorded, key, error: upcasted.error };
  try {
    return { ok: true, recorded, event: upcasted.event, docId: projection.documentId(upcasted.event), key };
  } catch (error) {
    if (isTransient(error)) throw error;
    return { ok: false, recorded, key, error };
  }
}

/**
 * Upcasts each event and names its document. Done once per batch, outside the retry loop:
 * it is pure, so a retry of the batch would compute the same thing.
 */
export function prepareBatch(
  events: readonly RecordedEvent[],
  projection: Projection<ReadDocument>,
  upcast: Upcast,
  positionKey: (p: string) => string,
): PreparedEvent[] {
  return events.map((recorded) =>
    prepareEvent(recorded, positionKey(recorded.position), upcastEvent(recorded, upcast), projection),
  );
}

export const documentIds = (prepared: readonly PreparedEvent[]): string[] => [
  ...new Set(prepared.flatMap((p) => (p.ok ? [p.docId] : []))),
];

interface Working<Doc> {
  doc: Doc | null;
  positionKey?: string;
  position?: string;
  dirty: boolean;
}

/**
 * Folds a batch in memory over the documents loaded for it. An event at or before its
 * document's stored position is skipped: that is what makes a replayed batch (after a crash
 * between the document writes and the checkpoint, or a restart) apply nothing twice, even for
 * accumulators like stats. A fold that throws parks its event; the document keeps the state it
 * had before that event and later events still fold. UnavailableError from a fold is rethrown:
 * the whole batch is retried.
 */
export function foldBatch<Doc extends ReadDocument>(
  projection: Projection<Doc>,
  prepared: readonly PreparedEvent[],
  loaded: ReadonlyMap<string, StoredDocument<Doc>>,
): FoldResult<Doc> {
  const docs = new Map<string, Working<Doc>>();
  const parked: NewParkedEvent[] = [];
  let applied = 0;
  let skipped = 0;
  const park = (recorded: RecordedEvent, key: string, error: unknown) =>
    parked.push(parkedEventOf(projection.name, recorded, key, error));

  for (const p of prepared) {
    if (!p.ok) {
      park(p.recorded, p.key, p.error);
      continue;
    }
    let working = docs.get(p.docId);
    if (!working) {
      const stored = loaded.get(p.docId);
      working = {
        doc: stored?.doc ?? null,
        positionKey: stored?.positionKey,
        position: stored?.position,
        dirty: false,
      };
      docs.set(p.docId, working);
    }
    if (working.positionKey !== undefined && p.key <= working.positionKey) {
      skipped++;
      continue;
    }
    let next: Doc | null;
    try {
      next = projection.evolve(working.doc, p.event);
    } catch (error) {
      if (isTransient(error)) throw error;
      park(p.recorded, p.key, error);
      continue;
    }
    working.doc = next;
    working.positionKey = p.key;
    working.position = p.recorded.position;
    working.dirty = true;
    applied++;
  }

  const writes: DocumentWrite<Doc>[] = [];
  for (const [id, w] of docs) {
    if (w.dirty) writes.push({ id, doc: w.doc, position: w.position!, positionKey: w.positionKey! });
  }
  return { writes, parked, applied, skipped };
}
