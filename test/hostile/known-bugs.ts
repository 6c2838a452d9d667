import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { RawRequest } from './raw-http';

/**
 * Server bugs this suite found in code its authors do not own. Each one is reproduced by its own
 * `it.failing` in hostile-input.e2e-spec.ts (so `npm test` stays green while the bug is visible),
 * and the property skips the inputs that hit it, so that the rest of the input space keeps being
 * tested. Fixing a bug makes its `it.failing` fail: then delete its entry here.
 */
export interface KnownBug {
  readonly id: string;
  /** Where the fix belongs and why the server misbehaves. */
  readonly cause: string;
  readonly reproduction: RawRequest;
  readonly hits: (req: RawRequest) => boolean;
}

const json = { Authorization: 'Bearer key-alice', 'Content-Type': 'application/json' };
const header = (req: RawRequest, name: string) =>
  Object.entries(req.headers).find(([k]) => k.toLowerCase() === name)?.[1];

/** Deepest bracket nesting of a body, outside strings: what a recursive walker will recurse. */
export function nestingDepth(body: Buffer): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

const decodes = (encoding: string, body: Buffer) => {
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') gunzipSync(body);
    else if (encoding === 'deflate') inflateSync(body);
    else if (encoding === 'br') brotliDecompressSync(body);
    return true;
  } catch {
    return false;
  }
};

export const KNOWN_BUGS: readonly KnownBug[] = [
  {
    id: 'undecodable-content-encoding-500',
    cause:
      'body-parser answers a body that does not decode as its Content-Encoding (gzip, deflate, br) with ' +
      'createError(400, zlibError): status 400 but no `type`; ProblemDetailsFilter.problemFor ' +
      '(libs/platform/src/http/problem-details.filter.ts) only knows errors by `type`, so it is a 500.',
    reproduction: {
      method: 'POST',
      path: '/v1/tasks',
      headers: { ...json, 'Content-Encoding': 'gzip' },
      body: Buffer.from('{"title":"not gzip"}'),
    },
    hits: (req) => {
      const encoding = header(req, 'content-encoding')?.trim().toLowerCase() ?? '';
      return (
        ['gzip', 'x-gzip', 'deflate', 'br'].includes(encoding) &&
        !decodes(encoding, req.body ?? Buffer.alloc(0))
      );
    },
  },
  {
    id: 'deep-json-stack-overflow-500',
    cause:
      'A JSON body nested ~1,500 levels deep (4 kB of `[`, far under the 64 kB limit) overflows the stack in ' +
      "class-transformer's plainToInstance / Nest ValidationPipe.stripProtoKeys (both recursive): RangeError, 500. " +
      'Needs a depth limit before validation, e.g. beside refuseProtoKeys in libs/platform/src/http/json-only.middleware.ts.',
    reproduction: {
      method: 'POST',
      path: '/v1/tasks',
      headers: json,
      body: Buffer.from(`{"title":"t","labels":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    },
    hits: (req) => req.body !== undefined && nestingDepth(req.body) > 1000,
  },
  {
    id: 'parser-level-400-not-problem-json',
    cause:
      "Node's HTTP parser refuses a request line with raw non-ASCII bytes and answers a bare " +
      '`400 Bad Request` (no body, no content type) before the app sees it. A `clientError` handler on ' +
      'the server (createHttpApp, libs/platform/src/http/http-app.ts) could answer problem+json instead.',
    reproduction: {
      method: 'GET',
      path: `/v1/tasks/${Buffer.from('ü', 'utf8').toString('latin1')}`,
      headers: json,
    },
    hits: (req) => /[^\x21-\x7e]/.test(req.path),
  },
  {
    id: 'parser-level-431-not-problem-json',
    cause:
      "A request head over 16 kB (node's default max header size) gets a bare `431` from node itself, " +
      'not problem+json; same fix as above (`clientError` with err.code HPE_HEADER_OVERFLOW).',
    reproduction: { method: 'GET', path: `/v1/tasks?cursor=${'c'.repeat(17_000)}`, headers: json },
    hits: (req) => req.path.length + Object.values(req.headers).join('').length > 15_000,
  },
];

export const hitsKnownBug = (req: RawRequest): boolean => KNOWN_BUGS.some((b) => b.hits(req));
