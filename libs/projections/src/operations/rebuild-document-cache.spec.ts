import type { DocumentWrite } from '../core';
import { RebuildDocumentCache, StringBloomFilter } from './rebuild-document-cache';

interface Doc {
  readonly id: string;
  readonly tenantId: string;
  readonly n: number;
}

const w = (id: string, n: number | null, at = n ?? 0): DocumentWrite<Doc> => ({
  id,
  doc: n === null ? null : { id, tenantId: 't', n },
  position: String(at),
  positionKey: String(at).padStart(20, '0'),
});

describe('StringBloomFilter', () => {
  it('never forgets a value it was given, and rejects most it was not', () => {
    const bloom = new StringBloomFilter(1 << 16);
    const added = Array.from({ length: 2000 }, (_, i) => `task-${i}:${String(i % 10).padStart(10, '0')}`);
    for (const v of added) bloom.add(v);
    expect(added.filter((v) => !bloom.mightContain(v))).toEqual([]);
    const others = Array.from({ length: 2000 }, (_, i) => `other-${i}`);
    const falsePositives = others.filter((v) => bloom.mightContain(v)).length;
    // 2,000 values in 65,536 bits with 3 probes: about 0.07 % expected; 2 % is a broken hash.
    expect(falsePositives).toBeLessThan(40);
  });
});

/** A page folded and committed: remembered, then landed. */
const committed = (cache: RebuildDocumentCache<Doc>, writes: DocumentWrite<Doc>[]) => {
  cache.remember(writes);
  cache.landed(writes);
};

describe('RebuildDocumentCache', () => {
  it('answers for documents it saw written, with their positions, and knows deletions', () => {
    const cache = new RebuildDocumentCache<Doc>(10, true);
    cache.remember([w('a', 1), w('b', 2), w('c', 3)]);
    cache.remember([w('a', 4), w('c', null, 5)]);
    const { known, load } = cache.lookup(['a', 'b', 'c', 'new']);
    expect([...known.values()].map((d) => [d.id, d.doc.n, d.position])).toEqual([
      ['a', 4, '4'],
      ['b', 2, '2'],
    ]);
    // 'c' was deleted by the rebuild and 'new' was never written to a shadow that started empty.
    expect(load).toEqual([]);
  });

  it('evicts the least recently written beyond its capacity, and asks the store for exactly those', () => {
    const cache = new RebuildDocumentCache<Doc>(2, true);
    committed(cache, [w('a', 1), w('b', 2)]);
    committed(cache, [w('a', 3)]); // 'a' is now the most recent
    committed(cache, [w('c', 4)]); // evicts 'b'
    expect(cache.size).toBe(2);
    const { known, load } = cache.lookup(['a', 'b', 'c', 'never']);
    expect([...known.keys()]).toEqual(['a', 'c']);
    expect(load).toEqual(['b']);
  });

  it('asks the store for every id it lacks when the shadow was resumed (it may hold older documents)', () => {
    const cache = new RebuildDocumentCache<Doc>(10, false);
    committed(cache, [w('a', 1)]);
    expect(cache.lookup(['a', 'x', 'y']).load).toEqual(['x', 'y']);
  });

  it('after forget, holds nothing and asks the store for everything', () => {
    const cache = new RebuildDocumentCache<Doc>(10, true);
    committed(cache, [w('a', 1), w('b', null)]);
    cache.forget();
    expect(cache.size).toBe(0);
    const { known, load } = cache.lookup(['a', 'b', 'c']);
    expect(known.size).toBe(0);
    expect(load).toEqual(['a', 'b', 'c']);
  });

  it('answers for a write whose commit has not landed even after evicting it, and asks the store once it has', () => {
    const cache = new RebuildDocumentCache<Doc>(2, true);
    const first = [w('a', 1), w('gone', null, 2)];
    cache.remember(first); // not landed yet
    committed(cache, [w('b', 3)]);
    committed(cache, [w('c', 4)]);
    committed(cache, [w('d', 5)]); // two generations on: 'a' and 'gone' are evicted
    let { known, load } = cache.lookup(['a', 'gone']);
    expect([...known.values()].map((d) => d.doc.n)).toEqual([1]);
    expect(load).toEqual([]); // the store does not have these yet: reading them back would miss them
    cache.landed(first);
    ({ known, load } = cache.lookup(['a', 'gone']));
    expect(known.size).toBe(0);
    expect(load).toEqual(['a', 'gone']);
  });
});
