import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '../config/api-keys';

/** Who asks, and the ids that tie a request to the events it causes. */
export interface RequestContext extends Principal {
  readonly correlationId: string;
  readonly requestId: string;
}

export interface LedgerRequest extends Request {
  principal?: Principal;
  correlationId?: string;
  requestId?: string;
}

export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  const req = ctx.switchToHttp().getRequest<LedgerRequest>();
  if (!req.principal || !req.correlationId || !req.requestId) {
    // A route reached without the auth guard is a wiring bug, not a client error.
    throw new Error('request context missing: is the route behind ApiKeyGuard?');
  }
  return { ...req.principal, correlationId: req.correlationId, requestId: req.requestId };
});
