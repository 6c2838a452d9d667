import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { LEDGER_CONFIG, type LedgerConfig } from '@ledger/platform/config';
import { UnavailableError, ValidationError } from '@ledger/platform/errors';
import type { LedgerRequest } from '@ledger/platform/http';
import {
  READ_POSITION_WAITER,
  TASK_QUERIES,
  type ReadPositionWaiter,
  type TaskQueries,
  type TaskReadModel,
} from '@ledger/read-models/core';

const READ_MODELS = 'ledger:read-models';
/** The read models a route reads: what `X-Min-Position` waits for and `X-Position` reports. */
export const ReadsFrom = (...models: TaskReadModel[]) => SetMetadata(READ_MODELS, models);

const OWN_POSITION = 'ledger:reports-own-position';
/**
 * The route's handler sets `X-Position` itself, from the position its read returned with the data
 * (read in one snapshot with it, where the store has snapshots): the guard then only waits for
 * `X-Min-Position`, and the request makes one read instead of two.
 */
export const ReportsPosition = () => SetMetadata(OWN_POSITION, true);

/** Shown before anything was projected: lower than every real position. */
export const NOTHING_PROJECTED = '0';

/**
 * Read-your-writes: `X-Min-Position` waits (bounded by LEDGER_READ_WAIT_MS, woken by projection
 * progress) until the route's read models reach the position, else 503 + Retry-After. Every
 * response carries `X-Position`, read *before* the data so the data is at least that fresh, or,
 * on a route marked `@ReportsPosition()`, set by the handler from its own read.
 *
 * A guard rather than an interceptor, though it authorises nothing: it runs at the same point
 * (after ApiKeyGuard, before the pipes and the handler) and always lets the request through, but
 * Nest wraps every intercepted route in rxjs observables and two `AsyncResource.bind` calls per
 * request, which cost a query about a tenth of its CPU (profile of GET /v1/tasks/:id).
 */
@Injectable()
export class ReadPositionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(READ_POSITION_WAITER) private readonly waiter: ReadPositionWaiter,
    @Inject(TASK_QUERIES) private readonly queries: TaskQueries,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    const models = this.reflector.get<TaskReadModel[]>(READ_MODELS, handler) ?? ['tasks'];
    const own = this.reflector.get<boolean | undefined>(OWN_POSITION, handler) === true;
    const http = context.switchToHttp();
    await this.before(http.getRequest<LedgerRequest>(), http.getResponse<FastifyReply>(), models, own);
    return true;
  }

  private async before(
    req: LedgerRequest,
    res: FastifyReply,
    models: TaskReadModel[],
    ownPosition: boolean,
  ): Promise<void> {
    const min = req.headers['x-min-position'];
    if (min !== undefined) {
      const position = this.parse(min);
      if (!(await this.waiter.waitForPosition(position, this.config.readWaitMs, models))) {
        throw new UnavailableError(`the read model has not reached position ${position} yet`, 1);
      }
    }
    if (!ownPosition) res.header('X-Position', (await this.queries.position(models)) ?? NOTHING_PROJECTED);
  }

  private parse(header: string | string[]): string {
    const value = Array.isArray(header) ? header[0] : header;
    try {
      if (value && value.length <= 64) {
        this.events.positionKey(value);
        return value;
      }
    } catch {
      // fall through: any failure to read it is the client's malformed header
    }
    throw new ValidationError('X-Min-Position must be a position returned by this API', [
      { field: 'X-Min-Position', problems: ['not a position'] },
    ]);
  }
}
