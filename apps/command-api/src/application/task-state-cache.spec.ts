import { initialState } from '@ledger/tasks';
import { TaskStateCache } from './task-state-cache';

const at = (revision: number) => ({
  state: initialState,
  revision: BigInt(revision),
  position: String(revision),
});

describe('TaskStateCache', () => {
  it('keeps at most its capacity; what was used recently outlives what was not', () => {
    const cache = new TaskStateCache(4);
    cache.remember('a', at(0));
    cache.remember('b', at(0));
    cache.get('a'); // a is used again, b is not
    cache.remember('c', at(0));
    cache.remember('d', at(0));
    cache.remember('e', at(0));
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('e')?.revision).toBe(0n);
    for (let i = 0; i < 1000; i++) cache.remember(`t${i}`, at(i));
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get('t999')?.revision).toBe(999n);
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
    const cache = new TaskStateCache(100, 50_000);
    for (const id of ['a', 'b', 'c', 'd', 'e']) cache.remember(id, task('d'.repeat(10_000)));
    // Two generations of at most 25,000 characters each: two 10k descriptions per generation.
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('e')?.state).toMatchObject({ description: 'd'.repeat(10_000) });
  });

  it('forgets on request', () => {
    const cache = new TaskStateCache();
    cache.remember('a', at(1));
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
