import { UnavailableError } from '@ledger/platform/errors';
import type { RecordedEvent } from '../../core';
import type { Page, PageSource } from './sqlite-event-queries';
import { SqliteLiveTail, type TailMember } from './sqlite-live-tail';

/** The log as a SQLite file would hold it: row ids from 1, read in pages after a cursor. */
class FakeLog implements PageSource {
  readonly rows: RecordedEvent[] = [];
  reads = 0;
  failWith?: unknown;

  write(n: number): RecordedEvent[] {
    const written = Array.from({ length: n }, () => {
      const position = this.rows.length + 1;
      const e: RecordedEvent = {
        id: `e${position}`,
        streamName: `task-${position}`,
        revision: 0n,
        position: String(position),
        type: 'E',
        data: {},
        metadata: {},
        recordedAt: new Date(0),
      };
      this.rows.push(e);
      return e;
    });
    return written;
  }

  readPage(after: number, limit: number): Page {
    this.reads++;
    if (this.failWith) throw this.failWith;
    const events = this.rows.slice(after, after + limit);
    return { events, next: events.length ? Number(events[events.length - 1].position) : after };
  }
}

const member = (cursor: number) => {
  const m = {
    cursor,
    got: [] as string[],
    failed: undefined as unknown,
    receive(events: readonly RecordedEvent[], next: number) {
      for (const e of events) if (Number(e.position) > m.cursor) m.got.push(e.position);
      m.cursor = Math.max(m.cursor, next);
    },
    fail(e: unknown) {
      m.failed = e;
    },
  };
  return m satisfies TailMember;
};

const turn = () => new Promise((r) => setImmediate(r));

describe('SqliteLiveTail', () => {
  let log: FakeLog;
  let tail: SqliteLiveTail;
  beforeEach(() => {
    log = new FakeLog();
    // A poll too slow to interfere: these tests count reads.
    tail = new SqliteLiveTail(log, { pageSize: 100, pollMs: 60_000 });
  });
  afterEach(() => tail.close());

  it("hands this process's own commits to every member at once, without reading them back", () => {
    log.write(3);
    const members = [member(3), member(3), member(3)];
    members.forEach((m) => tail.join(m));
    for (let i = 0; i < 10; i++) tail.committed(log.write(1));
    expect(log.reads).toBe(0);
    for (const m of members) expect(m.got).toEqual(['4', '5', '6', '7', '8', '9', '10', '11', '12', '13']);
  });

  it('reads once, for every member, when another process wrote before our commit', () => {
    const members = [member(0), member(0), member(0)];
    members.forEach((m) => tail.join(m));
    tail.committed(log.write(2));
    log.write(1); // another process: no signal here
    tail.committed(log.write(2)); // leaves a hole after the tail's cursor
    tail.committed(log.write(1));
    expect(log.reads).toBe(1);
    for (const m of members) expect(m.got).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('a member joining below the others makes the tail read its range again; the others skip it', () => {
    log.write(5);
    const ahead = member(5);
    tail.join(ahead);
    const behind = member(2);
    tail.join(behind);
    tail.committed(log.write(1));
    expect(behind.got).toEqual(['3', '4', '5', '6']);
    expect(ahead.got).toEqual(['6']);
  });

  it('reads a backlog longer than a page in several turns', async () => {
    tail = new SqliteLiveTail(log, { pageSize: 4, pollMs: 60_000 });
    const m = member(0);
    tail.join(m);
    log.write(9); // another process
    tail.committed(log.write(1)); // a hole before it: read
    expect(m.got).toHaveLength(4);
    await turn();
    await turn();
    expect(m.got).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it('retries a read that failed as unavailable; fails its members on any other error', async () => {
    const m = member(0);
    tail.join(m);
    log.write(2); // another process
    log.failWith = new UnavailableError('locked');
    tail.committed(log.write(1));
    expect(m.failed).toBeUndefined();
    expect(m.got).toEqual([]);
    log.failWith = undefined;
    await new Promise((r) => setTimeout(r, 30));
    expect(m.got).toEqual(['1', '2', '3']);

    log.failWith = new Error('disk image is malformed');
    log.write(1);
    tail.committed(log.write(1));
    expect(m.failed).toBe(log.failWith);
    expect(tail.active).toBe(false);
  });

  it('polls for commits of other processes while it has members, and stops when the last leaves', async () => {
    tail = new SqliteLiveTail(log, { pageSize: 100, pollMs: 5 });
    const m = member(0);
    tail.join(m);
    log.write(2); // another process
    await new Promise((r) => setTimeout(r, 40));
    expect(m.got).toEqual(['1', '2']);
    tail.leave(m);
    const reads = log.reads;
    await new Promise((r) => setTimeout(r, 40));
    expect(log.reads).toBe(reads);
  });
});
