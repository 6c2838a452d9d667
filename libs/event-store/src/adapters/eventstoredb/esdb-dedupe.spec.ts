import { isStoredAppend, findStoredRun } from './esdb-dedupe';

const stored = (ids: string[], from = 0n) => ids.map((id, i) => ({ id, revision: from + BigInt(i) }));
const ev = (...ids: string[]) => ids.map((id) => ({ id }));

describe('EventStoreDB dedupe detection', () => {
  describe('at the revisions an expected-revision append occupies', () => {
    it('recognises the same ids in the same order', () => {
      expect(isStoredAppend(stored(['a', 'b'], 3n), ev('a', 'b'), 3n)).toBe(true);
    });

    it('ignores anything stored after the run', () => {
      expect(isStoredAppend(stored(['a', 'b', 'c'], 0n), ev('a', 'b'), 0n)).toBe(true);
    });

    it('is not fooled by other ids, another order, a partial run or a shifted revision', () => {
      expect(isStoredAppend(stored(['x', 'y'], 3n), ev('a', 'b'), 3n)).toBe(false);
      expect(isStoredAppend(stored(['b', 'a'], 3n), ev('a', 'b'), 3n)).toBe(false);
      expect(isStoredAppend(stored(['a'], 3n), ev('a', 'b'), 3n)).toBe(false);
      expect(isStoredAppend(stored(['a', 'b'], 4n), ev('a', 'b'), 3n)).toBe(false);
    });

    it('never calls an empty append a duplicate', () => {
      expect(isStoredAppend(stored(['a']), [], 0n)).toBe(false);
      expect(isStoredAppend([], ev('a'), 0n)).toBe(false);
    });
  });

  describe("anywhere in the stream for an 'any' append", () => {
    it('finds a consecutive run and returns the index of its last event', () => {
      expect(findStoredRun(stored(['x', 'a', 'b', 'y']), ev('a', 'b'))).toBe(2);
    });

    it('keeps looking after a false start', () => {
      expect(findStoredRun(stored(['a', 'x', 'a', 'b']), ev('a', 'b'))).toBe(3);
    });

    it('does not accept the ids scattered or cut off at the end', () => {
      expect(findStoredRun(stored(['a', 'x', 'b']), ev('a', 'b'))).toBeUndefined();
      expect(findStoredRun(stored(['x', 'a']), ev('a', 'b'))).toBeUndefined();
      expect(findStoredRun(stored(['a']), [])).toBeUndefined();
    });
  });
});
