import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { LedgerMetrics } from '../metrics/ledger-metrics';
import { pathOf, type LedgerRequest } from './request-context';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// Probes and scrapes come every few seconds: their access lines would drown the rest.
const QUIET = /^\/(?:health|metrics)(?:\/|$)/;

/**
 * The route template (`/v1/tasks/:id`), never the raw path: ids in a label would make one time
 * series per task. Unmatched paths (404s, probes of hostile clients) share one label.
 */
function routeOf(req: LedgerRequest): string {
  if (req.is404) return 'unmatched';
  const url = req.routeOptions?.url;
  return typeof url === 'string' ? url : 'unmatched';
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
  ) {
    // Read when scraped (the scrape itself is in flight then, as it always was): two gauge updates
    // per request would cost more than the count they keep.
    metrics?.onScrape(async () => {
      metrics.httpInFlight.set(this.inFlight);
    });
  }

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

  /**
   * Called first for every request, including those refused before their handler. The response's
   * 'close' comes exactly once, whether it was sent or the client went away first.
   */
  track(req: LedgerRequest, reply: FastifyReply): void {
    const started = process.hrtime.bigint();
    this.inFlight++;
    // 'close' comes once per response: no need for once()'s wrapper.
    reply.raw.on('close', () => this.finish(req, reply, started));
  }

  private finish(req: LedgerRequest, reply: FastifyReply, started: bigint): void {
    this.inFlight--;
    const res = reply.raw;
    const metrics = this.metrics;
    const logger = this.logger;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const route = routeOf(req);
    const status = res.writableFinished ? res.statusCode : 0; // 0: the client went away first
    const method = METHODS.has(req.method) ? req.method : 'OTHER';
    if (metrics) {
      metrics.httpDuration.observe({ method, route, status: String(status) }, seconds);
      if (req.storeOutage) {
        metrics.storeErrors.inc({
          store: req.method === 'GET' ? 'read_store' : 'event_store',
          source: 'http',
        });
      }
    }
    if (logger) {
      const level = QUIET.test(pathOf(req)) ? 'debug' : 'info';
      // The line is built only when it is written: probes at debug cost nothing at info.
      if (logger.isLevelEnabled(level)) {
        logger[level](
          {
            correlationId: req.correlationId,
            requestId: req.requestId,
            method,
            route,
            status,
            durationMs: Math.round(seconds * 1e4) / 10,
          },
          'request',
        );
      }
    }
    if (this.inFlight === 0 && this.idle.length > 0) this.idle.splice(0).forEach((wake) => wake());
  }
}
