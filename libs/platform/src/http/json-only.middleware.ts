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

/**
 * `__proto__` is never a field of ours, and class-transformer skips it silently, so the
 * whitelist would never see it: refuse it here instead of accepting the rest of the body.
 */
export function refuseProtoKeys(req: Request, res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (body !== null && typeof body === 'object' && Object.prototype.hasOwnProperty.call(body, '__proto__')) {
    const problem = httpProblem(400, 'validation', 'the request is invalid', {
      errors: [{ field: '__proto__', problems: ['property __proto__ should not exist'] }],
    });
    res.status(400).type('application/problem+json').send(JSON.stringify(problem.body));
    return;
  }
  next();
}
