import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { LedgerRequest } from './request-context';

// Printable, bounded: a correlation id ends up in every log line and event, so no control characters.
const CORRELATION_ID = /^[\x21-\x7e]{1,128}$/;

/** Takes `X-Correlation-Id` (or makes one), echoes it, and gives each request its own id. */
export function assignRequestIds(req: LedgerRequest, reply: FastifyReply): void {
  const given = req.headers['x-correlation-id'];
  req.correlationId = typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
  req.requestId = randomUUID();
  reply.header('X-Correlation-Id', req.correlationId);
}
