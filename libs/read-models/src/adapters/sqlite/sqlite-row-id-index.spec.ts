import { hashId, RowIdIndex } from './sqlite-row-id-index';

describe('RowIdIndex', () => {
  it('finds the rowid of every id it was given, through growth from a tiny table', () => {
    const index = new RowIdIndex(16);
    const ids = Array.from({ length: 20_000 }, (_, i) => `task-${i}:${String(i % 10).padStart(10, '0')}`);
    ids.forEach((id, i) => index.add(id, i + 1));
    expect(index.size).toBe(20_000);
    expect(ids.filter((id, i) => !index.candidates(id).includes(i + 1))).toEqual([]);
    // An unknown id has no candidate unless its 32-bit hash collides: none among these.
    expect(Array.from({ length: 1000 }, (_, i) => index.candidates(`other-${i}`)).flat()).toEqual([]);
  });

  it('returns every rowid sharing a hash, so the caller can tell colliding ids apart', () => {
    const index = new RowIdIndex();
    index.add('a', 7);
    index.add('a', 9); // a row re-inserted under the same id after a rollback, say
    expect(index.candidates('a')).toEqual([7, 9]);
    expect(hashId('a')).toBe(hashId('a'));
    expect(hashId('a')).not.toBe(hashId('b'));
  });
});
