import {
  checkpointBehind,
  holdingTarget,
  lowestLiveCheckpoint,
  setCheckpoint,
  setStatusUpdate,
  toProjectionState,
  type ProjectionStateRecord,
} from './mongo-projection-state';

const t0 = new Date('2030-01-01T00:00:00Z');
const t1 = new Date('2030-01-02T00:00:00Z');
const ck = (n: number) => ({ position: String(n), key: String(n).padStart(20, '0') });

const record = (over: Partial<ProjectionStateRecord> = {}): ProjectionStateRecord => ({
  _id: 'tasks',
  live: 'tasks_g1',
  targets: { tasks_g1: { version: 1, checkpoint: ck(7), createdAt: t0, updatedAt: t1 } },
  status: 'live',
  updatedAt: t1,
  ...over,
});

describe('toProjectionState', () => {
  it('reads the live target version and checkpoint from the one state document', () => {
    expect(toProjectionState(record())).toEqual({
      name: 'tasks',
      version: 1,
      liveTarget: 'tasks_g1',
      checkpoint: ck(7),
      status: 'live',
      updatedAt: t1,
    });
  });

  it('shows the shadow with its own version and checkpoint, and the last error when there is one', () => {
    const r = record({
      shadow: 'tasks_g2',
      targets: { ...record().targets, tasks_g2: { version: 2, createdAt: t1, updatedAt: t1 } },
      lastError: 'store unavailable',
    });
    expect(toProjectionState(r)).toMatchObject({
      lastError: 'store unavailable',
      shadow: { target: 'tasks_g2', projection: 'tasks', version: 2, createdAt: t1, updatedAt: t1 },
    });
    expect(toProjectionState(r)?.shadow).not.toHaveProperty('checkpoint');
  });

  it('answers undefined for a pointer to a target it has no entry for', () => {
    expect(toProjectionState(record({ live: 'tasks_g9' }))).toBeUndefined();
  });
});

describe('checkpoint updates', () => {
  it('moves a commit checkpoint only forward: matches a target without one or with a lower key', () => {
    expect(checkpointBehind('tasks', 'tasks_g1', ck(9))).toEqual({
      _id: 'tasks',
      'targets.tasks_g1': { $exists: true },
      $or: [
        { 'targets.tasks_g1.checkpoint': { $exists: false } },
        { 'targets.tasks_g1.checkpoint.key': { $lt: ck(9).key } },
      ],
    });
  });

  it('sets or removes a checkpoint (a reset to the beginning), touching the target', () => {
    expect(setCheckpoint('tasks_g1', ck(3), t1)).toEqual({
      $set: { 'targets.tasks_g1.updatedAt': t1, 'targets.tasks_g1.checkpoint': ck(3) },
    });
    expect(setCheckpoint('tasks_g1', undefined, t1)).toEqual({
      $set: { 'targets.tasks_g1.updatedAt': t1 },
      $unset: { 'targets.tasks_g1.checkpoint': '' },
    });
    expect(holdingTarget('tasks_g1')).toEqual({ 'targets.tasks_g1': { $exists: true } });
  });
});

describe('setStatusUpdate', () => {
  it('sets, keeps or clears the last error', () => {
    expect(setStatusUpdate('live', 'down', t1)).toEqual({
      $set: { status: 'live', updatedAt: t1, lastError: 'down' },
    });
    expect(setStatusUpdate('rebuilding', undefined, t1)).toEqual({
      $set: { status: 'rebuilding', updatedAt: t1 },
    });
    expect(setStatusUpdate('live', null, t1)).toEqual({
      $set: { status: 'live', updatedAt: t1 },
      $unset: { lastError: '' },
    });
  });
});

describe('lowestLiveCheckpoint', () => {
  const stats = record({
    _id: 'stats',
    live: 'stats_g3',
    targets: { stats_g3: { version: 1, checkpoint: ck(100), createdAt: t0, updatedAt: t0 } },
  });
  const history = record({
    _id: 'task-history',
    live: 'task_history_g2',
    targets: { task_history_g2: { version: 1, createdAt: t0, updatedAt: t0 } },
  });

  it('takes the lowest key among the live targets asked about, comparing keys, not positions', () => {
    expect(lowestLiveCheckpoint([record(), stats], ['tasks', 'stats'])).toEqual(ck(7));
    expect(lowestLiveCheckpoint([record(), stats], ['stats', 'stats'])).toEqual(ck(100));
  });

  it('is undefined while one of them is unknown or has projected nothing', () => {
    expect(lowestLiveCheckpoint([record()], ['tasks', 'stats'])).toBeUndefined();
    expect(lowestLiveCheckpoint([record(), history], ['tasks', 'task-history'])).toBeUndefined();
  });

  it('ignores a shadow: only the live target counts', () => {
    const rebuilding = record({
      shadow: 'tasks_g2',
      targets: {
        ...record().targets,
        tasks_g2: { version: 2, checkpoint: ck(1), createdAt: t0, updatedAt: t0 },
      },
    });
    expect(lowestLiveCheckpoint([rebuilding], ['tasks'])).toEqual(ck(7));
  });
});
