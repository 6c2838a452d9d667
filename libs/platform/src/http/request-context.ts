import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../config/api-keys';

/** Who asks, and the ids that tie a request to the events it causes. */
export interface RequestContext extends Principal {
  readonly correlationId: string;
  readonly requestId: string;
}

/** Fastify's request with what the ledger's hooks and guards attach to it (see configureHttpApp). */
export interface LedgerRequest extends FastifyRequest {
  principal?: Principal;
  correlationId?: string;
  requestId?: string;
  /** Set by the exception filter when the request failed because a store could not serve. */
  storeOutage?: boolean;
}

export type LedgerReply = FastifyReply;

/**
 * The request target's path without the query string (what Express called `req.path`). An
 * absolute-form target (`GET http://host/v1/tasks`) is routed by its path, so it is judged by it
 * too: the rate limit and the quiet probes must not depend on how the client spelled the target.
 */
export function pathOf(req: { readonly url: string }): string {
  let url = req.url;
  if (url.charCodeAt(0) !== 47 /* '/' */) {
    const authority = url.indexOf('://');
    const slash = authority < 0 ? -1 : url.indexOf('/', authority + 3);
    if (authority >= 0) url = slash < 0 ? '/' : url.slice(slash);
  }
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  const req = ctx.switchToHttp().getRequest<LedgerRequest>();
  if (!req.principal || !req.correlationId || !req.requestId) {
    // A route reached without the auth guard is a wiring bug, not a client error.
    throw new Error('request context missing: is the route behind ApiKeyGuard?');
  }
  return { ...req.principal, correlationId: req.correlationId, requestId: req.requestId };
});
