import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@ledger/event-store/core';
import { createSqliteEventStore } from '@ledger/event-store/adapters/sqlite/sqlite-event-store';
import { RuleViolation, WrongExpectedVersion } from '@ledger/platform/errors';
import type { TaskCommand } from '@ledger/tasks';
import type { CommandOptions } from './command-options';
import { TaskCommandExecutor } from './task-command.executor';

const metadata = { tenantId: 't1', actor: 'ann', now: '2026-01-01T00:00:00.000Z' };
const options = (extra: Partial<CommandOptions> = {}): CommandOptions => ({
  correlationId: 'c',
  causationId: 'c',
  ...extra,
});
const create = (taskId: string): TaskCommand => ({
  type: 'CreateTask',
  data: { taskId, title: 'a task' },
  metadata,
});
const cmd = (type: 'StartTask' | 'CompleteTask' | 'ReopenTask', taskId: string): TaskCommand =>
  ({ type, data: { taskId }, metadata }) as TaskCommand;
const assign = (taskId: string, assignee: string): TaskCommand => ({
  type: 'AssignTask',
  data: { taskId, assignee },
  metadata,
});

/** Counts the stream reads an executor makes, to tell a cached decision from a fresh one. */
const counting = (store: EventStore) => {
  const counter = { reads: 0, store: store };
  counter.store = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readStream') {
        return (stream: string) => {
          counter.reads++;
          return target.readStream(stream);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return counter;
};

describe('TaskCommandExecutor', () => {
  let dir: string;
  let store: EventStore;
  /** A second connection to the same file: another process as far as signals and caches go. */
  let other: EventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'executor-'));
    store = createSqliteEventStore({ file: join(dir, 'events.db') });
    other = createSqliteEventStore({ file: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decides on the state it appended, without reading the stream again', async () => {
    const c = counting(store);
    const executor = new TaskCommandExecutor(c.store);
    const id = randomUUID();
    expect(await executor.execute(create(id), options())).toMatchObject({ id, revision: 0 });
    expect(await executor.execute(cmd('StartTask', id), options())).toMatchObject({ revision: 1 });
    expect(await executor.execute(cmd('CompleteTask', id), options())).toMatchObject({ revision: 2 });
    expect(c.reads).toBe(0);
    expect((await store.readStream(`task-${id}`)).map((e) => e.type)).toEqual([
      'TaskCreated',
      'TaskStarted',
      'TaskCompleted',
    ]);
  });

  it('reads a task it does not know once, then decides from memory', async () => {
    const id = randomUUID();
    await new TaskCommandExecutor(other).execute(create(id), options());
    const c = counting(store);
    const executor = new TaskCommandExecutor(c.store);
    await executor.execute(cmd('StartTask', id), options());
    await executor.execute(assign(id, 'bob'), options());
    expect(c.reads).toBe(1);
  });

  it('decides again on a fresh read when another process appended meanwhile', async () => {
    const id = randomUUID();
    const executor = new TaskCommandExecutor(store);
    await executor.execute(create(id), options());
    // Another process starts the task: this executor's cached state says todo at revision 0.
    await new TaskCommandExecutor(other).execute(cmd('StartTask', id), options());
    const result = await executor.execute(assign(id, 'bob'), options());
    expect(result.revision).toBe(2);
    const events = await store.readStream(`task-${id}`);
    expect(events.map((e) => [e.type, e.revision])).toEqual([
      ['TaskCreated', 0n],
      ['TaskStarted', 1n],
      ['TaskAssigned', 2n],
    ]);
  });

  it('answers a rule violation from the store, not from a stale cache', async () => {
    const id = randomUUID();
    const executor = new TaskCommandExecutor(store);
    await executor.execute(create(id), options());
    await executor.execute(cmd('StartTask', id), options());
    await executor.execute(cmd('CompleteTask', id), options());
    // Elsewhere the task is reopened: the cache says done, where reopen would be refused... and
    // start would be refused too. The store says todo, where start is allowed.
    await new TaskCommandExecutor(other).execute(cmd('ReopenTask', id), options());
    expect(await executor.execute(cmd('StartTask', id), options())).toMatchObject({ revision: 4 });
  });

  it('appends what a stale cache would call "unchanged"', async () => {
    const id = randomUUID();
    const executor = new TaskCommandExecutor(store);
    await executor.execute(create(id), options());
    await executor.execute(assign(id, 'ann'), options());
    await new TaskCommandExecutor(other).execute(assign(id, 'bob'), options());
    // The cache says ann is the assignee already; the store says bob.
    expect(await executor.execute(assign(id, 'ann'), options())).toMatchObject({ revision: 3 });
    const last = (await store.readStream(`task-${id}`)).at(-1)!;
    expect([last.type, last.data]).toEqual(['TaskAssigned', { taskId: id, assignee: 'ann' }]);
  });

  it('still refuses a rule violation that the store confirms', async () => {
    const id = randomUUID();
    const executor = new TaskCommandExecutor(store);
    await executor.execute(create(id), options());
    await executor.execute(cmd('StartTask', id), options());
    await expect(executor.execute(cmd('StartTask', id), options())).rejects.toBeInstanceOf(RuleViolation);
    expect(await store.readStream(`task-${id}`)).toHaveLength(2);
  });

  describe('If-Match', () => {
    it('the client revision decides: stale against the store -> 409 with the actual revision', async () => {
      const id = randomUUID();
      const executor = new TaskCommandExecutor(store);
      await executor.execute(create(id), options());
      await new TaskCommandExecutor(other).execute(assign(id, 'bob'), options());
      // The client saw revision 0, as the cache did; the store is at 1.
      const error = await executor
        .execute(cmd('StartTask', id), options({ expectedRevision: 0n }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongExpectedVersion);
      expect((error as WrongExpectedVersion).currentRevision).toBe(1n);
      expect(await store.readStream(`task-${id}`)).toHaveLength(2);
    });

    it('a client that saw more than the cache did is checked against the store', async () => {
      const id = randomUUID();
      const executor = new TaskCommandExecutor(store);
      await executor.execute(create(id), options());
      await new TaskCommandExecutor(other).execute(assign(id, 'bob'), options());
      // The client saw revision 1 (written elsewhere); the cache only knows revision 0.
      expect(await executor.execute(cmd('StartTask', id), options({ expectedRevision: 1n }))).toMatchObject({
        revision: 2,
      });
    });
  });

  it('with an Idempotency-Key reads the stream and answers a lost record from it', async () => {
    const id = randomUUID();
    const executor = new TaskCommandExecutor(store);
    await executor.execute(create(id), options());
    const first = await executor.execute(cmd('StartTask', id), options({ idempotencyKey: 'k1' }));
    // The same request again (its idempotency record was lost): the derived event ids say it was
    // applied, so it is not decided again (which would be a rule violation: already started).
    expect(await executor.execute(cmd('StartTask', id), options({ idempotencyKey: 'k1' }))).toEqual(first);
    expect(await store.readStream(`task-${id}`)).toHaveLength(2);
  });

  it('concurrent writers on one task in this process: each success is stored at its revision', async () => {
    const id = randomUUID();
    const executor = new TaskCommandExecutor(store);
    await executor.execute(create(id), options());
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => executor.execute(assign(id, `user-${i}`), options())),
    );
    const events = await store.readStream(`task-${id}`);
    const succeeded = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.revision] : []));
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(succeeded.length).toBeGreaterThan(1);
    expect(failed.every((e) => e instanceof WrongExpectedVersion)).toBe(true);
    expect(events.map((e) => Number(e.revision))).toEqual([0, ...[...succeeded].sort((a, b) => a - b)]);
    // And the cache ends where the store is: the next command needs no retry to land after them.
    expect(await executor.execute(cmd('StartTask', id), options())).toMatchObject({
      revision: events.length,
    });
  });
});
