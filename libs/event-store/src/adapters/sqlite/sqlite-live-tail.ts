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
 * up, instead of one read per subscription per append. This process's own commits are handed
 * to the members as they were stored, at once and without a read (see `committed`); a read is
 * needed only for what other processes wrote, found by a poll or by a hole before our own
 * commit, and one read then serves every member.
 *
 * The tail reads from the lowest cursor among its members and each member keeps only what lies
 * after its own cursor, so a member may join at any position without a gap or a duplicate.
 * It reads unfiltered: members filter in memory, and an idle tail's cursor still moves to the
 * head (no rescan of non-matching rows).
 */
export class SqliteLiveTail {
  private cursor = 0;
  private readonly members = new Set<TailMember>();
  private pollTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private moreQueued = false;
  private backoff = 10;

  constructor(
    private readonly source: PageSource,
    private readonly options: LiveTailOptions,
  ) {}

  /** Whether `committed` has any use for the events (building them costs a little). */
  get active(): boolean {
    return this.members.size > 0;
  }

  join(member: TailMember): void {
    const first = this.members.size === 0;
    this.members.add(member);
    this.pollTimer ??= setInterval(() => this.read(), this.options.pollMs);
    if (first) {
      // It has just read up to the head itself: the tail knows the log up to there.
      this.cursor = member.cursor;
    } else if (member.cursor < this.cursor) {
      // Read again from the lower cursor; the members already past it skip what they have.
      this.cursor = member.cursor;
      this.read();
    }
  }

  leave(member: TailMember): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    this.stopTimers();
  }

  /**
   * Called right after this process committed `events` (consecutive row ids). When they start
   * right after the tail's cursor, nothing can lie between (SQLite has one writer at a time and
   * never hands out a lower row id later), so they are delivered as they are; otherwise another
   * process wrote in between, and one read takes both.
   */
  committed(events: readonly RecordedEvent[]): void {
    if (this.members.size === 0 || events.length === 0) return;
    if (this.retryTimer || this.moreQueued) return; // a read is coming anyway, from the cursor
    if (Number(events[0].position) === this.cursor + 1) {
      this.deliver(events, Number(events[events.length - 1].position));
    } else {
      this.read();
    }
  }

  /** Stops for good (the store closes); members are closed by the store. */
  close(): void {
    this.members.clear();
    this.stopTimers();
  }

  private read(): void {
    if (this.members.size === 0 || this.retryTimer) return;
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
        this.read();
      }, this.backoff);
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      return;
    }
    this.backoff = 10;
    this.deliver(page.events, page.next);
    if (page.events.length >= this.options.pageSize && !this.moreQueued) {
      // A full page may have more behind it: read on in the next turn, after the members ran.
      this.moreQueued = true;
      setImmediate(() => {
        this.moreQueued = false;
        this.read();
      });
    }
  }

  private deliver(events: readonly RecordedEvent[], next: number): void {
    this.cursor = Math.max(this.cursor, next);
    // A member may leave while receiving (it fell behind): iterate over a copy. This runs inside
    // an append that has committed, so nothing may escape from here into its caller.
    for (const member of [...this.members]) {
      try {
        member.receive(events, next);
      } catch (e) {
        this.members.delete(member);
        member.fail(e);
      }
    }
    if (this.members.size === 0) this.stopTimers();
  }

  private stopTimers(): void {
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    this.pollTimer = undefined;
    this.retryTimer = undefined;
  }
}
