import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import { httpProblem, type Problem } from './problem-details';

/** Largest accepted JSON body: a 10k-char description plus 20 labels fits many times over. */
export const BODY_LIMIT = '64kb';

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\s*(?:;.*)?$/i;

export function hasBody(headers: IncomingMessage['headers']): boolean {
  const length = headers['content-length'];
  if (length !== undefined) return length !== '0';
  return headers['transfer-encoding'] !== undefined;
}

/**
 * A write that sends a body must send JSON: otherwise the body would be silently ignored and
 * the command would run on defaults. Bodiless commands (`/start`) need no content type.
 */
export function unsupportedMediaType(
  method: string,
  headers: IncomingMessage['headers'],
): Problem | undefined {
  if (method === 'GET' || method === 'HEAD' || !hasBody(headers)) return undefined;
  const type = headers['content-type'];
  if (typeof type === 'string' && JSON_TYPE.test(type)) return undefined;
  return httpProblem(415, 'unsupported_media_type', 'send the body as application/json');
}

/** Bodies of a JSON type, and every JSON body a GET or HEAD sends: read as body-parser reads them. */
export const wantsJsonBody = (headers: IncomingMessage['headers']): boolean => {
  const type = headers['content-type'];
  return typeof type === 'string' && JSON_TYPE.test(type) && hasBody(headers);
};

/**
 * body-parser reads the body, as it did when the apps ran on Express: the same limit, strictness,
 * charsets, Content-Encodings (gzip, deflate, br; anything else 415) and the same error `type`s
 * (mapped in problem-details.filter.ts); and an empty body of a JSON type is `{}`.
 */
const parseJson = bodyParser.json({
  limit: BODY_LIMIT,
  strict: true,
  type: ['application/json', 'application/*+json'],
});

export function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // body-parser hands the response only to a `verify` option, which this parser has none of.
    parseJson(req, undefined as unknown as ServerResponse, (error?: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve((req as IncomingMessage & { body?: unknown }).body);
    });
  });
}

/** Deeper than any body of ours; recursive mappers (class-transformer) overflow the stack long before 1,500. */
export const MAX_BODY_DEPTH = 32;

/** Walks without recursion: the point is to refuse what would overflow a recursive walk. */
function bodyProblem(body: unknown): { field: string; problem: string } | undefined {
  const stack: Array<[unknown, number]> = [[body, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_BODY_DEPTH)
      return { field: 'body', problem: `nested deeper than ${MAX_BODY_DEPTH} levels` };
    if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, '__proto__')) {
      return { field: '__proto__', problem: 'property __proto__ should not exist' };
    }
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return undefined;
}

/**
 * `__proto__` is never a field of ours, and class-transformer skips it silently, so the
 * whitelist would never see it; absurd nesting would overflow the recursive mappers. Both are
 * refused, as 400s, before any of them runs.
 */
export function refusedBody(body: unknown): Problem | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const found = bodyProblem(body);
  if (!found) return undefined;
  return httpProblem(400, 'validation', 'the request is invalid', {
    errors: [{ field: found.field, problems: [found.problem] }],
  });
}
