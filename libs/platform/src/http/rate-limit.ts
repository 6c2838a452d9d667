import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { LEDGER_CONFIG, type LedgerConfig } from '../config/ledger-config';
import type { Principal } from '../config/api-keys';
import { pathOf, type LedgerRequest } from './request-context';

const WINDOW_MS = 60_000;
const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;

/** 429 as problem+json: its class name becomes the stable type `.../problems/rate-limited`. */
export class RateLimitedException extends HttpException {
  constructor(limit: number, retryAfter: number) {
    super(
      { message: `at most ${limit} requests per minute per API key; retry later`, retryAfter },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * LEDGER_RATE_LIMIT_PER_MIN per API key, counted across every /v1 route, keyed by the key's
 * tenant and actor (not the IP: many clients share a NAT, one client has many IPs). A request
 * without a valid key is not counted: ApiKeyGuard answers it 401. Counts live in this process
 * only, so N replicas allow N times the limit.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  @Inject(LEDGER_CONFIG) private readonly config!: LedgerConfig;

  // shouldSkip and getTracker both need it: hash the key once per request.
  private readonly principals = new WeakMap<object, Principal | undefined>();

  private principalOf(req: LedgerRequest): Principal | undefined {
    if (this.principals.has(req)) return this.principals.get(req);
    const match =
      typeof req.headers.authorization === 'string' ? BEARER.exec(req.headers.authorization) : null;
    const principal = match ? this.config.apiKeys.authenticate(match[1]) : undefined;
    this.principals.set(req, principal);
    return principal;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<LedgerRequest>();
    if (this.config.rateLimitPerMin === 0 || !pathOf(req).startsWith('/v1/')) return true;
    return this.principalOf(req) === undefined;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = this.principalOf(req as unknown as LedgerRequest)!;
    return JSON.stringify([principal.tenantId, principal.actor]);
  }

  // One budget per key for all routes (the default key would give one per route).
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitedException(detail.limit, Math.max(1, Math.ceil(detail.timeToBlockExpire)));
  }
}

/** Import once per app root: registers the guard for every route (it skips all but /v1). */
@Module({})
export class RateLimitModule {
  static forRoot(): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [LEDGER_CONFIG],
          useFactory: (config: LedgerConfig) => ({
            throttlers: [{ name: 'default', ttl: WINDOW_MS, limit: Math.max(1, config.rateLimitPerMin) }],
          }),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ApiKeyThrottlerGuard }],
    };
  }
}
