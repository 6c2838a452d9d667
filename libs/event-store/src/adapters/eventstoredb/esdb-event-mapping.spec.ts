import type { AllStreamResolvedEvent, ResolvedEvent } from '@eventstore/db-client';
import { toEventData, toRecordedEvent } from './esdb-event-mapping';

// Plain values of the client's types, shaped as its gRPC conversion returns them.
const recorded = {
  streamId: 'task-1',
  id: '6f1c0e1e-4b7a-4c55-9a57-1f2b4f3f9c11',
  isJson: true as const,
  revision: 3n,
  type: 'TaskCreated',
  created: new Date('2030-01-01T00:00:00.000Z'),
  data: { title: 'x' },
  metadata: { tenantId: 't1' },
  position: { commit: 500n, prepare: 500n },
};

describe('EventStoreDB event mapping', () => {
  it('sends our id, type, data and metadata as a JSON event', () => {
    const data = toEventData({
      id: recorded.id,
      type: 'TaskCreated',
      data: { a: 1 },
      metadata: { tenantId: 't' },
    });
    expect(data).toEqual({
      id: recorded.id,
      contentType: 'application/json',
      type: 'TaskCreated',
      data: { a: 1 },
      metadata: { tenantId: 't' },
    });
  });

  it('maps a recorded event with its encoded position', () => {
    const resolved: AllStreamResolvedEvent = { event: recorded, commitPosition: 500n };
    expect(toRecordedEvent(resolved)).toEqual({
      id: recorded.id,
      streamName: 'task-1',
      revision: 3n,
      position: '00000000000000000500/00000000000000000500',
      type: 'TaskCreated',
      data: { title: 'x' },
      metadata: { tenantId: 't1' },
      recordedAt: recorded.created,
    });
  });

  it('falls back to the commit position when an older server sends no event position', () => {
    const resolved = { event: { ...recorded, position: undefined }, commitPosition: 700n } as ResolvedEvent;
    expect(toRecordedEvent(resolved)?.position).toBe('00000000000000000700/00000000000000000700');
  });

  it('refuses an event with no position at all rather than inventing one', () => {
    const resolved = { event: { ...recorded, position: undefined } } as ResolvedEvent;
    expect(() => toRecordedEvent(resolved)).toThrow(/without a position/);
  });

  it('gives {} for missing or non-object metadata', () => {
    const none = { event: { ...recorded, metadata: undefined } } as unknown as ResolvedEvent;
    const bytes = { event: { ...recorded, metadata: new Uint8Array([1]) } } as unknown as ResolvedEvent;
    expect(toRecordedEvent(none)?.metadata).toEqual({});
    expect(toRecordedEvent(bytes)?.metadata).toEqual({});
  });

  it('skips a link whose target is gone', () => {
    expect(toRecordedEvent({ commitPosition: 1n })).toBeUndefined();
  });
});
