import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UnavailableError, ValidationError, WrongExpectedVersion } from '@ledger/platform/errors';
import type { EventStore, RecordedEvent } from '../../core';
import { caught, events, iteratorOf, namespace, nextWithin, take } from '../../testing/contract-helpers';
import { eventStoreContract } from '../../testing/event-store.contract';
import { backgroundCheckpointFiles } from '@ledger/platform/sqlite/background-checkpoints';
import { createSqliteEventStore } from './sqlite-event-store';

const dirs: string[] = [];
const tempFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-events-'));
  dirs.push(dir);
  return join(dir, 'events.db');
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

eventStoreContract({ name: 'sqlite', make: async () => createSqliteEventStore({ file: tempFile() }) });

describe('SQLite event store', () => {
  const open: EventStore[] = [];
  const make = (
    file: string,
    extra: Partial<Parameters<typeof createSqliteEventStore>[0]> = {},
  ): EventStore => {
    const store = createSqliteEventStore({ file, ...extra });
    open.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it('a second store on the same file (another process) sees appends through its subscription within 100 ms', async () => {
    const file = tempFile();
    const [writer, reader] = [make(file), make(file)];
    const sub = reader.subscribeToAll({ from: await reader.headPosition() });
    const it = iteratorOf(sub);
    try {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 30)); // let the reader go idle first
        const started = performance.now();
        const [received] = await Promise.all([
          take(it, 1, 1000),
          writer.append(`task-${i}`, events(1, 'E'), 'no_stream'),
        ]);
        expect(received[0].streamName).toBe(`task-${i}`);
        expect(performance.now() - started).toBeLessThan(100);
      }
    } finally {
      await sub.close();
    }
  });

  it('maps a write lock held by another connection to UnavailableError, then recovers', async () => {
    const file = tempFile();
    const store = make(file, { busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const e = await caught(store.append('task-1', events(1, 'E'), 'no_stream'));
      expect(e).toBeInstanceOf(UnavailableError);
      expect((e as UnavailableError).retryAfterSeconds).toBe(1);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await store.append('task-1', events(1, 'E'), 'no_stream')).nextRevision).toBe(0n);
  });

  it('maps a read-only database to UnavailableError on write, and still reads', async () => {
    const file = tempFile();
    const writer = make(file);
    await writer.append('task-1', events(2, 'E'), 'no_stream');
    const readonly = make(file, { readonly: true });
    expect(await readonly.readStream('task-1')).toHaveLength(2);
    expect(await caught(readonly.append('task-1', events(1, 'E'), 1n))).toBeInstanceOf(UnavailableError);
  });

  it('maps a file that cannot be opened to UnavailableError', () => {
    expect(() =>
      createSqliteEventStore({ file: join(tempFile(), '..', 'missing.db'), readonly: true }),
    ).toThrow(UnavailableError);
  });

  it('keeps events across a re-open and migrates an existing file only once', async () => {
    const file = tempFile();
    const first = createSqliteEventStore({ file });
    await first.append('task-1', events(2, 'E'), 'no_stream');
    await first.close();
    const again = make(file);
    expect((await again.append('task-1', events(1, 'E'), 1n)).nextRevision).toBe(2n);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it("refuses a partly stored batch with 'any' too, writing nothing", async () => {
    const store = make(tempFile());
    const batch = events(2, 'E');
    await store.append('task-1', batch, 'any');
    const e = await caught(store.append('task-1', [batch[1], ...events(1, 'E')], 'any'));
    expect(e).toBeInstanceOf(WrongExpectedVersion);
    expect((e as WrongExpectedVersion).currentRevision).toBe(1n);
    expect(await store.readStream('task-1')).toHaveLength(2);
  });

  it('refuses ids already stored in another stream and ids repeated within one batch', async () => {
    const store = make(tempFile());
    const batch = events(1, 'E');
    await store.append('task-1', batch, 'no_stream');
    expect(await caught(store.append('task-2', batch, 'no_stream'))).toBeInstanceOf(WrongExpectedVersion);
    const [e] = events(1, 'E');
    expect(await caught(store.append('task-3', [e, e], 'no_stream'))).toBeInstanceOf(ValidationError);
    expect(await caught(store.append('task-3', [], 'no_stream'))).toBeInstanceOf(ValidationError);
    expect(await store.readStream('task-2')).toEqual([]);
    expect(await store.readStream('task-3')).toEqual([]);
  });

  it('rejects positions it did not produce', async () => {
    const store = make(tempFile());
    await expect(store.readAll({ from: 'abc', limit: 1 })).rejects.toBeInstanceOf(ValidationError);
    expect(() => store.comparePositions('1', '-1')).toThrow(ValidationError);
    expect(store.positionKey('42')).toBe('00000000000000000042');
    expect(store.comparePositions('9', '10')).toBeLessThan(0);
  });

  // The limit is written into each page's SQL (limitClause), one statement per page size.
  it('reads pages of any size, mixed, and an unbounded or fractional limit', async () => {
    const store = make(tempFile());
    const ns = namespace();
    await store.append(ns.stream('a'), events(7, ns.type('E')), 'any');
    const filter = { streamPrefixes: [ns.prefix] };
    const all = await store.readAll({ limit: Number.POSITIVE_INFINITY, filter });
    expect(all).toHaveLength(7);
    expect(await store.readAll({ limit: Number.MAX_VALUE })).toHaveLength(7);
    const ids = (page: RecordedEvent[]) => page.map((e) => e.id);
    expect(ids(await store.readAll({ limit: 2, filter }))).toEqual(ids(all.slice(0, 2)));
    expect(ids(await store.readAll({ from: all[1].position, limit: 3.9, filter }))).toEqual(
      ids(all.slice(2, 5)),
    );
    expect(ids(await store.readAll({ from: all[4].position, limit: 2 }))).toEqual(ids(all.slice(5, 7)));
  });

  it('pages through a long catch-up and a filter that skips long runs of other events', async () => {
    const store = make(tempFile(), { pageSize: 7 });
    const ns = namespace();
    for (let i = 0; i < 40; i++) await store.append(ns.stream(`other-${i}`), events(1, 'Other'), 'no_stream');
    await store.append(ns.stream('wanted'), events(3, 'Wanted'), 'no_stream');
    const all = store.subscribeToAll();
    const wanted = store.subscribeToAll({ filter: { eventTypes: ['Wanted'] } });
    try {
      const got: RecordedEvent[] = await take(iteratorOf(all), 43);
      expect(got.map((e) => Number(e.position))).toEqual(Array.from({ length: 43 }, (_, i) => i + 1));
      expect((await take(iteratorOf(wanted), 3)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    } finally {
      await Promise.all([all.close(), wanted.close()]);
    }
  });

  it('live delivery interleaved with another process writing: every event once, in position order', async () => {
    const file = tempFile();
    const [here, elsewhere] = [make(file, { pollMs: 5 }), make(file)];
    const sub = here.subscribeToAll({ from: await here.headPosition() });
    const it = iteratorOf(sub);
    try {
      const received = take(it, 60, 8000);
      await new Promise((r) => setTimeout(r, 20));
      const positions: string[] = [];
      for (let i = 0; i < 60; i++) {
        // Runs of this process's appends (handed to the tail without a read) broken by the other
        // process's: the tail must notice each hole and read it.
        const writer = i % 7 < 4 ? here : elsewhere;
        positions.push((await writer.append(`task-${i}`, events(1, 'E'), 'no_stream')).position);
        if (i % 5 === 0) await new Promise((r) => setImmediate(r));
      }
      expect((await received).map((e) => e.position)).toEqual(positions);
    } finally {
      await sub.close();
    }
  });

  it('a consumer that falls behind leaves the live tail and catches up by itself, missing nothing', async () => {
    const store = make(tempFile(), { pageSize: 5 });
    const slow = store.subscribeToAll();
    const fast = store.subscribeToAll();
    const [slowIt, fastIt] = [iteratorOf(slow), iteratorOf(fast)];
    try {
      await store.append('task-0', events(1, 'E'), 'no_stream');
      await take(slowIt, 1);
      await take(fastIt, 1);
      // Both at the live edge. Now 40 events while the slow one does not pull.
      const written: string[] = [];
      for (let i = 1; i <= 40; i++) {
        const batch = events(1, 'E');
        written.push(batch[0].id);
        await store.append(`task-${i}`, batch, 'no_stream');
        if (i % 3 === 0) await new Promise((r) => setImmediate(r));
      }
      expect((await take(fastIt, 40)).map((e) => e.id)).toEqual(written);
      expect((await take(slowIt, 40)).map((e) => e.id)).toEqual(written);
      expect(await nextWithin(slowIt, 50)).toBeUndefined();
    } finally {
      await Promise.all([slow.close(), fast.close()]);
    }
  });

  it('a subscription joining the live edge from behind the others gets its whole range', async () => {
    const store = make(tempFile());
    const ahead = store.subscribeToAll();
    const aheadIt = iteratorOf(ahead);
    const first = await store.append('task-a', events(5, 'E'), 'no_stream');
    await take(aheadIt, 5);
    const late = store.subscribeToAll({ from: '2' });
    const lateIt = iteratorOf(late);
    try {
      const more = events(3, 'E');
      const pending = store.append('task-b', more, 'no_stream');
      const got = await take(lateIt, 6);
      await pending;
      expect(got.map((e) => Number(e.position))).toEqual([3, 4, 5, 6, 7, 8]);
      expect((await take(aheadIt, 3)).map((e) => e.id)).toEqual(more.map((e) => e.id));
      expect(first.position).toBe('5');
      expect(await nextWithin(aheadIt, 50)).toBeUndefined();
      expect(await nextWithin(lateIt, 50)).toBeUndefined();
    } finally {
      await Promise.all([ahead.close(), late.close()]);
    }
  });

  it('starts its checkpoint worker with its first append, not for reading', async () => {
    const file = tempFile();
    const store = make(file, { backgroundCheckpoints: true });
    await store.readAll({ limit: 10 });
    await store.headPosition();
    expect(backgroundCheckpointFiles()).not.toContain(file);
    await store.append('task-1', events(1, 'TaskCreated'), 'no_stream');
    expect(backgroundCheckpointFiles()).toContain(file);
    await store.close();
    expect(backgroundCheckpointFiles()).not.toContain(file);
  });

  it('ends open subscriptions when the store closes', async () => {
    const store = createSqliteEventStore({ file: tempFile() });
    const sub = store.subscribeToAll();
    const loop = (async () => {
      for await (const _ of sub) throw new Error('no event expected');
    })();
    await new Promise((r) => setTimeout(r, 20));
    await store.close();
    await expect(loop).resolves.toBeUndefined();
    await expect(store.append('task-1', events(1, 'E'), 'any')).rejects.toBeInstanceOf(UnavailableError);
  });
});
