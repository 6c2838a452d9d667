import { ValidationError } from '@ledger/platform/errors';
import { comparePositions, decodePosition, encodePosition, positionKey } from './esdb-position';

describe('EventStoreDB position codec', () => {
  it('round-trips commit and prepare through the padded string', () => {
    const encoded = encodePosition({ commit: 1234n, prepare: 1200n });
    expect(encoded).toBe('00000000000000001234/00000000000000001200');
    expect(decodePosition(encoded)).toEqual({ commit: 1234n, prepare: 1200n });
  });

  it('round-trips the largest uint64 without losing precision', () => {
    const max = (1n << 64n) - 1n;
    expect(decodePosition(encodePosition({ commit: max, prepare: max }))).toEqual({
      commit: max,
      prepare: max,
    });
  });

  it('accepts an unpadded position and normalises it as the key', () => {
    expect(decodePosition('42/41')).toEqual({ commit: 42n, prepare: 41n });
    expect(positionKey('42/41')).toBe('00000000000000000042/00000000000000000041');
  });

  it('orders by commit first, then prepare, as bigints', () => {
    expect(comparePositions('9/9', '10/0')).toBeLessThan(0);
    expect(comparePositions('10/5', '10/4')).toBeGreaterThan(0);
    expect(comparePositions('10/5', '00000000000000000010/00000000000000000005')).toBe(0);
  });

  it('keeps string order of keys equal to position order', () => {
    const positions = ['10/0', '9/9', '100/1', '100/0', '18446744073709551615/0'];
    const byCompare = [...positions].sort(comparePositions).map(positionKey);
    const byKey = positions.map(positionKey).sort();
    expect(byKey).toEqual(byCompare);
  });

  it.each(['', '42', '1/2/3', '-1/0', 'a/b', '18446744073709551616/0', '1/ 2'])(
    'rejects %p as a validation error',
    (bad) => {
      expect(() => decodePosition(bad)).toThrow(ValidationError);
    },
  );

  it('refuses to encode a negative position', () => {
    expect(() => encodePosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
  });
});
