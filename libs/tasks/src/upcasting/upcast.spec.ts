import { evolve, initialState } from '../task.decider';
import type { TaskState } from '../task.state';
import storedEvents from './fixtures/v1-events.json';
import { missingUpcasters, upcast } from './upcast';
import { UpcastError, type StoredEvent } from './upcaster';

const v1Created = (data: object = {}, metadata: object = {}): StoredEvent => ({
  type: 'TaskCreated',
  data: { taskId: 't-1', title: 'Old', body: 'Text', assignee: 'ann', priority: 2, ...data },
  metadata: {
    tenantId: 'acme',
    actor: 'ann',
    correlationId: 'c',
    causationId: 'c',
    occurredAt: 'x',
    ...metadata,
  },
});

describe('upcast', () => {
  it('has an upcaster for every version step below the current schema', () => {
    expect(missingUpcasters()).toEqual([]);
  });

  it('turns a v1 TaskCreated into the v2 shape and stamps schemaVersion 2', () => {
    const event = upcast(v1Created({ dueDate: '2024-01-01T00:00:00Z', tags: ['x', 'y', 'x'] }));
    expect(event).toEqual({
      type: 'TaskCreated',
      data: {
        taskId: 't-1',
        title: 'Old',
        description: 'Text',
        assignee: 'ann',
        priority: 'normal',
        dueAt: '2024-01-01T00:00:00Z',
        labels: ['x', 'y'],
      },
      metadata: expect.objectContaining({ tenantId: 'acme', occurredAt: 'x', schemaVersion: 2 }),
    });
  });

  it.each([
    [1, 'low'],
    [2, 'normal'],
    [3, 'high'],
    [4, 'urgent'],
  ])('maps v1 priority %i to %s', (number, priority) => {
    expect(upcast(v1Created({ priority: number })).data).toMatchObject({ priority });
  });

  it('defaults an absent dueDate to null and absent tags to []', () => {
    expect(upcast(v1Created()).data).toMatchObject({ dueAt: null, labels: [] });
  });

  it('reads a missing schemaVersion as 1 and an explicit 1 the same way', () => {
    expect(upcast(v1Created({}, { schemaVersion: 1 }))).toEqual(upcast(v1Created()));
  });

  it('leaves an event already at the current version as it is', () => {
    const current: StoredEvent = {
      type: 'TaskStarted',
      data: { taskId: 't-1' },
      metadata: { tenantId: 'acme', occurredAt: 'x', schemaVersion: 1 },
    };
    expect(upcast(current)).toEqual(current);
  });

  it('stamps the current version on an unversioned event that needs no upcaster', () => {
    const event = upcast({ type: 'TaskStarted', data: { taskId: 't-1' }, metadata: { tenantId: 'acme' } });
    expect(event.metadata.schemaVersion).toBe(1);
  });

  it('does not touch the stored event', () => {
    const stored = v1Created();
    const copy = JSON.parse(JSON.stringify(stored));
    upcast(stored);
    expect(stored).toEqual(copy);
  });

  it.each<[string, StoredEvent, RegExp]>([
    ['an unknown type', { ...v1Created(), type: 'TaskExploded' }, /unknown task event type "TaskExploded"/],
    ['a v1 priority outside 1..4', v1Created({ priority: 5 }), /priority 5, not 1..4/],
    ['a version newer than this code', v1Created({}, { schemaVersion: 3 }), /v3 is newer than the v2/],
    [
      'a schemaVersion that is not a positive integer',
      v1Created({}, { schemaVersion: '2' }),
      /invalid schemaVersion "2"/,
    ],
    ['data that is not an object', { ...v1Created(), data: null }, /data is null/],
  ])('throws an UpcastError for %s', (_, stored, message) => {
    expect(() => upcast(stored)).toThrow(UpcastError);
    expect(() => upcast(stored)).toThrow(message);
  });

  it('throws when a step of the chain has no upcaster', () => {
    expect(() => upcast(v1Created(), [])).toThrow(/no upcaster for TaskCreated v1 -> v2/);
    expect(missingUpcasters([])).toEqual(['TaskCreated v1 -> v2']);
  });
});

describe('old streams from fixtures/v1-events.json', () => {
  const states = new Map<string, TaskState>();
  for (const stored of storedEvents as (StoredEvent & { streamName: string })[]) {
    states.set(stored.streamName, evolve(states.get(stored.streamName) ?? initialState, upcast(stored)));
  }

  it('folds a v1 task through assignment, work, a comment and completion', () => {
    expect(states.get('task-6f1c2a40-0000-4000-8000-00000000000a')).toEqual({
      exists: true,
      tenantId: 'acme',
      taskId: '6f1c2a40-0000-4000-8000-00000000000a',
      title: 'Rotate the API keys',
      description: 'Old keys leak in CI logs',
      status: 'done',
      assignee: 'dave',
      priority: 'high',
      dueAt: '2023-03-01T17:00:00Z',
      labels: ['ops', 'security'],
      commentCount: 1,
      createdAt: '2023-02-01T09:00:00.000Z',
      updatedAt: '2023-02-03T16:30:00.000Z',
    });
  });

  it('folds a v1 task with no body, dueDate or tags, then changed and archived', () => {
    expect(states.get('task-6f1c2a40-0000-4000-8000-00000000000b')).toEqual({
      exists: true,
      tenantId: 'globex',
      taskId: '6f1c2a40-0000-4000-8000-00000000000b',
      title: 'Tidy the backlog',
      description: null,
      status: 'archived',
      assignee: 'erin',
      priority: 'urgent',
      dueAt: null,
      labels: ['backlog'],
      commentCount: 0,
      createdAt: '2023-04-10T10:00:00.000Z',
      updatedAt: '2023-04-12T10:00:00.000Z',
    });
  });

  it('folds a stream already written as v2', () => {
    expect(states.get('task-6f1c2a40-0000-4000-8000-00000000000c')).toMatchObject({
      description: 'Mixed streams are fine',
      priority: 'high',
      labels: ['v2'],
      status: 'in_progress',
    });
  });
});
