import type { Position, RecordedEvent } from '@ledger/event-store';
import type { Projection, ReadDocument } from '../core/projection';
import type { NewParkedEvent } from '../core/projection-store.port';
import { parkedEventOf, toProjectedEvent, type Upcast } from '../engine/fold-batch';
import { isTransient } from '../engine/retry-policy';

/** A document as the current code computes it from the log, with the last event folded into it. */
export interface ExpectedDocument<Doc> {
  /** null: the fold deleted it (it must not exist). */
  readonly doc: Doc | null;
  readonly position: Position;
  readonly positionKey: string;
}

export interface RecomputeFold<Doc extends ReadDocument> {
  readonly projection: Projection<Doc>;
  readonly upcast: Upcast;
  readonly positionKey: (p: Position) => string;
  /**
   * Only events at or before this key are folded into document `docId` (the read model's
   * checkpoint, or the stored document's own position when it is ahead): the recomputation must
   * describe the same moment of the log as the stored document it is compared with. `docId` is
   * undefined when the event could not even be upcast. undefined: fold nothing.
   */
  readonly boundOf: (docId: string | undefined, recorded: RecordedEvent) => string | undefined;
}

/**
 * Folds events (one stream's, in revision order; or several streams one after the other) into
 * `into`, with the same pure `evolve` the projector runs. Like the engine, an event whose upcast
 * or fold throws leaves its document as it was and is returned as `unfoldable` (the engine parks
 * it), so a correct read model with parked events still compares equal.
 */
export function foldEventsInto<Doc extends ReadDocument>(
  fold: RecomputeFold<Doc>,
  events: readonly RecordedEvent[],
  into: Map<string, ExpectedDocument<Doc>>,
  unfoldable: NewParkedEvent[],
): void {
  const handles = new Set<string>(fold.projection.handles);
  for (const recorded of events) {
    if (!handles.has(recorded.type)) continue;
    const key = fold.positionKey(recorded.position);
    let docId: string | undefined;
    try {
      const event = toProjectedEvent(recorded, fold.upcast);
      docId = fold.projection.documentId(event);
      const bound = fold.boundOf(docId, recorded);
      if (bound === undefined || key > bound) continue;
      const prev = into.get(docId);
      const next = fold.projection.evolve(prev?.doc ?? null, event);
      // Streams folded one after the other (per-tenant documents) do not arrive in log order:
      // the document's position is the latest event in it, as the projector would have stored.
      const later = !prev || key > prev.positionKey;
      into.set(
        docId,
        later ? { doc: next, position: recorded.position, positionKey: key } : { ...prev, doc: next },
      );
    } catch (error) {
      if (isTransient(error)) throw error;
      // An event the engine would park: outside the bound it would not have been folded at all.
      const bound = fold.boundOf(docId, recorded);
      if (bound === undefined || key > bound) continue;
      unfoldable.push(parkedEventOf(fold.projection.name, recorded, key, error));
    }
  }
}

/** The greater of two position keys (undefined = before the first event). */
export const maxKey = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : a > b ? a : b;
