import fc from 'fast-check';

/** UTF-8 bytes as latin1 characters: node writes such a string to the socket byte for byte. */
export const rawUtf8 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** Percent-encoding that cannot throw: a lone surrogate becomes U+FFFD first, as on the wire. */
export const pct = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

export const weighted = <T>(...entries: Array<[number, fc.Arbitrary<T>]>) =>
  fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));

export const unicode = (maxLength = 40) => fc.string({ unit: 'binary', maxLength });
export const junk = fc.oneof(
  fc.string({ maxLength: 30 }),
  unicode(30),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'undefined',
    '-1',
    '0',
    'NaN',
    '1e400',
    '%00',
    '../',
    '${x}',
    "' OR 1=1 --",
  ),
);
/** Header values may hold any byte but control characters (node refuses those client-side). */
export const headerSafe = (arb: fc.Arbitrary<string>) =>
  arb.map((s) => rawUtf8(s).replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ''));
