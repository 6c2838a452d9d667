import type { NextFunction, Request, Response } from 'express';
import { httpProblem } from './problem-details';

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\s*(?:;.*)?$/i;

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * A write that sends a body must send JSON: otherwise the body would be silently ignored and
 * the command would run on defaults. Bodiless commands (`/start`) need no content type.
 */
export function jsonOnly(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'GET' && req.method !== 'HEAD' && hasBody(req)) {
    const type = req.headers['content-type'];
    if (typeof type !== 'string' || !JSON_TYPE.test(type)) {
      const { body } = httpProblem(415, 'unsupported_media_type', 'send the body as application/json');
      res.status(415).type('application/problem+json').send(JSON.stringify(body));
      return;
    }
  }
  next();
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
 * refused here, as 400s, before any of them runs.
 */
export function refuseProtoKeys(req: Request, res: Response, next: NextFunction): void {
  const found = bodyProblem(req.body);
  if (found) {
    const problem = httpProblem(400, 'validation', 'the request is invalid', {
      errors: [{ field: found.field, problems: [found.problem] }],
    });
    res.status(400).type('application/problem+json').send(JSON.stringify(problem.body));
    return;
  }
  next();
}
