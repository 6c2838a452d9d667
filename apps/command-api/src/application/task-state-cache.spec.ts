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

  it('forgets on request', () => {
    const cache = new TaskStateCache();
    cache.remember('a', at(1));
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
