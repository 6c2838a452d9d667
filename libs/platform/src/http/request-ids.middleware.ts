import { randomUUID } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { LedgerRequest } from './request-context';

// Printable, bounded: a correlation id ends up in every log line and event, so no control characters.
const CORRELATION_ID = /^[\x21-\x7e]{1,128}$/;

/** Takes `X-Correlation-Id` (or makes one), echoes it, and gives each request its own id. */
export function requestIds(req: LedgerRequest, res: Response, next: NextFunction): void {
  const given = req.headers['x-correlation-id'];
  req.correlationId = typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
  req.requestId = randomUUID();
  res.setHeader('X-Correlation-Id', req.correlationId);
  next();
}
