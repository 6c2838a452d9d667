import { LedgerMetrics } from './ledger-metrics';
import { observeProjections, timeBatches, type ObservedRunner } from './projection-metrics';

type Progress = Parameters<Parameters<ObservedRunner['onProgress']>[0]>[0];

const fakeRunner = () => {
  const listeners: ((p: Progress) => void)[] = [];
  let current: Progress = { projection: 'tasks', state: 'running', applied: 0, parked: 0, retries: 0 };
  return {
    emit(patch: Partial<Progress>) {
      current = { ...current, ...patch };
      listeners.forEach((l) => l(current));
    },
    runner: {
      progress: () => [current],
      lag: async () => [{ projection: 'tasks', eventsBehind: 7, secondsBehind: 1.5 }],
      onProgress: (l: (p: Progress) => void) => {
        listeners.push(l);
        return () => listeners.splice(listeners.indexOf(l), 1);
      },
    },
  };
};

describe('projection metrics', () => {
  it('turns cumulative worker progress into counters, state into one-hot gauges, and reads the stores at scrape', async () => {
    const m = new LedgerMetrics();
    const { runner, emit } = fakeRunner();
    const store = {
      countParked: async () => 2,
      listStates: async () => [{ name: 'tasks', shadow: { checkpoint: { position: '5' } } }],
      getTarget: async () => ({ projection: 'tasks' }),
    };
    const remaining: (string | undefined)[] = [];
    observeProjections(m, {
      runner,
      store,
      projections: ['tasks'],
      rebuildRemaining: async (_p, checkpoint) => (remaining.push(checkpoint), 40),
    });
    emit({ applied: 10 });
    emit({ applied: 25, parked: 1 });
    emit({ state: 'retrying', retries: 1 });
    const text = await m.render();
    expect(text).toContain('ledger_projection_events_projected_total{projection="tasks"} 25');
    expect(text).toContain('ledger_projection_events_parked_total{projection="tasks"} 1');
    expect(text).toContain('ledger_projection_retries_total{projection="tasks"} 1');
    expect(text).toContain('ledger_projection_state{projection="tasks",state="retrying"} 1');
    expect(text).toContain('ledger_projection_state{projection="tasks",state="running"} 0');
    expect(text).toContain('ledger_projection_lag_events{projection="tasks"} 7');
    expect(text).toContain('ledger_projection_lag_seconds{projection="tasks"} 1.5');
    expect(text).toContain('ledger_projection_parked_events{projection="tasks"} 2');
    expect(text).toContain('ledger_projection_rebuild_in_progress{projection="tasks"} 1');
    expect(text).toContain('ledger_projection_rebuild_remaining_events{projection="tasks"} 40');
    expect(remaining).toEqual(['5']);
  });

  it('times a batch from its document load to its commit; idle checkpoint commits are not batches', async () => {
    const m = new LedgerMetrics();
    const inner = {
      loadDocuments: async (_target: string, _ids: readonly string[]) => new Map(),
      commitBatch: async (_target: string) => ({ applied: 1, skipped: 0 }),
      getTarget: async (target: string) => ({ projection: target.replace(/_g\d+$/, '') }),
    };
    const store = timeBatches(inner, m);
    await store.loadDocuments('tasks_g1', ['a']);
    await store.commitBatch('tasks_g1');
    await store.commitBatch('tasks_g1'); // idle: head as checkpoint, nothing loaded
    const text = await m.render();
    expect(text).toContain('ledger_projection_batch_duration_seconds_count{projection="tasks"} 1');
  });
});
