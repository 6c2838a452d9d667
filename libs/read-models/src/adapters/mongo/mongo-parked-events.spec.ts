import { parkOperations, parkedPageFilter, toParked } from './mongo-parked-events';

const now = new Date('2030-01-01T00:00:00Z');
const event = {
  projection: 'tasks',
  eventId: 'e1',
  position: '3',
  positionKey: 'k3',
  streamName: 'task-1',
  eventType: 'TaskStarted',
  error: 'boom',
};

describe('parkOperations', () => {
  it('upserts by `${projection}:${eventId}`, counting attempts and keeping the latest error', () => {
    expect(parkOperations([event], now)).toEqual([
      {
        updateOne: {
          filter: { _id: 'tasks:e1' },
          update: {
            $setOnInsert: {
              projection: 'tasks',
              position: '3',
              positionKey: 'k3',
              eventId: 'e1',
              streamName: 'task-1',
              eventType: 'TaskStarted',
            },
            $set: { error: 'boom', parkedAt: now },
            $inc: { attempts: 1 },
          },
          upsert: true,
        },
      },
    ]);
  });
});

describe('parkedPageFilter', () => {
  it('filters by projection, or not at all', () => {
    expect(parkedPageFilter('tasks')).toEqual({ projection: 'tasks' });
    expect(parkedPageFilter(undefined)).toEqual({});
  });

  it('continues strictly after the (positionKey, id) of the previous page', () => {
    expect(parkedPageFilter('tasks', { _id: 'tasks:e9', positionKey: 'k9' })).toEqual({
      projection: 'tasks',
      $or: [{ positionKey: { $gt: 'k9' } }, { positionKey: 'k9', _id: { $gt: 'tasks:e9' } }],
    });
  });

  it('has no page after a record that no longer exists', () => {
    expect(parkedPageFilter('tasks', null)).toBeNull();
  });
});

it('maps a record to the port shape', () => {
  expect(toParked({ _id: 'tasks:e1', ...event, attempts: 2, parkedAt: now })).toEqual({
    id: 'tasks:e1',
    ...event,
    attempts: 2,
    parkedAt: now,
  });
});
