import {
  CallHandler,
  ConflictException,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  Optional,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { FastifyReply } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { IDEMPOTENCY_STORE, type IdempotencyStore, type StoredResponse } from '@ledger/event-store/core';
import { IdempotencyKeyReused, ValidationError } from '@ledger/platform/errors';
import {
  pathOf,
  problemFor,
  ReplayedProblem,
  type LedgerRequest,
  type ProblemDetails,
} from '@ledger/platform/http';
import { LedgerMetrics } from '@ledger/platform/metrics';
import { requestHash } from './request-hash';

/** A first request that has not answered after this long is presumed dead and may be taken over. */
const STALE_AFTER_MS = 30_000;
/** How long a retry waits for the first request with the same key to finish. */
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 25;
const KEY = /^[\x21-\x7e]{1,255}$/;

/** What is stored per key: the status, the body and the headers a replay must repeat. */
interface Replay {
  readonly payload: unknown;
  readonly headers: Record<string, string>;
  readonly problem: boolean;
}

const REPLAYED_HEADERS = ['location'];

/**
 * `Idempotency-Key`: the same tenant + key + request gets the first response again and appends
 * nothing; the same key with another request is refused (422). Concurrent retries wait for the
 * first one; 5xx outcomes are not remembered, so they can be retried.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Optional() private readonly metrics?: LedgerMetrics,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<LedgerRequest>();
    const key = req.headers['idempotency-key'];
    if (key === undefined) return next.handle();
    const status: number =
      Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? (req.method === 'POST' ? 201 : 200);
    return from(this.run(req, context.switchToHttp().getResponse<FastifyReply>(), key, status, next));
  }

  private async run(
    req: LedgerRequest,
    res: FastifyReply,
    key: string | string[],
    status: number,
    next: CallHandler,
  ): Promise<unknown> {
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new ValidationError('Idempotency-Key must be 1-255 printable ASCII characters', [
        { field: 'Idempotency-Key', problems: ['invalid'] },
      ]);
    }
    const tenantId = req.principal!.tenantId;
    const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined;
    const hash = requestHash(req.method, pathOf(req), ifMatch, req.body);
    const slot = `${tenantId}\n${key}`;

    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const claim = await this.store.claim(tenantId, key, hash, new Date(), STALE_AFTER_MS);
      if (claim.claimed) break;
      if (claim.record.requestHash !== hash) {
        throw new IdempotencyKeyReused('this Idempotency-Key was already used for a different request');
      }
      if (claim.record.response) return this.replay(res, claim.record.response);
      if (Date.now() > deadline) {
        throw new ConflictException('a request with this Idempotency-Key is still in progress; retry later');
      }
      await (this.inFlight.get(slot) ?? new Promise((r) => setTimeout(r, POLL_MS)));
    }

    let done!: () => void;
    this.inFlight.set(slot, new Promise<void>((r) => (done = r)));
    try {
      const payload = await lastValueFrom(next.handle());
      await this.remember(tenantId, key, status, payload, this.headersOf(res), false);
      return payload;
    } catch (error) {
      const problem = problemFor(error);
      if (problem.body.status >= 500) await this.store.release(tenantId, key).catch(() => undefined);
      else await this.remember(tenantId, key, problem.body.status, problem.body, problem.headers ?? {}, true);
      throw error;
    } finally {
      this.inFlight.delete(slot);
      done();
    }
  }

  private headersOf(res: FastifyReply): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = res.getHeader(name);
      if (typeof value === 'string') headers[name] = value;
    }
    return headers;
  }

  private remember(
    tenantId: string,
    key: string,
    status: number,
    payload: unknown,
    headers: Record<string, string>,
    problem: boolean,
  ) {
    const replay: Replay = { payload, headers, problem };
    return this.store.complete(tenantId, key, { status, body: replay });
  }

  private replay(res: FastifyReply, stored: StoredResponse): unknown {
    const replay = stored.body as Replay;
    this.metrics?.idempotentReplay();
    res.header('Idempotent-Replayed', 'true');
    if (replay.problem) {
      // Nest would overwrite the status of a returned value with the route's own; a throw keeps it.
      throw new ReplayedProblem({ body: replay.payload as ProblemDetails, headers: replay.headers });
    }
    for (const [name, value] of Object.entries(replay.headers ?? {})) res.header(name, value);
    return replay.payload;
  }
}
