import type { NextFunction, Response } from 'express';
import type { Logger } from 'pino';
import { runWithLogContext } from '../logging/log-context';
import type { LedgerMetrics } from '../metrics/ledger-metrics';
import type { LedgerRequest } from './request-context';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// Probes and scrapes come every few seconds: their access lines would drown the rest.
const QUIET = /^\/(?:health|metrics)(?:\/|$)/;

/** Set by the exception filter when a request failed because a store could not serve. */
export const STORE_OUTAGE = 'ledgerStoreOutage';

/**
 * The route template (`/v1/tasks/:id`), never the raw path: ids in a label would make one time
 * series per task. Unmatched paths (404s, probes of hostile clients) share one label.
 */
function routeOf(req: LedgerRequest): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
}

/**
 * Counts requests in flight (a graceful shutdown drains them), times them by route and status,
 * and writes one access line each, without headers (so never a key).
 */
export class RequestObserver {
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly logger?: Logger,
    private readonly metrics?: LedgerMetrics,
  ) {}

  get count(): number {
    return this.inFlight;
  }

  /** Resolves when no request is in flight, or after `timeoutMs`; true when drained. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** First middleware: sees every request, including those refused by later middleware. */
  readonly track = (req: LedgerRequest, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    this.inFlight++;
    this.metrics?.httpInFlight.inc();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.metrics?.httpInFlight.dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      const status = res.writableFinished ? res.statusCode : 0; // 0: the client went away first
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      this.metrics?.httpDuration.observe({ method, route, status: String(status) }, seconds);
      if (res.locals[STORE_OUTAGE]) {
        this.metrics?.storeErrors.inc({
          store: req.method === 'GET' ? 'read_store' : 'event_store',
          source: 'http',
        });
      }
      const line = {
        correlationId: req.correlationId,
        requestId: req.requestId,
        method,
        route,
        status,
        durationMs: Math.round(seconds * 1e4) / 10,
      };
      if (QUIET.test(req.path)) this.logger?.debug(line, 'request');
      else this.logger?.info(line, 'request');
      if (this.inFlight === 0) this.idle.splice(0).forEach((wake) => wake());
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };

  /**
   * After the body is parsed: body-parser resumes on the socket's own async context, so a
   * context entered before it would be lost for the handlers.
   */
  readonly context = (req: LedgerRequest, _res: Response, next: NextFunction): void => {
    if (!req.correlationId || !req.requestId) return next();
    runWithLogContext({ correlationId: req.correlationId, requestId: req.requestId }, next);
  };
}
