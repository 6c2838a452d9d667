import type { Position } from '@ledger/event-store';
import type { TaskEvent, TaskEventType } from '@ledger/tasks';

/** An upcasted event as a projection sees it, with where it sits in the log. */
export type ProjectedEvent = TaskEvent &
  Readonly<{
    id: string;
    streamName: string;
    revision: bigint;
    position: Position;
  }>;

/** Every read-model document: its key (unique within the projection) and its tenant. */
export interface ReadDocument {
  readonly id: string;
  readonly tenantId: string;
}

/**
 * A read model: a pure fold per document. `documentId` names the one document an event
 * touches; `evolve` returns the next document, or null to delete it. Folds import no adapter,
 * read no clock and must be deterministic: replay, rebuild and verify depend on it.
 */
export interface Projection<Doc extends ReadDocument = ReadDocument> {
  readonly name: string;
  /** Bump when the fold changes: the projector then rebuilds the read model blue/green by itself. */
  readonly version: number;
  readonly handles: readonly TaskEventType[];
  /**
   * Set when each event is a document of its own, computed from that event alone (an audit
   * trail, not an aggregate): `evolve` ignores its `doc` argument. A rebuild then reads no
   * earlier document back and keeps none in memory; the store's position guard still makes a
   * replayed event write nothing.
   */
  readonly documentPerEvent?: boolean;
  documentId(event: ProjectedEvent): string;
  evolve(doc: Doc | null, event: ProjectedEvent): Doc | null;
}
