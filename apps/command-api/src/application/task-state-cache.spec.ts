import { initialState } from '@ledger/tasks';
import { TaskStateCache } from './task-state-cache';

const at = (revision: number) => ({
  state: initialState,
  revision: BigInt(revision),
  position: String(revision),
});

describe('TaskStateCache', () => {
  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new TaskStateCache(2);
    cache.remember('a', at(0));
    cache.remember('b', at(0));
    cache.get('a'); // a is now more recent than b
    cache.remember('c', at(0));
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.revision).toBe(0n);
    expect(cache.get('c')?.revision).toBe(0n);
  });

  it('never goes back to a lower revision (commands finishing out of order)', () => {
    const cache = new TaskStateCache();
    cache.remember('a', at(5));
    cache.remember('a', at(4));
    expect(cache.get('a')?.revision).toBe(5n);
    cache.remember('a', at(6));
    expect(cache.get('a')?.revision).toBe(6n);
  });

  it('keeps at most its budget of task text, dropping the least recently used', () => {
    const task = (description: string) => ({
      state: {
        exists: true as const,
        tenantId: 't',
        taskId: 'x',
        title: 't',
        description,
        status: 'todo' as const,
        assignee: null,
        priority: 'normal' as const,
        dueAt: null,
        labels: [],
        commentCount: 0,
        createdAt: '',
        updatedAt: '',
      },
      revision: 0n,
      position: '1',
    });
    const cache = new TaskStateCache(100, 25_000);
    for (const id of ['a', 'b', 'c']) cache.remember(id, task('d'.repeat(10_000)));
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')?.state).toMatchObject({ description: 'd'.repeat(10_000) });
    cache.forget('b');
    cache.forget('c');
    cache.remember('e', task('d'.repeat(20_000)));
    expect(cache.size).toBe(1);
  });

  it('forgets on request', () => {
    const cache = new TaskStateCache();
    cache.remember('a', at(1));
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
