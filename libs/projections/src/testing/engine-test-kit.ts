import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, type EventStore, type NewEvent } from '@ledger/event-store';
import { CURRENT_SCHEMA_VERSION, type TaskEventType } from '@ledger/tasks';
import type { Projection, ReadDocument } from '../core';

/** A temp directory removed by `cleanup`, with a real SQLite event store in it. */
export interface TempEventStore {
  readonly dir: string;
  readonly eventStore: EventStore;
  cleanup(): Promise<void>;
}

export function tempEventStore(): TempEventStore {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-engine-'));
  const eventStore = createSqliteEventStore({ file: join(dir, 'events.db') });
  return {
    dir,
    eventStore,
    cleanup: async () => {
      await eventStore.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Per-tenant event counts: an accumulator, so an event applied twice or lost shows up as a wrong
 * number (like stats). A TaskCreated whose title starts with "poison" makes the fold throw.
 */
export interface CountsDoc extends ReadDocument {
  readonly total: number;
  readonly byType: Readonly<Record<string, number>>;
}

export const countsProjection: Projection<CountsDoc> = {
  name: 'counts',
  version: 1,
  handles: ['TaskCreated', 'TaskStarted', 'CommentAdded'],
  documentId: (e) => e.metadata.tenantId,
  evolve: (doc, e) => {
    if (e.type === 'TaskCreated' && e.data.title.startsWith('poison'))
      throw new Error(`poisoned: ${e.data.title}`);
    const d = doc ?? { id: e.metadata.tenantId, tenantId: e.metadata.tenantId, total: 0, byType: {} };
    return { ...d, total: d.total + 1, byType: { ...d.byType, [e.type]: (d.byType[e.type] ?? 0) + 1 } };
  },
};

const metadata = (type: TaskEventType, tenantId: string) => ({
  tenantId,
  actor: 'test',
  correlationId: randomUUID(),
  causationId: randomUUID(),
  occurredAt: new Date().toISOString(),
  schemaVersion: CURRENT_SCHEMA_VERSION[type],
});

export const taskCreated = (taskId: string, tenantId = 't1', title = `task ${taskId}`): NewEvent => ({
  id: randomUUID(),
  type: 'TaskCreated',
  data: { taskId, title, description: null, assignee: null, priority: 'normal', dueAt: null, labels: [] },
  metadata: metadata('TaskCreated', tenantId),
});

export const taskEvent = (type: TaskEventType, data: Record<string, unknown>, tenantId = 't1'): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: metadata(type, tenantId),
});

/** Creates `n` tasks (one stream each) and returns their ids. */
export async function createTasks(
  eventStore: EventStore,
  n: number,
  tenantId = 't1',
  title?: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    await eventStore.append(`task-${id}`, [taskCreated(id, tenantId, title)], 'no_stream');
    ids.push(id);
  }
  return ids;
}

/** Waits for a condition that the code under test signals asynchronously; fails after `ms`. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
