import type { RawRequest } from './raw-http';

/**
 * Server bugs this suite found (all fixed). Each reproduction stays as a regression test in
 * hostile-input.e2e-spec.ts, beside the property that keeps generating inputs like it.
 */
export interface FoundBug {
  readonly id: string;
  /** What was wrong and where the fix lives. */
  readonly cause: string;
  readonly reproduction: RawRequest;
}

const json = { Authorization: 'Bearer key-alice', 'Content-Type': 'application/json' };

export const FOUND_BUGS: readonly FoundBug[] = [
  {
    id: 'openapi-document-500',
    cause:
      'a local `type Headers` shadowed the imported @Headers decorator in design:paramtypes, and ' +
      '@nestjs/swagger crashed exploring it (fixed in apps/command-api/src/tasks.controller.ts)',
    reproduction: { method: 'GET', path: '/docs-json', headers: {} },
  },
  {
    id: 'undecodable-content-encoding-500',
    cause:
      'body-parser raises a 400 http-error without a `type` for a body that does not decode; ' +
      'problemFor now maps exposed 4xx http-errors (libs/platform/src/http/problem-details.filter.ts)',
    reproduction: {
      method: 'POST',
      path: '/v1/tasks',
      headers: { ...json, 'Content-Encoding': 'gzip' },
      body: Buffer.from('{"title":"not gzip"}'),
    },
  },
  {
    id: 'deep-json-stack-overflow-500',
    cause:
      'a body nested ~1,500 levels overflowed the recursive mappers; bodies deeper than 32 levels are ' +
      'now refused by an iterative walk (libs/platform/src/http/json-body.ts)',
    reproduction: {
      method: 'POST',
      path: '/v1/tasks',
      headers: json,
      body: Buffer.from(`{"title":"t","labels":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    },
  },
  {
    id: 'parser-level-400-not-problem-json',
    cause:
      "Node's parser answered raw non-ASCII in the request line with a bare 400; a clientError " +
      'handler now answers problem+json (libs/platform/src/http/client-errors.ts)',
    reproduction: {
      method: 'GET',
      path: `/v1/tasks/${Buffer.from('ü', 'utf8').toString('latin1')}`,
      headers: json,
    },
  },
  {
    id: 'parser-level-431-not-problem-json',
    cause: 'a request head over 16 kB got a bare 431 from Node; same clientError handler',
    reproduction: { method: 'GET', path: `/v1/tasks?cursor=${'c'.repeat(17_000)}`, headers: json },
  },
];
