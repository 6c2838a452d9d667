import { isUnavailable } from '@ledger/platform/errors';
import type { RecordedEvent } from '../../core';
import type { PageSource } from './sqlite-event-queries';

/** A subscription at the live edge, fed by the tail instead of reading the file itself. */
export interface TailMember {
  /** Everything up to this row id has been taken (or did not match). Only moves forward. */
  cursor: number;
  /** The log from the tail's cursor up to row id `next`; takes what is after its own cursor. */
  receive(events: readonly RecordedEvent[], next: number): void;
  /** The log cannot be read, and not for a passing reason: the member ends with this error. */
  fail(error: unknown): void;
}

export interface LiveTailOptions {
  /** Most events one read takes; a longer backlog is read in further turns. */
  readonly pageSize: number;
  /** How often to look for commits of other processes (no signal crosses processes). */
  readonly pollMs: number;
}

const MAX_BACKOFF_MS = 1000;

/**
 * One reader of the live end of the log for every subscription of this store that has caught
 * up: a burst of appends costs one read (or none, see `committed`) however many subscriptions
 * there are and however many appends the burst holds, instead of one read per subscription per
 * append. Reads run on `setImmediate`, so every append of one turn of the event loop lands in
 * the same read, and a subscriber still sees an event within that turn.
 *
 * The tail reads from the lowest cursor among its members and each member keeps only what lies
 * after its own cursor, so a member may join at any position without a gap or a duplicate.
 * It reads unfiltered: members filter in memory, and an idle tail's cursor still moves to the
 * head (no rescan of non-matching rows).
 */
export class SqliteLiveTail {
  private cursor = 0;
  private readonly members = new Set<TailMember>();
  private flushQueued = false;
  private pollTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private backoff = 10;
  /**
   * Events this process committed right after `handoffEnd`, which starts at the cursor: while
   * they follow on without a hole, no other process wrote in between, and they are handed out
   * as they are, without reading them back.
   */
  private handoff: RecordedEvent[] = [];
  private handoffEnd = 0;
  private mustRead = true;

  constructor(
    private readonly source: PageSource,
    private readonly options: LiveTailOptions,
  ) {}

  /** Whether `committed` has any use for the events (building them costs a little). */
  get active(): boolean {
    return this.members.size > 0;
  }

  join(member: TailMember): void {
    if (this.members.size === 0 || member.cursor < this.cursor) {
      // A lower cursor: read again from there; the members already past it skip what they have.
      this.cursor = member.cursor;
      this.resetHandoff();
      this.mustRead = true;
    }
    this.members.add(member);
    this.pollTimer ??= setInterval(() => this.poll(), this.options.pollMs);
    if (this.mustRead) this.schedule();
  }

  leave(member: TailMember): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    this.stopTimers();
    this.resetHandoff();
    this.mustRead = true;
  }

  /**
   * Called right after this process committed `events` (consecutive row ids). When they start
   * exactly where the tail's knowledge ends, nothing can lie between (SQLite has one writer at
   * a time and never hands out a lower row id later), so they need no read.
   */
  committed(events: readonly RecordedEvent[]): void {
    if (this.members.size === 0) return;
    if (!this.mustRead && events.length > 0 && Number(events[0].position) === this.handoffEnd + 1) {
      for (const e of events) this.handoff.push(e);
      this.handoffEnd = Number(events[events.length - 1].position);
    } else {
      this.resetHandoff();
      this.mustRead = true;
    }
    this.schedule();
  }

  /** Stops for good (the store closes); members are closed by the store. */
  close(): void {
    this.members.clear();
    this.stopTimers();
    this.resetHandoff();
  }

  private poll(): void {
    this.mustRead = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.flushQueued || this.retryTimer) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.members.size === 0) return;
    if (!this.mustRead) {
      if (this.handoff.length === 0) return;
      const events = this.handoff;
      const next = this.handoffEnd;
      this.handoff = [];
      this.deliver(events, next);
      return;
    }
    let page;
    try {
      page = this.source.readPage(this.cursor, this.options.pageSize, undefined);
    } catch (e) {
      if (!isUnavailable(e)) {
        for (const member of [...this.members]) member.fail(e);
        this.close();
        return;
      }
      // A locked or briefly unreadable file is retried, as "resumes after a dropped connection".
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.schedule();
      }, this.backoff);
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      return;
    }
    this.backoff = 10;
    this.resetHandoff(page.next);
    // A full page may have more behind it: read on in the next turn, after the members ran.
    this.mustRead = page.events.length >= this.options.pageSize;
    this.deliver(page.events, page.next);
    if (this.mustRead) this.schedule();
  }

  private deliver(events: readonly RecordedEvent[], next: number): void {
    this.cursor = Math.max(this.cursor, next);
    if (this.handoff.length === 0) this.handoffEnd = Math.max(this.handoffEnd, this.cursor);
    // A member may leave while receiving (it fell behind): iterate over a copy.
    for (const member of [...this.members]) member.receive(events, next);
  }

  private resetHandoff(end = this.cursor): void {
    this.handoff = [];
    this.handoffEnd = end;
  }

  private stopTimers(): void {
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    this.pollTimer = undefined;
    this.retryTimer = undefined;
    this.flushQueued = false;
  }
}
