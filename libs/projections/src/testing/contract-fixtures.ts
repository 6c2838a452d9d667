import type { Checkpoint, DocumentWrite, NewParkedEvent, ProjectionStore } from '../core';

/** A document shape the contract writes; adapters store any JSON document. */
export interface CounterDoc {
  readonly id: string;
  readonly tenantId: string;
  readonly n: number;
  readonly labels?: readonly string[];
}

/** Positions are plain integers here; their key is zero-padded like the SQLite event store's. */
export const key = (n: number): string => String(n).padStart(20, '0');
export const ck = (n: number): Checkpoint => ({ position: String(n), key: key(n) });

export const write = (
  id: string,
  at: number,
  doc: Omit<CounterDoc, 'id'> | null,
  guard?: DocumentWrite<CounterDoc>['guard'],
): DocumentWrite<CounterDoc> => ({
  id,
  doc: doc && { id, ...doc },
  position: String(at),
  positionKey: key(at),
  ...(guard ? { guard } : {}),
});

export const parked = (projection: string, eventId: string, at: number, error = 'boom'): NewParkedEvent => ({
  projection,
  eventId,
  position: String(at),
  positionKey: key(at),
  streamName: `task-${eventId}`,
  eventType: 'TaskStarted',
  error,
});

export const using = async (
  make: () => Promise<ProjectionStore>,
  fn: (s: ProjectionStore) => Promise<void>,
) => {
  const store = await make();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
};

export const rejection = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject, but it resolved');
};

/** Registers a projection and returns its live target name. */
export const liveTarget = async (store: ProjectionStore, name = 'counters', version = 1): Promise<string> =>
  (await store.registerProjection(name, version)).liveTarget;
