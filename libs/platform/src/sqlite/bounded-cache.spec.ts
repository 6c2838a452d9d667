import { cachedIn } from './bounded-cache';

describe('cachedIn', () => {
  it('makes a value once per key, and starts over when the map is full', () => {
    const cache = new Map<string, number>();
    let made = 0;
    const get = (key: string) => cachedIn(cache, key, () => ++made, 2);
    expect([get('a'), get('a'), get('b'), get('b')]).toEqual([1, 1, 2, 2]);
    expect(made).toBe(2);
    expect(get('c')).toBe(3);
    expect([...cache.keys()]).toEqual(['c']);
    expect(get('a')).toBe(4);
  });

  it('keeps a falsy value it made', () => {
    const cache = new Map<string, boolean>();
    let made = 0;
    const get = () => cachedIn(cache, 'k', () => (made++, false), 10);
    expect([get(), get()]).toEqual([false, false]);
    expect(made).toBe(1);
  });
});
