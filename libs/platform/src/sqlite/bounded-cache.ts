/**
 * `cache.get(key)`, or else `make()` stored under `key`. When the map already holds `max`
 * entries it is emptied first: the keys of the SQLite adapters' caches (SQL texts naming a
 * target, page sizes, targets) are few in steady state, and the ones a reset drops (old targets'
 * after a switch) are rarely asked for again, so a clear costs a few prepares, not an LRU.
 */
export function cachedIn<T>(cache: Map<string, T>, key: string, make: () => T, max: number): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= max) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}
