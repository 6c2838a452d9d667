import type { RecordedEvent } from '@ledger/event-store';
import { statsProjection, tasksProjection } from '@ledger/read-models/projections';
import { upcast } from '@ledger/tasks';
import type { Projection, ReadDocument } from '../core/projection';
import type { NewParkedEvent } from '../core/projection-store.port';
import { foldEventsInto, type ExpectedDocument } from './recompute-fold';

const at = (
  position: number,
  stream: string,
  revision: number,
  type: string,
  data: object,
): RecordedEvent => ({
  id: `e${position}`,
  streamName: `task-${stream}`,
  revision: BigInt(revision),
  position: String(position),
  type,
  data: { taskId: stream, ...data },
  metadata: {
    tenantId: 'acme',
    actor: 'a',
    correlationId: 'c',
    causationId: 'c',
    occurredAt: '2030-01-01T00:00:00.000Z',
    schemaVersion: type === 'TaskCreated' ? 2 : 1,
  },
  recordedAt: new Date(0),
});
const created = (p: number, s: string) =>
  at(p, s, 0, 'TaskCreated', {
    title: 't',
    description: null,
    assignee: null,
    priority: 'normal',
    dueAt: null,
    labels: [],
  });
const key = (p: string) => p.padStart(20, '0');

function fold(projection: Projection<never>, streams: RecordedEvent[][], bound = 1000) {
  const into = new Map<string, ExpectedDocument<ReadDocument>>();
  const unfoldable: NewParkedEvent[] = [];
  const f = {
    projection: projection as Projection<ReadDocument>,
    upcast,
    positionKey: key,
    boundOf: () => key(String(bound)),
  };
  for (const events of streams) foldEventsInto(f, events, into, unfoldable);
  return { into, unfoldable };
}

describe('foldEventsInto', () => {
  it('a document folded from several streams out of log order keeps the position of its latest event', () => {
    const a = [created(1, 'a'), at(5, 'a', 1, 'TaskStarted', {})];
    const b = [created(2, 'b')];
    const { into } = fold(statsProjection as Projection<never>, [a, b]);
    expect(into.get('acme')).toMatchObject({
      position: '5',
      positionKey: key('5'),
      doc: { total: 2, byStatus: { todo: 1, in_progress: 1 } },
    });
  });

  it('folds nothing after the bound, and reports an event the fold rejects without changing the document', () => {
    const events = [
      created(1, 'a'),
      at(2, 'a', 1, 'TaskCreated', { title: 'again', labels: [] }),
      at(3, 'a', 2, 'TaskStarted', {}),
      at(9, 'a', 3, 'TaskCompleted', { previousStatus: 'in_progress' }),
    ];
    const { into, unfoldable } = fold(tasksProjection as Projection<never>, [events], 3);
    expect(into.get('a')).toMatchObject({ position: '3', doc: { status: 'in_progress', revision: 2 } });
    expect(unfoldable).toEqual([
      expect.objectContaining({
        eventId: 'e2',
        position: '2',
        error: expect.stringMatching(/already exists/),
      }),
    ]);
  });
});
