import type { NewParkedEvent } from '../core/projection-store.port';
import type { DocumentDrift } from './document-diff';

/** What a check of documents against their streams found (and, for repair, fixed). */
export interface CheckTally {
  /** Stored documents compared (each counted once per check, whichever pass saw it). */
  readonly documents: number;
  readonly streams: number;
  readonly changed: number;
  readonly missing: number;
  readonly extra: number;
  /** Events the current code cannot fold (the projector parks them); a warning, not drift. */
  readonly unfoldable: number;
  /** Repair only: drifted documents rewritten or deleted. */
  readonly fixed: number;
  /** Repair only: still different after the retries (the projector kept moving them). */
  readonly unresolved: number;
  /** The first `maxFindings` drifted documents, in the order found. */
  readonly findings: readonly DocumentDrift[];
  readonly unfoldableEvents: readonly NewParkedEvent[];
  /** More was found than `findings` / `unfoldableEvents` hold; the counts are exact. */
  readonly truncated: boolean;
}

export interface DriftListener {
  (drift: DocumentDrift, outcome: 'found' | 'fixed' | 'unresolved'): void;
}

/**
 * Counts everything and keeps only the first findings: a verify of a badly drifted million-doc
 * read model must not hold a million findings. Listeners see every one as it is found.
 */
export class CheckRecorder {
  private t = {
    documents: 0,
    streams: 0,
    changed: 0,
    missing: 0,
    extra: 0,
    unfoldable: 0,
    fixed: 0,
    unresolved: 0,
    truncated: false,
  };
  private readonly findings: DocumentDrift[] = [];
  private readonly unfoldableEvents: NewParkedEvent[] = [];
  private readonly seenUnfoldable = new Set<string>();

  constructor(
    private readonly maxFindings: number,
    private readonly listener?: DriftListener,
  ) {}

  checked(documents: number, streams: number): void {
    this.t.documents += documents;
    this.t.streams += streams;
  }

  drift(d: DocumentDrift): void {
    this.t[d.kind]++;
    if (this.findings.length < this.maxFindings) this.findings.push(d);
    else this.t.truncated = true;
    this.listener?.(d, 'found');
  }

  fixed(d: DocumentDrift): void {
    this.t.fixed++;
    this.listener?.(d, 'fixed');
  }

  unresolved(d: DocumentDrift): void {
    this.t.unresolved++;
    this.listener?.(d, 'unresolved');
  }

  unfoldable(events: readonly NewParkedEvent[]): void {
    for (const e of events) {
      // The same stream can be folded twice (pass 1 and a repair retry): count each event once.
      if (this.seenUnfoldable.has(e.eventId)) continue;
      this.seenUnfoldable.add(e.eventId);
      this.t.unfoldable++;
      if (this.unfoldableEvents.length < this.maxFindings) this.unfoldableEvents.push(e);
      else this.t.truncated = true;
    }
  }

  get drifted(): number {
    return this.t.changed + this.t.missing + this.t.extra;
  }

  tally(): CheckTally {
    return { ...this.t, findings: [...this.findings], unfoldableEvents: [...this.unfoldableEvents] };
  }
}
