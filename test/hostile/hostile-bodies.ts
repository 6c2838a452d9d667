import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { unicode, weighted } from './hostile-primitives';

const NEAR_LIMITS = [0, 1, 49, 50, 51, 199, 200, 201, 4999, 5000, 5001, 9999, 10_000, 10_001];
const stringNearLimit = weighted<string>(
  [4, unicode(60)],
  [2, fc.constantFrom(...NEAR_LIMITS).map((n) => 'x'.repeat(n))],
  [1, fc.constantFrom(...NEAR_LIMITS).map((n) => '\u{1F600}'.repeat(Math.ceil(n / 2)))],
  [1, fc.constantFrom('   ', '\u0000', '\u200b', '\ud800', 'a\u0000b', '<script>alert(1)</script>')],
);
const anyValue = weighted<unknown>(
  [4, stringNearLimit],
  [2, fc.jsonValue({ maxDepth: 3 })],
  [1, fc.constantFrom(null, true, 0, -0, 1.5, Number.MAX_SAFE_INTEGER, [], {})],
  [1, fc.date({ noInvalidDate: true }).map((d) => d.toISOString())],
  [
    1,
    fc.constantFrom('2027-01-01', '2027-01-01T00:00:00', '2027-13-45T99:99:99Z', '2027-01-01T00:00:00+14:00'),
  ],
);
const fieldName = weighted<string>(
  [6, fc.constantFrom('title', 'description', 'assignee', 'priority', 'dueAt', 'labels', 'body')],
  [1, fc.constantFrom('id', 'tenantId', 'revision', 'status', 'constructor', 'prototype', 'toString')],
  [1, fc.string({ maxLength: 12 })],
);
const validishObject = fc.dictionary(fieldName, anyValue, { maxKeys: 6 });
const labels = fc.array(stringNearLimit, { maxLength: 25 });

/** Bodies that only raw text can express: JSON.stringify would never produce them. */
const rawJsonText = fc.constantFrom(
  '1e400',
  '{"title":1e400}',
  '{"title":"t","priority":-1e400}',
  '-0',
  '{"title":"t","__proto__":{"admin":true}}',
  '{"__proto__":null}',
  '{"title":"t","labels":{"__proto__":[]}}',
  '{"constructor":{"prototype":{"polluted":1}},"title":"t"}',
  '{"title":"t","title":"again"}',
  '{"title": ',
  '{title:"t"}',
  "{'title':'t'}",
  '\ufeff{"title":"t"}',
  'null',
  '""',
  '"just a string"',
  'true',
  '[]',
  '   ',
  '{"title":"\\ud800"}',
  '{"title":"\\u0000"}',
  '{"body":"' + 'x'.repeat(5001) + '"}',
);
const deepNesting = fc
  .tuple(fc.integer({ min: 100, max: 30_000 }), fc.constantFrom('array', 'object', 'labels'))
  .map(([d, shape]) =>
    shape === 'array'
      ? `${'['.repeat(d)}${']'.repeat(d)}`
      : shape === 'object'
        ? `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`
        : `{"title":"t","labels":${'['.repeat(d)}${']'.repeat(d)}}`,
  );
const invalidUtf8 = fc
  .tuple(
    fc.constantFrom('{"title":"', '{"body":"', ''),
    fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => Buffer.from(a.map((b) => b | 0x80))),
    fc.constantFrom('"}', ''),
  )
  .map(([head, bytes, tail]) => Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]));
// Around the 64 kB limit: just under must be read, just over must be a 413.
const nearBodyLimit = fc
  .integer({ min: 65_536 - 200, max: 65_536 + 200 })
  .map((n) => `{"title":"t","description":"${'d'.repeat(Math.max(0, n - 34))}"}`);

/** Bodies from absent to hostile: near every size limit, malformed, deep, not UTF-8, compressed. */
export const hostileBody = weighted<Buffer | undefined>(
  [3, fc.constant(undefined)],
  [1, fc.constant(Buffer.alloc(0))],
  [5, validishObject.map((o) => Buffer.from(JSON.stringify(o)))],
  [2, labels.map((l) => Buffer.from(JSON.stringify({ title: 'labelled', labels: l })))],
  [2, fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v)))],
  [2, rawJsonText.map((s) => Buffer.from(s))],
  [1, deepNesting.map((s) => Buffer.from(s))],
  [1, invalidUtf8],
  [1, nearBodyLimit.map((s) => Buffer.from(s))],
  [1, fc.constant(gzipSync(Buffer.from('{"title":"zipped"}')))],
);
